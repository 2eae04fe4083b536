"""Search by text, movies like a stored one, and search results as LLM context."""

from __future__ import annotations

from enum import Enum
from typing import Annotated, Any, NamedTuple

from fastapi import APIRouter, Depends, Path, Query
from fastapi.responses import PlainTextResponse

from moviembed.choices import DEFAULT_MODE, RankOrder, SearchMode
from moviembed.search.context import context_block
from moviembed.search.query import SearchResults
from moviembed.search.understanding import CONDITION_NAMES
from moviembed.serve.params import FilterParams, Limit, QueryText, Service

router = APIRouter(tags=["search"])
Condition = Enum("Condition", {name: name for name in CONDITION_NAMES}, type=str)

Mode = Annotated[
    SearchMode, Query(description="hybrid: meaning plus exact words; dense: meaning only.")
]
Rank = Annotated[
    RankOrder,
    Query(description="relevance, or re-sort the best matches by popularity, rating or year."),
]


class SearchOptions(NamedTuple):
    """How a text search reads and ranks its query (the parameters beside the filters)."""

    mode: SearchMode
    rank: RankOrder
    literal: bool
    ignore: list[str]


async def get_search_options(
    mode: Mode = DEFAULT_MODE,
    rank: Rank = RankOrder.relevance,
    literal: Annotated[
        bool, Query(description="Take the words as written: no understood language, genres...")
    ] = False,
    ignore: Annotated[
        list[Condition] | None,
        Query(description="Understood conditions to drop, by name (the page's removed chips)."),
    ] = None,
) -> SearchOptions:
    return SearchOptions(mode, rank, literal, [condition.value for condition in ignore or []])


How = Annotated[SearchOptions, Depends(get_search_options)]


def _search(service: Service, q: str, n: int, filters: FilterParams, how: How) -> SearchResults:
    return service.search(
        q,
        limit=n,
        filters=filters,
        mode=how.mode,
        rank=how.rank,
        literal=how.literal,
        ignore=how.ignore,
    )


@router.get("/search")
def search_movies(
    service: Service,
    q: QueryText,
    filters: FilterParams,
    how: How,
    n: Limit = 10,
) -> dict[str, Any]:
    """Movies closest to `q`, best first; each result as `moviembed query --json` gives it,
    and `understood`: what the query was read as asking for."""
    hits = _search(service, q, n, filters, how)
    return {
        "query": q,
        "understood": hits.understood.to_dict(),
        "results": hits.to_dicts(),
    }


@router.get("/similar/{movie}")
def similar_movies(
    service: Service,
    movie: Annotated[str, Path(description="A stored movie's TMDB id or exact title.")],
    filters: FilterParams,
    n: Limit = 10,
) -> dict[str, Any]:
    """Movies most like a stored one (itself excluded)."""
    hits = service.index.similar(movie, n, filters=filters)
    return {"movie": movie, "results": [hit.to_dict() for hit in hits]}


@router.get("/context", response_class=PlainTextResponse)
def search_context(
    service: Service,
    q: QueryText,
    filters: FilterParams,
    how: How,
    n: Limit = 10,
) -> str:
    """The results of a search as a numbered text block, ready for an LLM prompt."""
    return context_block(_search(service, q, n, filters, how), heading=f"Movies for: {q}")
