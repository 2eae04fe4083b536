"""The tools' argument types: the CLI's filters and limits, described for a model to fill in."""

from __future__ import annotations

from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field

from moviembed.choices import RankOrder, SearchMode
from moviembed.search.filters import Filters

MAX_RESULTS = 100  # most results one call may ask for, as in `moviembed serve`
MAX_MOVIES = 100  # most movies one list may name


class MovieFilters(BaseModel):
    """Conditions every result must meet (the CLI's --genre, --year, ... options)."""

    model_config = ConfigDict(extra="forbid")

    genre: list[str] = Field(
        default_factory=list,
        max_length=10,
        description="Only movies with all of these TMDB genres, e.g. ['Crime', 'Drama'].",
    )
    year: str | int | None = Field(
        None, description="A year or range: 2010, '1990..1999', '..1980', '2010..', '1990s'."
    )
    director: str | None = Field(
        None, description="Only movies by this director (a unique surname works)."
    )
    language: str | None = Field(None, description="Original language, ISO 639-1, e.g. 'fr'.")
    min_rating: float | None = Field(
        None, ge=0, le=10, description="Only movies TMDB users rate at least this (0-10)."
    )
    min_votes: int | None = Field(
        None, ge=0, description="Only movies with at least this many TMDB votes."
    )
    runtime: str | int | None = Field(
        None, description="Minutes: '90..120', '..100', '150..' or 95."
    )

    def parsed(self) -> Filters:
        """The library's filters, checked as the CLI checks them (UsageError if bad)."""
        return Filters.parse(
            self.genre,
            None if self.year is None else str(self.year),
            self.director,
            self.language,
            self.min_rating,
            self.min_votes,
            None if self.runtime is None else str(self.runtime),
        )


def parsed(filters: MovieFilters | None) -> Filters:
    return (filters or MovieFilters()).parsed()


MovieRef = Annotated[
    int | str, Field(description="A stored movie's TMDB id, or its exact title (any case).")
]
MovieList = Annotated[list[int | str], Field(max_length=MAX_MOVIES)]
Limit = Annotated[int, Field(ge=1, le=MAX_RESULTS, description="How many results.")]
QueryText = Annotated[
    str, Field(min_length=1, description="What the movie is about (at most 2,000 characters).")
]
FilterArg = Annotated[MovieFilters | None, Field(description="Optional conditions.")]
Mode = Annotated[
    SearchMode, Field(description="hybrid: meaning plus exact words; dense: meaning only.")
]
Rank = Annotated[
    RankOrder,
    Field(description="relevance, or the best matches re-sorted by popularity, rating or year."),
]
Literal = Annotated[
    bool, Field(description="Take the words as written: no understood language, genres, people.")
]
