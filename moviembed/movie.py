"""The one record shape every source produces: bundled catalog, TMDB API, dataset files."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any


@dataclass(frozen=True)
class Movie:
    """A movie's facts as TMDB reports them, ready to be turned into a document."""

    id: int
    title: str
    release_date: str | None = None
    genres: tuple[str, ...] = ()
    director: str | None = None
    cast: tuple[str, ...] = ()
    runtime: int | None = None
    original_language: str | None = None
    overview: str = ""
    keywords: tuple[str, ...] = field(default=())

    @property
    def year(self) -> int | None:
        """The release year, or None when TMDB has no usable date."""
        if self.release_date and self.release_date[:4].isdigit():
            return int(self.release_date[:4])
        return None

    @property
    def directors(self) -> tuple[str, ...]:
        """Each credited director (the record joins co-directors with ", ")."""
        if not self.director:
            return ()
        return tuple(name.strip() for name in self.director.split(",") if name.strip())

    def to_record(self) -> dict[str, Any]:
        """A JSON-ready dict in the bundled catalog's shape (keywords only when known)."""
        record = asdict(self)
        record["genres"] = list(self.genres)
        record["cast"] = list(self.cast)
        keywords = record.pop("keywords")
        if keywords:
            record["keywords"] = list(keywords)
        return record


@dataclass(frozen=True)
class Skipped:
    """A movie a source could not provide (TMDB 404, a malformed row), with the reason."""

    id: str
    reason: str
