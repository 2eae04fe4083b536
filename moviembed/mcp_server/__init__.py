"""`moviembed mcp`: the search library as Model Context Protocol tools for LLM assistants.

A thin face like `serve`: tools parse arguments and call `moviembed.search` over the index
that `moviembed.search.service.IndexService` keeps open (and reopens after another
process's build). Importing this package imports the MCP SDK, so the CLI does it lazily.
"""

from moviembed.mcp_server.server import create_server, http_app, run_stdio

__all__ = ["create_server", "http_app", "run_stdio"]
