"""`moviembed serve`: the search library over HTTP, a JSON API under `/api` and a web page.

A thin face like the CLI: routes parse requests and call `moviembed.search`; the index,
query model and keyword index are opened once (`moviembed.search.service.IndexService`,
shared with `moviembed mcp`) and shared by the request threads. Importing this package
imports FastAPI, so the CLI does it lazily.
"""

from moviembed.serve.app import create_app

__all__ = ["create_app"]
