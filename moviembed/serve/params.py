"""Query parameters the search routes share, with the CLI's names, limits and checks.

The dependencies are `async def` though they never wait: FastAPI runs a plain `def`
dependency in its thread pool, a hand-off to another thread for each one on every request.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Query, Request
from pydantic import AfterValidator

from moviembed.search.filters import Filters
from moviembed.search.service import IndexService

MAX_RESULTS = 100  # most results one request may ask for


def _unicode(value: str) -> str:
    """Text a JSON body may spell with `\\ud800` escapes must still be Unicode, or the index
    would fail on it (and the error would blame the index)."""
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        raise ValueError("text holds a lone surrogate, which is not Unicode") from None
    return value


Text = Annotated[str, AfterValidator(_unicode)]  # a str field of a JSON body


async def get_service(request: Request) -> IndexService:
    """The service the app's lifespan opened."""
    service: IndexService = request.app.state.service
    return service


async def get_filters(
    genre: Annotated[
        list[str] | None, Query(description="Only movies with this genre; repeat for several.")
    ] = None,
    year: Annotated[
        str | None, Query(description="A year or range: 2010, 1990..1999, ..1980, 2010.., 1990s.")
    ] = None,
    director: Annotated[
        str | None, Query(description="Only movies by this director (a unique surname works).")
    ] = None,
    language: Annotated[
        str | None, Query(description="Original language, ISO 639-1, e.g. fr.")
    ] = None,
    min_rating: Annotated[
        float | None, Query(ge=0, le=10, description="Only movies TMDB users rate at least this.")
    ] = None,
    min_votes: Annotated[
        int | None, Query(ge=0, description="Only movies with at least this many TMDB votes.")
    ] = None,
    runtime: Annotated[
        str | None, Query(description="Minutes: 90..120, ..100, 150.. or 95.")
    ] = None,
) -> Filters:
    """The filters as the CLI parses them; a bad value is a UsageError (400)."""
    return Filters.parse(genre or [], year, director, language, min_rating, min_votes, runtime)


Service = Annotated[IndexService, Depends(get_service)]
FilterParams = Annotated[Filters, Depends(get_filters)]
Limit = Annotated[int, Query(ge=1, le=MAX_RESULTS, description="How many results.")]
QueryText = Annotated[str, Query(description="What the movie is about (at most 2,000 characters).")]
