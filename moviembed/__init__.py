"""moviembed: turn a movie catalog into a semantic search index.

The library works without the CLI:

    settings = Settings.load()
    store = EmbeddingStore.from_settings(settings)
    report = build_index(load_catalog(), store=store, embedder=SentenceTransformerEmbedder())
    hits = moviembed.search.search("heist in a casino", store=store, embedder=...)

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
