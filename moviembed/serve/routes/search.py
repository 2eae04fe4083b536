"""Search by text, movies like a stored one, and search results as LLM context."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Path, Query
from fastapi.responses import PlainTextResponse

from moviembed.choices import DEFAULT_MODE, RankOrder, SearchMode
from moviembed.search.context import context_block
from moviembed.search.query import SearchHit, similar
from moviembed.serve.params import FilterParams, Limit, QueryText, Service

router = APIRouter(tags=["search"])

Mode = Annotated[
    SearchMode, Query(description="hybrid: meaning plus exact words; dense: meaning only.")
]
Rank = Annotated[
    RankOrder,
    Query(description="relevance, or re-sort the best matches by popularity, rating or year."),
]


def _search(
    service: Service, q: str, n: int, filters: FilterParams, mode: SearchMode, rank: RankOrder
) -> list[SearchHit]:
    return service.search(q, limit=n, filters=filters, mode=mode, order=rank)


@router.get("/search")
def search_movies(
    service: Service,
    q: QueryText,
    filters: FilterParams,
    n: Limit = 10,
    mode: Mode = DEFAULT_MODE,
    rank: Rank = RankOrder.relevance,
) -> dict[str, Any]:
    """Movies closest to `q`, best first; each result as `moviembed query --json` gives it."""
    hits = _search(service, q, n, filters, mode, rank)
    return {"query": q, "results": [hit.to_dict() for hit in hits]}


@router.get("/similar/{movie}")
def similar_movies(
    service: Service,
    movie: Annotated[str, Path(description="A stored movie's TMDB id or exact title.")],
    filters: FilterParams,
    n: Limit = 10,
) -> dict[str, Any]:
    """Movies most like a stored one (itself excluded)."""
    with service.reading() as index:
        hits = similar(movie, store=index.store, limit=n, filters=filters)
    return {"movie": movie, "results": [hit.to_dict() for hit in hits]}


@router.get("/context", response_class=PlainTextResponse)
def search_context(
    service: Service,
    q: QueryText,
    filters: FilterParams,
    n: Limit = 10,
    mode: Mode = DEFAULT_MODE,
    rank: Rank = RankOrder.relevance,
) -> str:
    """The results of a search as a numbered text block, ready for an LLM prompt."""
    return context_block(_search(service, q, n, filters, mode, rank), heading=f"Movies for: {q}")
