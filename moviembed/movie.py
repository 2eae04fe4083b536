"""The one record shape every source produces: bundled catalog, TMDB API, dataset files."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

TOP_CAST = 3  # billed cast members kept per movie


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


@dataclass(frozen=True)
class Skipped:
    """A movie a source could not provide (TMDB 404, a malformed row), with the reason."""

    id: str
    reason: str


@dataclass(frozen=True)
class Unfetched:
    """An id already in the index that a source chose not to fetch again."""

    id: str


SourceItem = Movie | Skipped | Unfetched
"""What a source yields: a movie, a movie it could not provide, or an id it left alone."""


def movie_from_tmdb(data: dict[str, Any]) -> Movie:
    """Build a Movie from TMDB's `/movie/{id}` JSON with `append_to_response=credits,keywords`.

    Directors are the crew members whose job is "Director" (in credit order), the
    cast is the top three by billing `order`; missing parts give empty values.
    """
    credits = data.get("credits") or {}
    crew = credits.get("crew") or []
    directors = [p["name"] for p in crew if p.get("job") == "Director" and p.get("name")]
    billed = sorted(
        (p for p in credits.get("cast") or [] if p.get("name")),
        key=lambda person: person.get("order", 0),
    )
    keywords = (data.get("keywords") or {}).get("keywords") or []
    runtime = data.get("runtime")
    return Movie(
        id=int(data["id"]),
        title=str(data.get("title") or data.get("original_title") or f"TMDB {data['id']}"),
        release_date=data.get("release_date") or None,
        genres=tuple(g["name"] for g in data.get("genres") or [] if g.get("name")),
        director=", ".join(dict.fromkeys(directors)) or None,
        cast=tuple(person["name"] for person in billed[:TOP_CAST]),
        runtime=int(runtime) if runtime else None,
        original_language=data.get("original_language") or None,
        overview=str(data.get("overview") or ""),
        keywords=tuple(k["name"] for k in keywords if k.get("name")),
    )
