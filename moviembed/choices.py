"""Named choices and limits shared by the library and the CLI, in a module with no heavy imports.

The CLI's option types must be importable before any command runs, and `--help`
must stay fast, so these live apart from the modules that use them.
"""

from __future__ import annotations

from enum import Enum

MAX_LIMIT = 1000  # most results a query or similar may ask for


class SearchMode(str, Enum):
    """How results are ranked."""

    dense = "dense"
    hybrid = "hybrid"


DEFAULT_MODE = SearchMode.hybrid


class RecommendMethod(str, Enum):
    """How `recommend` turns liked movies into a ranking (compared in benchmarks/README.md)."""

    centroid = "centroid"
    rrf = "rrf"
    mmr = "mmr"


DEFAULT_METHOD = RecommendMethod.centroid


class OutputFormat(str, Enum):
    """How search results are printed."""

    table = "table"
    json = "json"
    context = "context"


class TmdbList(str, Enum):
    """TMDB's movie lists that `build --tmdb-list` can take ids from."""

    top_rated = "top_rated"
    popular = "popular"
    now_playing = "now_playing"


class RankOrder(str, Enum):
    """How the movies that match a query are ordered."""

    relevance = "relevance"
    popularity = "popularity"
    rating = "rating"
    year = "year"
