"""Option types the commands share, so each flag is spelled and explained once."""

from __future__ import annotations

from typing import Annotated, Any

import typer

from moviembed.choices import MAX_LIMIT, OutputFormat, RankOrder

JsonOption = Annotated[bool, typer.Option("--json", help="Print JSON for scripts.")]
NoWaitOption = Annotated[
    bool,
    typer.Option(
        "--no-wait", help="If another process is writing to the index, exit at once instead."
    ),
]
LimitOption = Annotated[
    int,
    typer.Option("--limit", "-n", min=1, max=MAX_LIMIT, help=f"How many results (1-{MAX_LIMIT})."),
]


def _filter_option(*flags: str, help: str) -> Any:
    """A query filter option: listed under "Filters" in --help, no default shown."""
    return typer.Option(*flags, help=help, rich_help_panel="Filters", show_default=False)


GenreOption = Annotated[
    list[str] | None,
    _filter_option("--genre", "-g", help="Only movies with this genre; repeat to require several."),
]
YearOption = Annotated[
    str | None,
    _filter_option("--year", help="A year or range: 2010, 1990..1999, ..1980, 2010.., 1990s."),
]
DirectorOption = Annotated[
    str | None,
    _filter_option(
        "--director", help="Only movies by this director (any case; a surname works if unique)."
    ),
]
LanguageOption = Annotated[
    str | None,
    _filter_option("--language", help="Original language as an ISO 639-1 code, e.g. fr."),
]
MinRatingOption = Annotated[
    float | None,
    _filter_option("--min-rating", help="Only movies TMDB users rate at least this (0-10)."),
]
MinVotesOption = Annotated[
    int | None,
    _filter_option("--min-votes", help="Only movies with at least this many TMDB votes."),
]
RuntimeOption = Annotated[
    str | None,
    _filter_option("--runtime", help="Length in minutes: 90..120, ..100, 150.. or 95."),
]
RankOption = Annotated[
    RankOrder,
    typer.Option(
        "--rank",
        help="relevance, or the 50 best matches re-sorted by popularity, rating or year.",
    ),
]
ExplainOption = Annotated[
    bool,
    typer.Option(
        "--explain",
        help="Show what ranked each movie: its ranks, title match, keyword and prior shares.",
    ),
]
FormatOption = Annotated[
    OutputFormat,
    typer.Option("--format", help="table, json, or context (a numbered, prompt-ready block)."),
]
LiteralOption = Annotated[
    bool,
    typer.Option(
        "--literal",
        help="Take the words as written: no understood language, years, genres, people...",
    ),
]
LocalOption = Annotated[
    bool,
    typer.Option(
        "--local",
        help="Search the index here even when a running `moviembed serve` could answer.",
    ),
]
