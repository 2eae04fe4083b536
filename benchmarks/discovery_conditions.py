"""Whether a movie meets a discovery request's condition (benchmarks/discovery_queries.json).

A condition is a JSON object; a movie meets it when it meets every key (the keys
and the conventions behind them are in benchmarks/discovery.py's docstring).
Genres, keywords and names compare case-insensitively; a movie with an unknown
year, runtime, rating or vote count fails any key about that fact.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable, Iterable
from typing import Any

from moviembed.movie import Movie

# "Iron Man 2", "Rocky IV", "Star Wars: Episode II - ...", "Part 2", "Chapter 3": a number
# 2-6 (Arabic or Roman) after a word, ending the title or before ":" or " - ", or a part or
# chapter after the first. "District 9", "Apollo 13", "Saw 3D" and "3:10 to Yuma" do not count;
# NOT_SEQUELS are the titles the rule gets wrong the other way (kings, a count, a character).
SEQUEL_TITLE = re.compile(
    r"(?:(?<=\w )(?:[2-6]|II|III|IV|V|VI)|\bpart\s+(?!I\b|1\b|one\b)\w+|\bchapter\s+\w+)"
    r"(?:$|\s*:|\s+[-\u2013]\s)",
    re.IGNORECASE,
)
NOT_SEQUELS = frozenset(
    {"Big Hero 6", "The Taking of Pelham 1 2 3", "The Ridiculous 6", "Girl 6", "Richard III"}
    | {"Henry V", "Malcolm X", "Hamlet 2", "Def-Con 4"}
)
SEQUEL_KEYWORDS = frozenset({"sequel"})


@functools.cache  # the same few thousand tuples come back for every request
def _fold(values: tuple[str, ...]) -> frozenset[str]:
    return frozenset(" ".join(v.split()).casefold() for v in values)


def _names(value: str | list[str]) -> frozenset[str]:
    return _fold((value,) if isinstance(value, str) else tuple(value))


def is_sequel(movie: Movie) -> bool:
    """A sequel by TMDB's "sequel" keyword or by a sequel number ending its title."""
    if movie.title in NOT_SEQUELS:
        return False
    return bool(_fold(movie.keywords) & SEQUEL_KEYWORDS or SEQUEL_TITLE.search(movie.title))


def _within(value: float | None, bounds: list[float | None]) -> bool:
    low, high = bounds
    if value is None:
        return False
    return (low is None or value >= low) and (high is None or value <= high)


def _at_least(value: float | None, limit: float) -> bool:
    return value is not None and value >= limit


def _at_most(value: float | None, limit: float) -> bool:
    return value is not None and value <= limit


Check = Callable[[Movie, Any], bool]
CHECKS: dict[str, Check] = {
    "genres_all": lambda m, v: _names(v) <= _fold(m.genres),
    "genres_any": lambda m, v: bool(_names(v) & _fold(m.genres)),
    "genres_none": lambda m, v: not _names(v) & _fold(m.genres),
    "language": lambda m, v: (m.original_language or "").casefold() in _names(v),
    "year": lambda m, v: _within(m.year, v),
    "runtime": lambda m, v: _within(m.runtime, v),
    "min_rating": lambda m, v: _at_least(m.vote_average, v),
    "min_votes": lambda m, v: _at_least(m.vote_count, v),
    "max_votes": lambda m, v: _at_most(m.vote_count, v),
    "director_any": lambda m, v: bool(_names(v) & _fold(m.directors)),
    "cast_any": lambda m, v: bool(_names(v) & _fold(m.cast)),
    "keywords_any": lambda m, v: bool(_names(v) & _fold(m.keywords)),
    "keywords_none": lambda m, v: not _names(v) & _fold(m.keywords),
    "exclude_ids": lambda m, v: str(m.id) not in _names([str(i) for i in v]),
    "not_sequel": lambda m, v: not v or not is_sequel(m),
}
KEYS = frozenset(CHECKS)


def meets(condition: dict[str, Any], movie: Movie) -> bool:
    """True when `movie` meets every key of `condition`."""
    return all(CHECKS[key](movie, value) for key, value in condition.items())


def best_share(condition: dict[str, Any], movies: Iterable[Movie], k: int = 10) -> float:
    """The largest share of a top `k` that could meet `condition` in this catalog."""
    return min(k, sum(1 for movie in movies if meets(condition, movie))) / k
