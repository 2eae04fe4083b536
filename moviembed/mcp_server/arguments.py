"""The tools' argument types: the CLI's filters and limits, described for a model to fill in
(movies named by id or title: `search.request_fields`, shared with the HTTP API)."""

from __future__ import annotations

from typing import Annotated

from pydantic import ConfigDict, Field

from moviembed.choices import RankOrder, SearchMode
from moviembed.search.filters import Filters
from moviembed.search.request_fields import MAX_RESULTS, QUERY_HELP, FilterFields


class MovieFilters(FilterFields):
    """Conditions every result must meet (the CLI's --genre, --year, ... options, declared
    once in `FilterFields` for the tools and the HTTP API)."""

    model_config = ConfigDict(extra="forbid")


def parsed(filters: MovieFilters | None) -> Filters:
    return (filters or MovieFilters()).parsed()


Limit = Annotated[int, Field(ge=1, le=MAX_RESULTS, description="How many results.")]
QueryText = Annotated[str, Field(min_length=1, description=QUERY_HELP)]
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
