"""`moviembed serve`: search over HTTP. Thin: settings, then the app from `moviembed.serve`
under uvicorn; FastAPI and uvicorn are imported only when the command runs."""

from __future__ import annotations

import os
import signal
import threading
from typing import Annotated

import typer

from moviembed.cli.support import CliState, load_settings, notice, say

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

    from moviembed.serve import create_app, registry
    from moviembed.serve.security import check_origin
    from moviembed.serve.service import IndexService

    settings = load_settings(ctx, serve_token=token)
    origins = [check_origin(origin) for origin in cors or []]
    if not settings.serve_token and host not in LOOPBACK:
        notice(f"serving on {host} without a token: anyone who can reach it can search.")
    service = IndexService.open(settings)  # errors are reported before the server starts
    state: CliState = ctx.obj
    say(f"Serving {service.location} on http://{host}:{port}/ (Ctrl-C to stop).")
    me = registry.Registration(
        os.getpid(), host, port, registry.index_identity(settings), settings.serve_token
    )
    if threading.current_thread() is threading.main_thread():
        signal.signal(signal.SIGTERM, _exit_on_sigterm)
    with registry.registered(registry.folder_for(settings), me):  # CLI searches ask us
        uvicorn.run(
            create_app(settings, cors_origins=origins, service=service),
            host=host,
            port=port,
            log_level="info" if state.verbose else "warning",
            access_log=bool(state.verbose),
            server_header=False,
        )


def _exit_on_sigterm(signum: int, frame: object) -> None:
    """uvicorn shuts down on SIGTERM, then raises it again once its own handler is gone: exit
    through Python then, so the registration file is removed (the default action would not)."""
    raise SystemExit(128 + signum)
