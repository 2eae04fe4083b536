"""`moviembed mcp`: the index as tools for LLM assistants (Model Context Protocol). Thin:
settings, the open index, then the server from `moviembed.mcp_server` over stdio or HTTP;
the MCP SDK is imported only when the command runs."""

from __future__ import annotations

from typing import Annotated

import typer

from moviembed.cli.serve_command import uvicorn_options, warn_if_open
from moviembed.cli.support import load_settings, say

DEFAULT_PORT = 8765  # beside `moviembed serve` on 8000


def mcp(
    ctx: typer.Context,
    http: Annotated[
        bool,
        typer.Option("--http", help="Serve streamable HTTP at /mcp instead of stdin/stdout."),
    ] = False,
    host: Annotated[
        str, typer.Option("--host", help="With --http: address to listen on.")
    ] = "127.0.0.1",
    port: Annotated[
        int, typer.Option("--port", min=1, max=65535, help="With --http: TCP port.")
    ] = DEFAULT_PORT,
    token: Annotated[
        str | None,
        typer.Option(
            "--token",
            help="With --http: require `Authorization: Bearer TOKEN` (env MOVIEMBED_SERVE_TOKEN).",
            show_default=False,
        ),
    ] = None,
) -> None:
    """Serve the index to LLM assistants over the Model Context Protocol. Read-only.

    Tools search, similar, recommend, movie, context; resource movie://ID; prompt explain_match.

    An MCP client starts it itself: command "moviembed", args ["mcp"] (see docs/mcp.md).

    Examples: moviembed --db ./my-index mcp; moviembed mcp --http --token "$(openssl rand -hex 8)"
    """
    from moviembed.mcp_server import create_server, http_app, run_stdio
    from moviembed.search.service import IndexService

    settings = load_settings(ctx, serve_token=token)
    if http:
        warn_if_open(settings, host)
    service = IndexService.open(settings)  # errors are reported before the server starts
    service.start_watching()
    try:
        server = create_server(service, host=host)
        if not http:
            run_stdio(server)
            return
        import uvicorn

        say(f"Serving MCP for {service.location} on http://{host}:{port}/mcp (Ctrl-C to stop).")
        app = http_app(server, settings.serve_token)
        uvicorn.run(app, host=host, port=port, **uvicorn_options(ctx.obj))
    finally:
        service.close()
