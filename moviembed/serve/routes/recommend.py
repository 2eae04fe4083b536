"""Recommendations from movies someone liked (and disliked, and has seen), or from the
ratings file they exported from Letterboxd or IMDb, sent as the request body."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from pydantic import ConfigDict, Field
from starlette.concurrency import run_in_threadpool

from moviembed.errors import InputError
from moviembed.index.reader import IndexReader
from moviembed.search.names import resolve_movies
from moviembed.search.request_fields import (
    MAX_MOVIES,
    MAX_RESULTS,
    FilterFields,
    MovieList,
    MovieRef,
)
from moviembed.search.taste import Taste
from moviembed.serve.params import FilterParams, Limit, Service
from moviembed.sources.ratings import MAX_RATINGS_BYTES, parse_ratings

router = APIRouter(tags=["recommend"])


class RecommendRequest(FilterFields):
    """Movies by TMDB id or title, as `moviembed recommend` takes them, plus the filters of
    search (`FilterFields`, declared once for every route and MCP tool)."""

    model_config = ConfigDict(extra="forbid")

    liked: Annotated[MovieList, Field(min_length=1)]
    disliked: MovieList = Field(default_factory=list)
    seen: Annotated[list[MovieRef], Field(max_length=10 * MAX_MOVIES)] = Field(
        default_factory=list,
        description="Movies never to recommend: TMDB ids (any, stored or not) or titles.",
    )
    weights: dict[int, Annotated[float, Field(gt=0, le=10)]] = Field(
        default_factory=dict,
        max_length=2 * MAX_MOVIES,
        description="How much a liked or disliked movie counts, by TMDB id (1 when not given).",
    )
    n: int = Field(10, ge=1, le=MAX_RESULTS)


@router.post("/recommend", response_model=None)
def recommend_movies(service: Service, body: RecommendRequest) -> dict[str, Any]:
    """Movies like the liked ones and unlike the disliked ones, none of the seen ones;
    each result says which liked movie it is `because` of."""
    weights = {str(movie_id): weight for movie_id, weight in body.weights.items()}
    items = service.index.recommend(
        body.liked, body.disliked, body.seen, body.n, filters=body.parsed(), weights=weights
    )
    return {"results": [item.to_dict() for item in items]}


MovieQuery = Annotated[
    list[str] | None,
    Query(max_length=MAX_MOVIES, description="TMDB ids or titles; repeat for more."),
]


@router.post(
    "/recommend/ratings",
    openapi_extra={
        "requestBody": {
            "required": True,
            "description": "A Letterboxd export (.zip or one of its CSVs), IMDb's ratings "
            "export, or a CSV of titles/years or tmdb_id with an optional rating.",
            "content": {
                "text/csv": {"schema": {"type": "string"}},
                "application/zip": {"schema": {"type": "string", "format": "binary"}},
            },
        }
    },
)
async def recommend_from_ratings(
    request: Request,
    service: Service,
    filters: FilterParams,
    n: Limit = 10,
    name: Annotated[str, Query(max_length=200, description="The file name, for messages.")] = (
        "ratings.csv"
    ),
    liked: MovieQuery = None,
    disliked: MovieQuery = None,
) -> dict[str, Any]:
    """Picks for the taste in a ratings export sent as the body (e.g. `curl --data-binary
    @ratings.csv`): high ratings liked, low ones not, every film seen and never picked.
    `taste` says what matched, with titles, and what did not."""
    data = await _body(request)
    read = parse_ratings(data, name)

    def answer() -> dict[str, Any]:
        with service.reading() as index:
            named = (
                resolve_movies(index.store, liked or [], "liked"),
                resolve_movies(index.store, disliked or [], "disliked"),
            )
            taste = index.taste(read.films).with_named(*named)
            picks = index.recommend(taste=taste, limit=n, filters=filters)
            titles = _titles(index.store, [*taste.liked, *taste.disliked])
        return {
            "kind": read.kind,
            "taste": _described(taste, titles),
            "skipped": read.skipped,
            "results": [pick.to_dict() for pick in picks],
        }

    return await run_in_threadpool(answer)


async def _body(request: Request) -> bytes:
    """The request body, refused past MAX_RATINGS_BYTES without reading it all."""
    data = bytearray()
    async for chunk in request.stream():
        data += chunk
        if len(data) > MAX_RATINGS_BYTES:
            raise InputError(
                f"The ratings file is over {MAX_RATINGS_BYTES // 2**20} MiB; send a smaller one."
            )
    return bytes(data)


def _titles(store: IndexReader, ids: list[str]) -> dict[int, str]:
    return {int(hit["id"]): hit["metadata"].get("title", "") for hit in store.get_by_ids(ids)}


def _described(taste: Taste, titles: dict[str, str]) -> dict[str, Any]:
    """The taste as JSON, each liked and disliked movie with its title, heaviest first."""
    described = taste.to_dict()
    for key in ("liked", "disliked"):
        described[key] = sorted(
            ({**item, "title": titles.get(item["id"], "")} for item in described[key]),
            key=lambda item: -item["weight"],
        )
    return described
