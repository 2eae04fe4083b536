"""`moviembed serve`: the search library over HTTP, a JSON API under `/api` and a web page.

A thin face like the CLI: routes parse requests and call `moviembed.search`; the index,
query model and keyword index are opened once (`moviembed.search.service.IndexService`,
shared with `moviembed mcp`) and shared by the request threads. `create_app` imports FastAPI
when first asked for, so the CLI's fast path (`registry`, `client`) stays light.
"""

from typing import Any

__all__ = ["create_app"]


def __getattr__(name: str) -> Any:
    if name == "create_app":
        from moviembed.serve.app import create_app

        return create_app
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
