"""The options of `moviembed build`, each spelled and explained once, and how they become a
`SourceRequest`.

A source option's parameter name is its `SourceRequest` field (the name errors use), so
`source_request` gathers them without a list of its own: a new source adds its option
here and its class in `sources.kinds`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import fields
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from moviembed.choices import TmdbList
from moviembed.config import BATCH_SIZES, default, setting_help
from moviembed.errors import UsageError
from moviembed.movie import MAX_MOVIE_ID

if TYPE_CHECKING:
    from moviembed.sources.request import SourceRequest

SOURCE_PANEL = "Source (default: the bundled catalog)"


def _source_option(*flags: str, help: str, **extra: Any) -> Any:
    """A build option that names where the movies come from, grouped in --help."""
    return typer.Option(*flags, help=help, rich_help_panel=SOURCE_PANEL, **extra)


def _tmdb_option(flag: str, help: str, **extra: Any) -> Any:
    """An option about how TMDB is asked, grouped under "TMDB" in --help."""
    return typer.Option(flag, help=help, rich_help_panel="TMDB", **extra)


Catalog = Annotated[
    Path | None,
    _source_option(
        "--catalog", help="A catalog file (JSON array or lines) in the bundled catalog's shape."
    ),
]
IdsFile = Annotated[
    Path | None,
    _source_option(
        "--ids",
        help="TMDB ids to fetch: .txt (one per line), .csv (id, movie_id or tmdb_id "
        "column), .json, .pkl such as movie_ids.pkl, or TMDB's daily id export "
        "movie_ids_MM_DD_YYYY.json.gz; gzipped or not.",
    ),
]
MovieIds = Annotated[
    list[int] | None,
    _source_option("--id", min=1, max=MAX_MOVIE_ID, help="A TMDB id to fetch; repeat for more."),
]
ListName = Annotated[
    TmdbList | None, _source_option("--tmdb-list", help="Take ids from one of TMDB's lists.")
]
Changes = Annotated[
    bool,
    _source_option(
        "--changes",
        help="Refresh the indexed movies TMDB changed since the last sync (or --since).",
    ),
]
TmdbCsv = Annotated[
    Path | None,
    _source_option(
        "--tmdb-csv",
        help="The TMDB 5000 dataset's tmdb_5000_movies.csv (or .csv.gz), indexed offline.",
    ),
]
Limit = Annotated[
    int | None,
    _source_option(
        "--limit",
        min=1,
        help="How many ids to take: from --tmdb-list (default 100), or the most popular "
        "from an --ids export (the first ones of a plain list).",
        show_default=False,
    ),
]
MinPopularity = Annotated[
    float | None,
    _source_option(
        "--min-popularity",
        min=0,
        help="With an --ids export: only movies at least this popular on TMDB.",
        show_default=False,
    ),
]
IncludeAdult = Annotated[
    bool,
    _source_option(
        "--include-adult", help="With an --ids export: keep adult titles (left out by default)."
    ),
]
Since = Annotated[
    str | None,
    _source_option(
        "--since",
        metavar="YYYY-MM-DD",
        help="With --changes: the first day to ask TMDB about (needed the first time).",
        show_default=False,
    ),
]
CreditsCsv = Annotated[
    Path | None,
    _source_option("--credits", help="tmdb_5000_credits.csv (or .csv.gz), for directors and cast."),
]
Refresh = Annotated[bool, _tmdb_option("--refresh", "Fetch from TMDB again even when cached.")]
Offline = Annotated[bool, _tmdb_option("--offline", "Use only cached TMDB responses.")]
Rate = Annotated[
    float | None,
    _tmdb_option("--rate", setting_help("tmdb_rate"), show_default=f"{default('tmdb_rate'):g}"),
]
BatchSize = Annotated[
    int | None,
    typer.Option(
        "--batch-size",
        help=setting_help("batch_size"),
        show_default="{cpu} on the CPU, {cuda} on CUDA, {mps} on MPS".format(**BATCH_SIZES),
    ),
]
Device = Annotated[
    str | None,
    typer.Option(
        "--device",
        help=setting_help("device") + " Auto takes a GPU torch sees; queries always use the CPU.",
        show_default=default("device"),
    ),
]
Prune = Annotated[
    bool,
    typer.Option("--prune", help="Afterwards, remove stored movies the source no longer has."),
]
Yes = Annotated[bool, typer.Option("--yes", "-y", help="Do not ask before pruning.")]
Quiet = Annotated[bool, typer.Option("--quiet", "-q", help="No progress bars.")]


def source_request(params: Mapping[str, Any]) -> SourceRequest:
    """The `SourceRequest` a build's parameters name: each field from the parameter of the
    same name, a TMDB list by its name and `since` as a day."""
    from moviembed.sources.request import SourceRequest

    values = {item.name: params[item.name] for item in fields(SourceRequest)}
    values["movie_ids"] = values["movie_ids"] or ()
    if values["tmdb_list"] is not None:
        values["tmdb_list"] = values["tmdb_list"].value
    if values["since"] is not None:
        values["since"] = day(values["since"], "since")
    return SourceRequest(**values)


def day(text: str, field: str) -> dt.date:
    """A calendar day written YYYY-MM-DD, as TMDB's change feed takes it."""
    try:
        parsed = dt.date.fromisoformat(text)
    except ValueError:
        parsed = None
    if parsed is None or len(text) != len("YYYY-MM-DD"):  # fromisoformat also takes 20261128
        raise UsageError(f"{{field}} takes a day as YYYY-MM-DD, not {text!r}.", field=field)
    return parsed
