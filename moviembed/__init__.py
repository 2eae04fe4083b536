"""moviembed: turn a movie catalog into a semantic search index.

The library works without the CLI (docs/library.md):

    from moviembed import MovieIndex

    index = MovieIndex.open("./index")  # or MovieIndex.open(): the CLI's default index
    hits = index.search("heist in a casino", limit=5, genres=["crime"])
    picks = index.recommend(["Heat", "Casino (1995)"], seen=[11])

Public names are imported on first use, so `import moviembed` stays cheap.
"""

from __future__ import annotations

import importlib
from typing import Any

__version__ = "0.1.0"

_PUBLIC = {
    "BuildReport": "index.builder",
    "build_index": "index.builder",
    "load_catalog": "sources.catalog",
    "Settings": "config",
    "SentenceTransformerEmbedder": "embedding.embedder",
    "MoviembedError": "errors",
    "MovieIndex": "search.movie_index",
    "Recommendation": "search.hits",
    "Filters": "search.filters",
    "Movie": "movie",
    "OnnxEmbedder": "embedding.onnx_embedder",
    "load_query_embedder": "embedding.onnx_embedder",
    "SearchHit": "search.query",
    "EmbeddingStore": "index.store",
    "TmdbClient": "sources.tmdb.client",
}

__all__ = ["__version__", *sorted(_PUBLIC)]


def __getattr__(name: str) -> Any:
    module = _PUBLIC.get(name)
    if module is None:
        raise AttributeError(f"module 'moviembed' has no attribute {name!r}")
    return getattr(importlib.import_module(f".{module}", __name__), name)
