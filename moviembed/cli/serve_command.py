"""`moviembed serve`: search over HTTP. Thin: settings, then the app from `moviembed.serve`
under uvicorn; FastAPI and uvicorn are imported only when the command runs."""

from __future__ import annotations

import os
import signal
import socket
import threading
from typing import TYPE_CHECKING, Annotated, Any

import typer

from moviembed.cli.support import CliState, load_settings, notice, say
from moviembed.errors import UsageError

if TYPE_CHECKING:
    from moviembed.config import Settings

LOOPBACK = ("127.0.0.1", "localhost", "::1")


def serve(
    ctx: typer.Context,
    host: Annotated[
        str, typer.Option("--host", help="Address to listen on; 0.0.0.0 for every interface.")
    ] = "127.0.0.1",
    port: Annotated[int, typer.Option("--port", min=1, max=65535, help="TCP port.")] = 8000,
    token: Annotated[
        str | None,
        typer.Option(
            "--token",
            help="Require `Authorization: Bearer TOKEN` on /api (env MOVIEMBED_SERVE_TOKEN).",
            show_default=False,
        ),
    ] = None,
    cors: Annotated[
        list[str] | None,
        typer.Option(
            "--cors",
            metavar="ORIGIN",
            help="Let pages from this origin call the API (e.g. http://localhost:3000); repeat.",
            show_default=False,
        ),
    ] = None,
) -> None:
    """Serve search over HTTP: a JSON API under /api and a web page at /. Read-only.

    Examples: moviembed serve; moviembed serve --port 8080 --token "$(openssl rand -hex 16)"
    """
    import uvicorn

    from moviembed.search.service import IndexService
    from moviembed.serve import create_app, registry
    from moviembed.serve.security import check_origin

    settings = load_settings(ctx, serve_token=token)
    origins = [check_origin(origin) for origin in cors or []]
    listening = listen(host, port)  # a bad --host or a busy port is one line, not uvicorn's
    warn_if_open(settings, host)
    service = IndexService.open(settings)  # errors are reported before the server starts
    say(f"Serving {service.location} on http://{host}:{port}/ (Ctrl-C to stop).")
    config = uvicorn.Config(
        create_app(settings, cors_origins=origins, host=host, service=service),
        host=host,
        port=port,
        **uvicorn_options(ctx.obj),
    )
    me = registry.Registration(
        os.getpid(), host, port, registry.index_identity(settings), settings.serve_token
    )
    if threading.current_thread() is threading.main_thread():
        signal.signal(signal.SIGTERM, _exit_on_sigterm)
    with registry.registered(registry.folder_for(settings), me):  # CLI searches ask us
        try:
            uvicorn.Server(config).run(sockets=[listening])
        except KeyboardInterrupt:
            pass  # uvicorn raises Ctrl-C again once it has shut down: the normal way to stop


def warn_if_open(settings: Settings, host: str) -> None:
    """Say so when a server listens beyond this machine without a token."""
    if not settings.serve_token and host not in LOOPBACK:
        notice(f"serving on {host} without a token: anyone who can reach it can search.")


def uvicorn_options(state: CliState) -> dict[str, Any]:
    """How both servers run uvicorn: its log only with -v, and no Server header."""
    return {
        "log_level": "info" if state.verbose else "warning",
        "access_log": bool(state.verbose),
        "server_header": False,
    }


def listen(host: str, port: int) -> socket.socket:
    """A socket bound to `host`:`port` for uvicorn to serve on; UsageError saying why not."""
    try:
        family, kind, proto, _, address = socket.getaddrinfo(
            host, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE
        )[0]
        listening = socket.socket(family, kind, proto)
        listening.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        listening.bind(address)
    except (OSError, UnicodeError, ValueError) as exc:
        reason = getattr(exc, "strerror", None) or str(exc) or exc.__class__.__name__
        raise UsageError(
            f"Cannot listen on {host!r} port {port}: {reason}. Check --host (an address "
            "or name of this machine, e.g. 127.0.0.1 or 0.0.0.0) and --port."
        ) from None
    return listening


def _exit_on_sigterm(signum: int, frame: object) -> None:
    """uvicorn shuts down on SIGTERM, then raises it again once its own handler is gone: exit
    through Python then, so the registration file is removed (the default action would not)."""
    raise SystemExit(128 + signum)
