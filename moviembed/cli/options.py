"""Option types the commands share, so each flag is spelled and explained once."""

from __future__ import annotations

import functools
import inspect
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, TypeVar

import typer

from moviembed.choices import MAX_LIMIT, OutputFormat, RankOrder, RecommendMethod

if TYPE_CHECKING:
    from moviembed.search.filters import Filters

_F = TypeVar("_F", bound=Callable[..., Any])

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
# The filter options by the names `search.answer` takes them, in the order `Filters.parse` does.
FILTER_OPTIONS: dict[str, Any] = {
    "genre": GenreOption,
    "year": YearOption,
    "director": DirectorOption,
    "language": LanguageOption,
    "min_rating": MinRatingOption,
    "min_votes": MinVotesOption,
    "runtime": RuntimeOption,
}


def filter_options(command: _F) -> _F:
    """`command` with every filter option, after its --limit: query, similar and recommend
    take the same filters, declared once here. The values are checked before the command
    runs (a bad --year fails before the index opens) and stay in `ctx.params`, where the
    command's options travel from."""
    signature = inspect.signature(command, eval_str=True)  # as Typer reads a plain command
    params = list(signature.parameters.values())
    after = [param.name for param in params].index("limit") + 1
    added = [
        inspect.Parameter(name, inspect.Parameter.KEYWORD_ONLY, default=None, annotation=kind)
        for name, kind in FILTER_OPTIONS.items()
    ]

    @functools.wraps(command)
    def checked(*args: Any, **options: Any) -> Any:
        filters_of({name: options.pop(name) for name in FILTER_OPTIONS})
        return command(*args, **options)

    ordered = [*params[:after], *added, *params[after:]]
    keyword = [param.replace(kind=inspect.Parameter.KEYWORD_ONLY) for param in ordered]
    checked.__signature__ = signature.replace(parameters=keyword)  # type: ignore[attr-defined]
    checked.__annotations__ = {param.name: param.annotation for param in ordered}
    return checked  # type: ignore[return-value]


def filters_of(options: Mapping[str, Any]) -> Filters:
    """The filter options among a command's `options` as one `Filters` (checked: unknown
    genres, bad years and ranges are a UsageError naming the flag)."""
    from moviembed.search.filters import Filters

    genres, *others = (options.get(name) for name in FILTER_OPTIONS)
    return Filters.parse(genres or [], *others)


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

# recommend's own: the taste.
LikedArgument = Annotated[
    list[str] | None,
    typer.Argument(
        metavar="[LIKED]...",
        help="Movies the person liked: TMDB ids or exact titles (or give --ratings).",
        show_default=False,
    ),
]
SeenOption = Annotated[
    Path | None,
    typer.Option(
        "--seen",
        help="Ids already seen, never recommended: .txt, .csv, .json or .pkl, as build --ids.",
        show_default=False,
    ),
]
RatingsOption = Annotated[
    Path | None,
    typer.Option(
        "--ratings",
        help="A Letterboxd export (.zip or CSV), IMDb ratings.csv, or a CSV of titles/ids "
        "with ratings: high ones liked, low ones not, all seen. See docs/recommend.md.",
        show_default=False,
    ),
]
MethodOption = Annotated[
    RecommendMethod,
    typer.Option("--method", help="How liked movies combine; see docs/recommend.md."),
]
