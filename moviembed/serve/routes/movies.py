"""One stored movie, and the service's health."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Path

from moviembed import __version__
from moviembed.serve.params import Service

router = APIRouter(tags=["movies"])


@router.get("/movies/{movie}")
def get_movie(
    service: Service,
    movie: Annotated[str, Path(description="The movie's TMDB id, or its title (any case).")],
) -> dict[str, Any]:
    """A stored movie's document and metadata, as `moviembed inspect ID --json` shows them."""
    hit = service.index.movie(movie)
    return {"id": int(hit["id"]), "document": hit["document"], "metadata": hit["metadata"]}


@router.get("/health")
def health(service: Service) -> dict[str, Any]:
    """Movies served, the model and vector width, the index's write stamp, our version.

    Answers 503 when the index cannot be read (e.g. the Chroma server is down).
    """
    with service.reading() as index:
        info = index.info()
        generation = index.current_generation()
    return {
        "count": info.count,
        "model": info.model or index.model,
        "dimension": info.dimension,
        "generation": generation,
        "version": __version__,
    }
