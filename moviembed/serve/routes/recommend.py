"""Recommendations from movies someone liked (and disliked, and has seen)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict, Field

from moviembed.search.filters import Filters
from moviembed.serve.errors import error_response
from moviembed.serve.params import MAX_RESULTS, Service, Text

router = APIRouter(tags=["recommend"])

MAX_MOVIES = 100  # most movies one list in a request may name
RECOMMEND_MODULE = "moviembed.search.recommend"


class RecommendRequest(BaseModel):
    """Movies by TMDB id or exact title, plus the same filters as search."""

    model_config = ConfigDict(extra="forbid")

    liked: list[Text] = Field(min_length=1, max_length=MAX_MOVIES)
    disliked: list[Text] = Field(default_factory=list, max_length=MAX_MOVIES)
    seen: list[Text] = Field(default_factory=list, max_length=10 * MAX_MOVIES)
    n: int = Field(10, ge=1, le=MAX_RESULTS)
    genre: list[Text] = Field(default_factory=list, max_length=10)
    year: Text | None = None
    director: Text | None = None
    language: Text | None = None
    min_rating: float | None = Field(None, ge=0, le=10)
    min_votes: int | None = Field(None, ge=0)
    runtime: Text | None = None


@router.post("/recommend", response_model=None)
def recommend_movies(service: Service, body: RecommendRequest) -> dict[str, Any] | JSONResponse:
    """Movies like the liked ones and unlike the disliked ones, none of the seen ones;
    each result says which liked movie it is `because` of."""
    try:
        from moviembed.search.recommend import recommend
    except ModuleNotFoundError as exc:
        if exc.name != RECOMMEND_MODULE:
            raise
        return error_response(501, "Recommendations are not available in this moviembed version.")
    filters = Filters.parse(
        body.genre,
        body.year,
        body.director,
        body.language,
        body.min_rating,
        body.min_votes,
        body.runtime,
    )
    with service.reading() as index:
        items = recommend(
            body.liked,
            store=index.store,
            disliked=body.disliked,
            exclude=body.seen,
            limit=body.n,
            filters=filters,
        )
    return {"results": [item.to_dict() for item in items]}
