"""The one record shape every source produces: bundled catalog, TMDB API, dataset files."""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

from moviembed.errors import InputError

# TMDB's movie genre names (https://developer.themoviedb.org/reference/genre-movie-list).
TMDB_GENRES = frozenset(
    "Action|Adventure|Animation|Comedy|Crime|Documentary|Drama|Family|Fantasy|History|Horror"
    "|Music|Mystery|Romance|Science Fiction|TV Movie|Thriller|War|Western".split("|")
)
TOP_CAST = 3  # billed cast members kept per movie
MAX_MOVIE_ID = 2**31 - 1  # TMDB ids are 32-bit; a larger "id" is a typo or a hostile file
MAX_RUNTIME = 10_000  # minutes; TMDB's longest films run a few thousand
MAX_POPULARITY = 1e7  # TMDB's popularity peaks in the thousands; more is a broken record
MAX_VOTES = 10**8
# The longest text kept per field, in characters. TMDB's longest titles run to about 200,
# its synopses to about 1,000 and its names to under 100: more is a broken or hostile record,
# which is refused (never cut: a cut synopsis would be stored as if it were TMDB's).
MAX_TITLE = 500
MAX_OVERVIEW = 5_000
MAX_NAME = 200  # a director, cast member, genre or keyword
# Facts stored as metadata for ranking and display, never embedded.
SIGNALS = ("popularity", "vote_count", "vote_average", "poster_path")


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
    # How well known and how well liked (TMDB's numbers); None when unknown.
    popularity: float | None = None
    vote_count: int | None = None
    vote_average: float | None = None
    poster_path: str | None = None

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


def check_lengths(movie: Movie) -> None:
    """Raise ValueError if a text of `movie` is longer than its documented maximum.

    Every source's movies pass here before they are stored (the builder, the catalog).
    """
    fields = [("title", movie.title, MAX_TITLE), ("overview", movie.overview, MAX_OVERVIEW)]
    names = (*movie.genres, *movie.directors, *movie.cast, *movie.keywords)
    fields += [("a name", name, MAX_NAME) for name in names]
    for what, text, most in fields:
        if len(text) > most:
            raise ValueError(
                f"{what} is {len(text):,} characters long, more than the {most:,} stored"
            )


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


def is_tmdb_id(value: Any) -> bool:
    """True for an int (bools excluded) in TMDB's id range: the only shape a movie id takes."""
    return isinstance(value, int) and not isinstance(value, bool) and 0 < value <= MAX_MOVIE_ID


def as_movie_id(value: Any) -> int | None:
    """The TMDB id that `value` spells (an int, a whole float, or ASCII digits), else None."""
    if isinstance(value, float) and value.is_integer() and abs(value) <= MAX_MOVIE_ID:
        value = int(value)
    elif isinstance(value, str):
        text = value.strip()
        digits = text.isascii() and text.isdigit() and len(text) <= len(str(MAX_MOVIE_ID))
        value = int(text) if digits else None
    return value if is_tmdb_id(value) else None


def parse_movie_id(raw: str) -> str:
    """A movie id as the index stores it (canonical digits), or InputError."""
    movie_id = as_movie_id(raw)
    if movie_id is None:
        raise InputError(f"Movie ids are positive integers (TMDB ids), got {raw!r}.")
    return str(movie_id)


def movie_from_tmdb(data: dict[str, Any]) -> Movie:
    """Build a Movie from TMDB's `/movie/{id}` JSON with `append_to_response=credits,keywords`.

    Directors are the crew members whose job is "Director" (in credit order), the
    cast is the top three by billing `order`; missing or malformed parts give empty
    values. Raises ValueError only when there is no usable id.
    """
    movie_id = data.get("id")
    if not is_tmdb_id(movie_id):
        raise ValueError(f"no usable TMDB id in {str(movie_id)[:40]!r}")
    credits = _mapping(data.get("credits"))
    directors = [p["name"] for p in _named(credits.get("crew")) if p.get("job") == "Director"]
    billed = sorted(_named(credits.get("cast")), key=lambda person: _number(person.get("order")))
    runtime = _number(data.get("runtime"))
    return Movie(
        **signals_from(data),
        id=movie_id,
        title=_text(data.get("title")) or _text(data.get("original_title")) or f"TMDB {movie_id}",
        release_date=_text(data.get("release_date")) or None,
        genres=tuple(genre["name"] for genre in _named(data.get("genres"))),
        director=", ".join(dict.fromkeys(directors)) or None,
        cast=tuple(person["name"] for person in billed[:TOP_CAST]),
        runtime=int(runtime) if 0 < runtime < MAX_RUNTIME else None,
        original_language=_text(data.get("original_language")) or None,
        overview=_text(data.get("overview")),
        keywords=tuple(k["name"] for k in _named(_mapping(data.get("keywords")).get("keywords"))),
    )


def signals_from(data: dict[str, Any]) -> dict[str, Any]:
    """The ranking facts in a TMDB-shaped record, each only when usable.

    A rating needs votes behind it: with no votes TMDB reports 0, which means unknown.
    """
    signals: dict[str, Any] = {}
    popularity = _number(data.get("popularity"))
    if 0 < popularity <= MAX_POPULARITY:
        signals["popularity"] = round(popularity, 3)
    raw_votes = data.get("vote_count")
    votes = _number(raw_votes)
    # raw == votes only for a real number (not None, text or a bool)
    if (
        raw_votes is not True
        and raw_votes == votes
        and 0 <= votes <= MAX_VOTES
        and votes.is_integer()
    ):
        signals["vote_count"] = int(votes)
    rating = _number(data.get("vote_average"))
    if votes > 0 and 0 < rating <= 10:
        signals["vote_average"] = round(rating, 1)
    poster = _text(data.get("poster_path"))
    if poster.startswith("/") and len(poster) < 200:
        signals["poster_path"] = poster
    return signals


def _mapping(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _named(items: Any) -> list[dict[str, Any]]:
    """The entries of a TMDB list that are objects with a non-empty string `name`."""
    if not isinstance(items, list):
        return []
    return [
        i for i in items if isinstance(i, dict) and isinstance(i.get("name"), str) and i["name"]
    ]


def _text(value: Any) -> str:
    return value.strip() if isinstance(value, str) else ""


def _number(value: Any) -> float:
    """A finite number from TMDB, or 0 for anything else (None, text, NaN, infinity)."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return 0.0
    return float(value) if math.isfinite(value) else 0.0


def item_from_tmdb(movie_id: int, raw: dict[str, Any]) -> SourceItem:
    """A Movie from TMDB's answer, or Skipped saying why the answer is unusable."""
    try:
        return movie_from_tmdb(raw)
    except ValueError as exc:
        return Skipped(str(movie_id), f"TMDB's answer is malformed ({exc})")
