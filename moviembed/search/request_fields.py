"""What a request to the HTTP API or an MCP tool may say, declared once for both: the filter
fields (the CLI's filter options by their API names, with their limits) and movies named by
TMDB id or title (which `MovieIndex` resolves as the CLI does).

A library error names its field by the library's name (`genres`); `request_name` says it as
a request does (`genre`), so every face reports the field its caller wrote.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated

from pydantic import AfterValidator, BaseModel, Field

from moviembed.errors import MoviembedError, first_line
from moviembed.search.filters import Filters
from moviembed.search.query import MAX_QUERY_CHARS

MAX_MOVIES = 100  # most movies one list in a request may name
MAX_RESULTS = 100  # most results one request or tool call may ask for
QUERY_HELP = f"What the movie is about (at most {MAX_QUERY_CHARS:,} characters)."
MAX_GENRES = 10
# A library argument's name where a request's differs.
_REQUEST_NAMES = {"genres": "genre"}


def request_name(field: str) -> str:
    """The name a request gives the library argument `field`: `genres` -> `genre`."""
    return _REQUEST_NAMES.get(field, field)


def worded_line(exc: MoviembedError, name: Callable[[str], str] = request_name) -> str:
    """The first line of `exc`'s message, its field named as `name` says it."""
    lines = exc.worded(name).strip().splitlines()
    return lines[0] if lines else first_line(exc)


def _unicode(value: str) -> str:
    """Text a JSON body may spell with `\\ud800` escapes must still be Unicode, or the index
    would fail on it (and the error would blame the index)."""
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        raise ValueError("text holds a lone surrogate, which is not Unicode") from None
    return value


Text = Annotated[str, AfterValidator(_unicode)]  # a str field of a JSON body


class FilterFields(BaseModel):
    """Conditions every result must meet: the CLI's --genre, --year, ... options. The API
    reads them as query parameters (and in the recommend body), MCP tools as `filters`."""

    genre: list[Text] = Field(
        default_factory=list,
        max_length=MAX_GENRES,
        description="Only movies with all of these TMDB genres, e.g. Crime and Drama "
        "(a query parameter repeats for several).",
    )
    year: Text | int | None = Field(
        None, description="A year or range: 2010, 1990..1999, ..1980, 2010.., 1990s."
    )
    director: Text | None = Field(
        None, description="Only movies by this director (any case; a unique surname works)."
    )
    language: Text | None = Field(None, description="Original language, ISO 639-1, e.g. fr.")
    min_rating: float | None = Field(
        None, ge=0, le=10, description="Only movies TMDB users rate at least this (0-10)."
    )
    min_votes: int | None = Field(
        None, ge=0, description="Only movies with at least this many TMDB votes."
    )
    runtime: Text | int | None = Field(
        None, description="Length in minutes: 90..120, ..100, 150.. or 95."
    )

    def parsed(self) -> Filters:
        """The library's filters, checked as the CLI checks them (UsageError naming the field)."""
        return Filters.parse(
            self.genre,
            None if self.year is None else str(self.year),
            self.director,
            self.language,
            self.min_rating,
            self.min_votes,
            None if self.runtime is None else str(self.runtime),
        )


MovieRef = Annotated[
    int | Text,
    Field(description="A stored movie's TMDB id, or its title (any case), e.g. 'Heat (1995)'."),
]
MovieList = Annotated[list[MovieRef], Field(max_length=MAX_MOVIES)]
