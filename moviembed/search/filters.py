"""Search filters (genre, year, director, language, rating, votes, runtime) as one Chroma `where`.

Filtering happens inside Chroma, before ranking, so asking for ten results
gives ten matches whenever ten exist.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, replace
from typing import Any

from moviembed.documents import fold
from moviembed.errors import UsageError
from moviembed.movie import TMDB_GENRES

# Genres outside TMDB's current list that older data (the TMDB 5000 dataset) still uses.
EXTRA_GENRES = frozenset({"Foreign"})
GENRE_ALIASES = {"sci fi": "Science Fiction", "scifi": "Science Fiction", "sf": "Science Fiction"}
_GENRES_BY_KEY = {fold(name): name for name in TMDB_GENRES | EXTRA_GENRES}
_YEAR_RANGE = re.compile(r"(?P<start>\d{4})?\s*(?P<dots>\.\.)?\s*(?P<end>\d{4})?")
_DECADE = re.compile(r"(?P<decade>\d{3})0s")
_RUNTIME_RANGE = re.compile(r"(?P<start>\d{1,4})?\s*(?P<dots>\.\.)?\s*(?P<end>\d{1,4})?")


@dataclass(frozen=True)
class Filters:
    """Constraints every result must meet; empty fields constrain nothing."""

    genres: tuple[str, ...] = ()
    year_from: int | None = None
    year_to: int | None = None
    director: str | None = None
    language: str | None = None
    min_rating: float | None = None  # TMDB vote_average, 0-10
    min_votes: int | None = None
    runtime_from: int | None = None  # minutes
    runtime_to: int | None = None
    # Set by query understanding (search/understand.py), not by flags:
    languages: tuple[str, ...] = ()  # any of these original languages
    not_languages: tuple[str, ...] = ()
    not_genres: tuple[str, ...] = ()
    max_votes: int | None = None

    @classmethod
    def parse(
        cls,
        genres: Iterable[str] = (),
        year: str | None = None,
        director: str | None = None,
        language: str | None = None,
        min_rating: float | None = None,
        min_votes: int | None = None,
        runtime: str | None = None,
    ) -> Filters:
        """Validate user-typed filter values; raises UsageError saying what is accepted."""
        year_from, year_to = parse_year_range(year) if year else (None, None)
        runtime_from, runtime_to = parse_runtime_range(runtime) if runtime else (None, None)
        if min_rating is not None and not 0 <= min_rating <= 10:
            raise UsageError(
                f"{{field}} {min_rating} is outside TMDB's 0-10 scale.", field="min_rating"
            )
        if min_votes is not None and min_votes < 0:
            raise UsageError(
                f"{{field}} {min_votes} is negative; use 0 or more.", field="min_votes"
            )
        return cls(
            min_rating=min_rating,
            min_votes=min_votes,
            runtime_from=runtime_from,
            runtime_to=runtime_to,
            genres=tuple(dict.fromkeys(canonical_genre(name) for name in genres)),
            year_from=year_from,
            year_to=year_to,
            director=_director(director),
            language=_language(language),
        )

    def with_director(self, director: str) -> Filters:
        """The same filters for another (resolved) director name."""
        return replace(self, director=director)

    def where(self) -> dict[str, Any] | None:
        """The ChromaDB `where` clause, or None when nothing is filtered."""
        conditions: list[dict[str, Any]] = [
            {"genre_list": {"$contains": genre}} for genre in self.genres
        ]
        if self.year_from is not None:
            conditions.append({"year": {"$gte": self.year_from}})
        if self.year_to is not None:
            conditions.append({"year": {"$lte": self.year_to}})
        if self.director:
            conditions.append({"director_keys": {"$contains": fold(self.director)}})
        if self.language:
            conditions.append({"language": self.language})
        if self.languages:
            conditions.append({"language": {"$in": list(self.languages)}})
        if self.not_languages:
            conditions.append({"language": {"$nin": list(self.not_languages)}})
        conditions += [{"genre_list": {"$not_contains": genre}} for genre in self.not_genres]
        bounds = (
            ("vote_average", "$gte", self.min_rating),
            ("vote_count", "$gte", self.min_votes),
            ("vote_count", "$lte", self.max_votes),
            ("runtime", "$gte", self.runtime_from),
            ("runtime", "$lte", self.runtime_to),
        )
        conditions += [{key: {op: value}} for key, op, value in bounds if value is not None]
        if not conditions:
            return None
        return conditions[0] if len(conditions) == 1 else {"$and": conditions}

    def matches(self, metadata: dict[str, Any]) -> bool:
        """The same test as `where`, applied to one stored movie's metadata."""
        year = metadata.get("year")
        directors = metadata.get("director_keys") or []
        genres = metadata.get("genre_list") or []
        language = metadata.get("language")
        return (
            all(genre in genres for genre in self.genres)
            and not any(genre in genres for genre in self.not_genres)
            and (not self.languages or language in self.languages)
            and language not in self.not_languages
            and (self.year_from is None or (year is not None and year >= self.year_from))
            and (self.year_to is None or (year is not None and year <= self.year_to))
            and (not self.director or fold(self.director) in directors)
            and (not self.language or language == self.language)
            and _at_least(metadata.get("vote_average"), self.min_rating)
            and _at_least(metadata.get("vote_count"), self.min_votes)
            and (self.max_votes is None or _at_least(self.max_votes, metadata.get("vote_count")))
            and _at_least(metadata.get("runtime"), self.runtime_from)
            and (self.runtime_to is None or _at_least(self.runtime_to, metadata.get("runtime")))
        )


def parse_year_range(text: str) -> tuple[int | None, int | None]:
    """`2010`, `1990..1999`, `..1980`, `2010..` or `1990s` -> (first year, last year)."""
    decade = _DECADE.fullmatch(text.strip())
    if decade:
        start = int(decade["decade"]) * 10
        return start, start + 9
    return _parse_range(
        _YEAR_RANGE,
        text,
        "year",
        "a year or range: use 2010, 1990..1999, ..1980, 2010.. or 1990s",
    )


def parse_runtime_range(text: str) -> tuple[int | None, int | None]:
    """`90..120`, `..100`, `150..` or `95` (minutes) -> (shortest, longest), inclusive."""
    return _parse_range(
        _RUNTIME_RANGE,
        text,
        "runtime",
        "a length in minutes or a range: use 90..120, ..100 or 150..",
    )


def _parse_range(
    pattern: re.Pattern[str], text: str, field: str, expected: str
) -> tuple[int | None, int | None]:
    """`A..B`, `..B`, `A..` or `A` matched by `pattern` -> inclusive (start, end); a
    UsageError names `field` (the library's name of the argument)."""
    match = pattern.fullmatch(text.strip())
    if not match or not (match["start"] or match["end"]):
        raise UsageError(f"{{field}} {text!r} is not {expected}.", field=field)
    start = int(match["start"]) if match["start"] else None
    end = int(match["end"]) if match["end"] else None
    if not match["dots"]:
        return start, start
    if start is not None and end is not None and start > end:
        raise UsageError(f"{{field}} {text!r} runs backwards; write {end}..{start}.", field=field)
    return start, end


def _at_least(value: Any, bound: float | None) -> bool:
    """True when there is no bound, or a known number meets it (unknown never does)."""
    if bound is None:
        return True
    return isinstance(value, (int, float)) and not isinstance(value, bool) and value >= bound


def canonical_genre(name: str) -> str:
    """TMDB's spelling of a genre typed in any case (`sci-fi` works too)."""
    key = fold(name)
    genre = _GENRES_BY_KEY.get(key) or GENRE_ALIASES.get(key)
    if genre is None:
        known = ", ".join(sorted(TMDB_GENRES))
        raise UsageError(
            f"{{field}} {name!r} is not a TMDB genre. Known genres: {known}.", field="genres"
        )
    return genre


def _director(name: str | None) -> str | None:
    if name is None:
        return None
    if not fold(name):
        raise UsageError("{field} needs a name, e.g. 'Christopher Nolan'.", field="director")
    return name.strip()


def _language(code: str | None) -> str | None:
    if code is None:
        return None
    value = code.strip().lower()
    if not (len(value) == 2 and value.isascii() and value.isalpha()):
        raise UsageError(
            f"{{field}} {code!r} is not a two-letter ISO 639-1 code such as en, fr or ja.",
            field="language",
        )
    return value
