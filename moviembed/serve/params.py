"""Query parameters the search routes share, with the CLI's names, limits and checks.

The dependencies are `async def` though they never wait: FastAPI runs a plain `def`
dependency in its thread pool, a hand-off to another thread for each one on every request.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Query, Request

from moviembed.search.filters import Filters
from moviembed.search.request_fields import MAX_RESULTS, QUERY_HELP, FilterFields
from moviembed.search.service import IndexService


async def get_service(request: Request) -> IndexService:
    """The service the app's lifespan opened."""
    service: IndexService = request.app.state.service
    return service


async def get_filters(fields: Annotated[FilterFields, Query()]) -> Filters:
    """The filter query parameters (declared in `FilterFields`, as the recommend body and
    the MCP tools take them) as the CLI parses them; a bad value is a UsageError (400)."""
    return fields.parsed()


Service = Annotated[IndexService, Depends(get_service)]
FilterParams = Annotated[Filters, Depends(get_filters)]
Limit = Annotated[int, Query(ge=1, le=MAX_RESULTS, description="How many results.")]
QueryText = Annotated[str, Query(description=QUERY_HELP)]
