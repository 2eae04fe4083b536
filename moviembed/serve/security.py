"""Bearer-token access to `/api` and the CORS origins the browser may call it from.

Both are off unless asked for: the service binds to 127.0.0.1 by default, so only this
machine can reach it. A token is compared in constant time and never logged.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from urllib.parse import urlsplit

from fastapi import FastAPI, Request
from fastapi.middleware.cors import CORSMiddleware
from starlette.exceptions import HTTPException

from moviembed.bearer import CHALLENGE, token_problem
from moviembed.errors import UsageError


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
