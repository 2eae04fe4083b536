"""moviembed: turn a movie catalog into a semantic search index.

The library works without the CLI:

    settings = Settings.load()
    store = EmbeddingStore(settings.db_path, model_name=settings.model)
    report = build_index(load_catalog(), store=store, embedder=SentenceTransformerEmbedder())
    hits = search("heist in a casino", store=store, embedder=SentenceTransformerEmbedder())
"""

__version__ = "0.1.0"

from .builder import BuildReport, build_index
from .catalog import load_catalog
from .config import Settings
from .embedder import SentenceTransformerEmbedder
from .errors import MoviembedError
from .movie import Movie
from .search import SearchHit, search
from .store import EmbeddingStore

__all__ = [
    "BuildReport",
    "EmbeddingStore",
    "Movie",
    "MoviembedError",
    "SearchHit",
    "SentenceTransformerEmbedder",
    "Settings",
    "__version__",
    "build_index",
    "load_catalog",
    "search",
]
