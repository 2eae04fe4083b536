"""Bearer-token access to `/api`, the CORS origins the browser may call it from, and the
Host names the service answers to.

Token and CORS are off unless asked for: the service binds to 127.0.0.1 by default, so only
this machine can reach it. A token is compared in constant time and never logged. The Host
check is always on: a web page the user visits could otherwise point a name of its own at
127.0.0.1 (DNS rebinding) and read a token-less service as if it were the same site.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Awaitable, Callable, Iterable, Sequence
from typing import Any
from urllib.parse import urlsplit

from fastapi import FastAPI, Request
from fastapi.middleware.cors import CORSMiddleware
from starlette.exceptions import HTTPException

from moviembed.bearer import CHALLENGE, token_problem
from moviembed.errors import UsageError
from moviembed.serve.errors import error_response

LOOPBACK_NAMES = ("localhost", "127.0.0.1", "::1")


def token_checker(token: str | None) -> Callable[[Request], Awaitable[None]]:
    """A dependency that refuses requests without `Authorization: Bearer <token>` (async,
    so FastAPI runs it on the event loop instead of handing it to a thread)."""

    async def require_token(request: Request) -> None:
        problem = token_problem(request.headers.get("authorization", ""), token)
        if problem:
            raise HTTPException(401, problem, CHALLENGE)

    return require_token


def allow_origins(app: FastAPI, origins: Sequence[str]) -> None:
    """Let pages from `origins` call the API from a browser (GET and POST, with a token)."""
    if origins:
        app.add_middleware(
            CORSMiddleware,
            allow_origins=[check_origin(origin) for origin in origins],
            allow_methods=["GET", "POST"],
            allow_headers=["Authorization", "Content-Type"],
            max_age=600,
        )


def check_origin(origin: str) -> str:
    """`scheme://host[:port]` as browsers send it in `Origin`, or `*`; UsageError otherwise."""
    value = origin.strip().rstrip("/")
    parts = urlsplit(value)
    bare = parts.netloc and not (parts.path or parts.query or parts.fragment or "@" in parts.netloc)
    if value == "*" or (parts.scheme in ("http", "https") and bare):
        return value
    raise UsageError(
        f"--cors {origin!r} is not an origin: give scheme, host and port, "
        "e.g. --cors http://localhost:3000."
    )


def allow_hosts(app: FastAPI, names: Iterable[str]) -> None:
    """Answer only requests whose Host is one of `names`, a loopback name or an IP address
    (a page cannot rebind an address, only a name); `*` among `names` turns the check off."""
    allowed = {host_name(name) for name in (*LOOPBACK_NAMES, *names) if name.strip()}
    if "*" not in allowed:
        app.add_middleware(_HostCheck, allowed=frozenset(allowed))


def host_name(value: str) -> str:
    """The host part of a Host header or a name, lower-case, without port, brackets or the
    final dot: `[::1]:8000` -> `::1`, `Example.org.:80` -> `example.org`."""
    text = value.strip().lower()
    if text.startswith("["):
        text = text[1 : text.find("]")] if "]" in text else text[1:]
    elif text.count(":") == 1:
        text = text.partition(":")[0]
    return text.rstrip(".")


class _HostCheck:
    """ASGI middleware: a request for a Host the service does not serve gets a 400 JSON error
    before any route (or the page) sees it."""

    def __init__(self, app: Any, allowed: frozenset[str]) -> None:
        self.app = app
        self.allowed = allowed

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] == "http":
            raw = dict(scope.get("headers") or ()).get(b"host", b"")
            name = host_name(raw.decode("latin-1"))
            if not self._serves(name):
                shown = name[:80] or "none"
                response = error_response(
                    400,
                    f"This service does not answer to the Host {shown!r}; if a proxy forwards "
                    "that name, add it to MOVIEMBED_ALLOWED_HOSTS.",
                )
                await response(scope, receive, send)
                return
        await self.app(scope, receive, send)

    def _serves(self, name: str) -> bool:
        if name in self.allowed:
            return True
        try:
            ipaddress.ip_address(name)
        except ValueError:
            return False
        return True
