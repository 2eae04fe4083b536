"""Commands that build, look at and change the index: build, count, inspect, remove,
export and import."""

from __future__ import annotations

import datetime as dt
import sys
from pathlib import Path
from typing import Annotated, Any

import typer

from moviembed.choices import TmdbList
from moviembed.cli.options import JsonOption, NoWaitOption
from moviembed.cli.support import (
    load_settings,
    notice,
    open_store,
    say,
    stop_on_interrupt,
    warn_about,
)
from moviembed.errors import ExitCode, ModelMismatchError, NotFoundError, UsageError
from moviembed.files import decode_text, read_limited
from moviembed.movie import MAX_MOVIE_ID

SOURCE_PANEL = "Source (default: the bundled catalog)"


def _source_option(*flags: str, help: str, **extra: Any) -> Any:
    """A build option that names where the movies come from, grouped in --help."""
    return typer.Option(*flags, help=help, rich_help_panel=SOURCE_PANEL, **extra)


def build(
    ctx: typer.Context,
    catalog: Annotated[
        Path | None,
        _source_option(
            "--catalog", help="A catalog file (JSON array or lines) in the bundled catalog's shape."
        ),
    ] = None,
    ids_file: Annotated[
        Path | None,
        _source_option(
            "--ids",
            help="TMDB ids to fetch: .txt (one per line), .csv (id, movie_id or tmdb_id "
            "column), .json, .pkl such as movie_ids.pkl, or TMDB's daily id export "
            "movie_ids_MM_DD_YYYY.json.gz; gzipped or not.",
        ),
    ] = None,
    movie_ids: Annotated[
        list[int] | None,
        _source_option(
            "--id", min=1, max=MAX_MOVIE_ID, help="A TMDB id to fetch; repeat for more."
        ),
    ] = None,
    tmdb_list: Annotated[
        TmdbList | None, _source_option("--tmdb-list", help="Take ids from one of TMDB's lists.")
    ] = None,
    limit: Annotated[
        int | None,
        _source_option(
            "--limit",
            min=1,
            help="How many ids to take: from --tmdb-list (default 100), or the most popular "
            "from an --ids export (the first ones of a plain list).",
            show_default=False,
        ),
    ] = None,
    min_popularity: Annotated[
        float | None,
        _source_option(
            "--min-popularity",
            min=0,
            help="With an --ids export: only movies at least this popular on TMDB.",
            show_default=False,
        ),
    ] = None,
    include_adult: Annotated[
        bool,
        _source_option(
            "--include-adult", help="With an --ids export: keep adult titles (left out by default)."
        ),
    ] = False,
    changes: Annotated[
        bool,
        _source_option(
            "--changes",
            help="Refresh the indexed movies TMDB changed since the last sync (or --since).",
        ),
    ] = False,
    since: Annotated[
        str | None,
        _source_option(
            "--since",
            metavar="YYYY-MM-DD",
            help="With --changes: the first day to ask TMDB about (needed the first time).",
            show_default=False,
        ),
    ] = None,
    tmdb_csv: Annotated[
        Path | None,
        _source_option(
            "--tmdb-csv",
            help="The TMDB 5000 dataset's tmdb_5000_movies.csv (or .csv.gz), indexed offline.",
        ),
    ] = None,
    credits_csv: Annotated[
        Path | None,
        _source_option(
            "--credits", help="tmdb_5000_credits.csv (or .csv.gz), for directors and cast."
        ),
    ] = None,
    refresh: Annotated[
        bool,
        typer.Option(
            "--refresh", help="Fetch from TMDB again even when cached.", rich_help_panel="TMDB"
        ),
    ] = False,
    offline: Annotated[
        bool,
        typer.Option("--offline", help="Use only cached TMDB responses.", rich_help_panel="TMDB"),
    ] = False,
    rate: Annotated[
        float | None,
        typer.Option(
            "--rate",
            help="Most TMDB requests per second, 0.1-1000 (env MOVIEMBED_TMDB_RATE).",
            show_default="20",
            rich_help_panel="TMDB",
        ),
    ] = None,
    batch_size: Annotated[
        int | None,
        typer.Option(
            "--batch-size",
            help="Texts per model call, 1-4096 (env MOVIEMBED_BATCH_SIZE).",
            show_default="32 on the CPU, 512 on CUDA, 128 on MPS",
        ),
    ] = None,
    device: Annotated[
        str | None,
        typer.Option(
            "--device",
            help="Encode on auto, cpu, cuda, cuda:N or mps (env MOVIEMBED_DEVICE); auto takes "
            "a GPU torch sees. Queries always use the CPU.",
            show_default="auto",
        ),
    ] = None,
    prune: Annotated[
        bool,
        typer.Option("--prune", help="Afterwards, remove stored movies the source no longer has."),
    ] = False,
    yes: Annotated[bool, typer.Option("--yes", "-y", help="Do not ask before pruning.")] = False,
    no_wait: NoWaitOption = False,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="No progress bars.")] = False,
    as_json: JsonOption = False,
) -> None:
    """Build or update the index; unchanged movies are not embedded again.

    Examples: moviembed build; moviembed build --ids movie_ids.pkl;
    moviembed build --tmdb-list top_rated --limit 250;
    moviembed build --ids movie_ids_11_27_2026.json.gz --limit 10000;
    moviembed build --changes;
    moviembed build --tmdb-csv tmdb_5000_movies.csv.gz --credits tmdb_5000_credits.csv.gz
    """
    from moviembed.cli import output as render
    from moviembed.index.pipeline import run_build
    from moviembed.sources.request import SourceRequest

    if prune and not yes and not sys.stdin.isatty():
        raise UsageError("--prune asks before removing movies; add --yes (no terminal to ask).")
    settings = load_settings(ctx, tmdb_rate=rate, batch_size=batch_size, device=device)
    request = SourceRequest(
        catalog=catalog,
        ids_file=ids_file,
        movie_ids=movie_ids or [],
        tmdb_list=tmdb_list.value if tmdb_list else None,
        limit=limit,
        min_popularity=min_popularity,
        include_adult=include_adult,
        changes=changes,
        since=_day(since, "--since") if since else None,
        tmdb_csv=tmdb_csv,
        credits_csv=credits_csv,
        refresh=refresh,
        offline=offline,
    )
    if settings.chroma_url:
        notice(f"writing to the Chroma server at {settings.chroma_url}; it orders the writes")
    warnings: list[str] = []
    with stop_on_interrupt() as should_stop, render.build_progress(quiet) as progress:
        outcome = run_build(
            request,
            settings=settings,
            prune=prune,
            confirm_prune=lambda count, titles: yes or _confirm_prune(count, titles),
            wait=not no_wait,
            progress=progress,
            should_stop=should_stop,
            on_wait=say,
            on_warning=warnings.append,
            on_step=(lambda step: None) if quiet else say,
        )
    warn_about(warnings)
    for note in outcome.notes:
        notice(note)
    render.print_build_outcome(outcome)
    if as_json:
        render.print_json(render.outcome_dict(outcome))
    if outcome.report.interrupted:
        raise typer.Exit(ExitCode.INTERRUPTED)
    if outcome.indexed_nothing:
        raise typer.Exit(ExitCode.FAILURE)


def _day(text: str, option: str) -> dt.date:
    """A calendar day written YYYY-MM-DD, as TMDB's change feed takes it."""
    try:
        day = dt.date.fromisoformat(text)
    except ValueError:
        day = None
    if day is None or len(text) != len("YYYY-MM-DD"):  # fromisoformat also takes 20261128
        raise UsageError(f"{option} takes a day as YYYY-MM-DD, not {text!r}.")
    return day


def _confirm_prune(count: int, titles: list[str]) -> bool:
    """Ask on the terminal before pruning; says so when the answer is no."""
    examples = ", ".join(titles) + (", …" if count > len(titles) else "")
    question = f"Remove {count} movies no longer in the source ({examples})?"
    if typer.confirm(question, default=False, err=True):
        return True
    say("Nothing pruned.")
    return False


def count(ctx: typer.Context, as_json: JsonOption = False) -> None:
    """Print how many movies the index holds.

    Example: moviembed count
    """
    total = open_store(load_settings(ctx)).count()
    typer.echo(f'{{"count": {total}}}' if as_json else total)


def inspect(
    ctx: typer.Context,
    movie: Annotated[
        str | None,
        typer.Argument(
            metavar="[ID|TITLE]",
            help="A stored movie's TMDB id or exact title.",
            show_default=False,
        ),
    ] = None,
    as_json: JsonOption = False,
) -> None:
    """Show the index (location, model, size), or one movie's document and embedding.

    Examples: moviembed inspect; moviembed inspect 603; moviembed inspect "Heat"
    """
    from moviembed.cli import output as render
    from moviembed.search.query import resolve_movie

    store = open_store(load_settings(ctx))
    if movie is None:
        render.print_index_info(store.info(), as_json)
    else:
        movie_id = resolve_movie(store, movie)
        render.print_movie(store.get_one(movie_id, include_embeddings=True), as_json)


def remove(
    ctx: typer.Context,
    movies: Annotated[
        list[str],
        typer.Argument(metavar="ID|TITLE...", help="TMDB ids or exact titles of stored movies."),
    ],
    no_wait: NoWaitOption = False,
) -> None:
    """Remove movies from the index (exit 1 if any was not there).

    Example: moviembed remove 550 "The Matrix"
    """
    from moviembed.index.pipeline import refresh_derived, writing
    from moviembed.search.query import ensure_not_empty, resolve_movie

    settings = load_settings(ctx)
    store = open_store(settings)
    ensure_not_empty(store)
    with writing(settings, wait=not no_wait, on_wait=say, command="moviembed remove"):
        ids, missing = [], []
        for movie in movies:
            try:
                ids.append(resolve_movie(store, movie))
            except NotFoundError:
                missing.append(movie)
        removed = store.delete(ids)
    if removed and (problem := refresh_derived(store, settings)):
        notice(problem)
    say(f"Removed {len(removed)} movie{'s' * (len(removed) != 1)}.")
    if missing:
        raise NotFoundError(f"Not in the index: {', '.join(missing)}.")


def export_index(
    ctx: typer.Context,
    file: Annotated[
        Path,
        typer.Argument(help="Where to write the JSON lines; - for stdout.", show_default=False),
    ],
) -> None:
    """Save every movie (id, document, metadata, embedding) to a JSON lines file.

    Example: moviembed export backup.jsonl
    """
    from moviembed.index import backup
    from moviembed.search.query import ensure_not_empty

    store = open_store(load_settings(ctx))
    ensure_not_empty(store)
    if str(file) == "-":
        total = backup.export_index(store, sys.stdout)
    else:
        total = backup.export_to_file(store, file)
    say(f"Exported {total} movies to {'stdout' if str(file) == '-' else file}.")


def import_index(
    ctx: typer.Context,
    file: Annotated[
        Path, typer.Argument(help="A `moviembed export` file; - for stdin.", show_default=False)
    ],
    no_wait: NoWaitOption = False,
) -> None:
    """Load movies from an export into the index, without embedding them again.

    Example: moviembed --db ./copy import backup.jsonl
    """
    from moviembed.embedding.embedder import canonical_model_name
    from moviembed.index import backup
    from moviembed.index.pipeline import refresh_derived, writing

    settings = load_settings(ctx)
    if str(file) != "-":
        movies = backup.read_export_file(file)
    elif sys.stdin.isatty():
        raise UsageError("import - reads an export from stdin: pipe one in, or name a file.")
    else:
        text = decode_text(read_limited(sys.stdin.buffer, "export on stdin"), Path("stdin"))
        movies = backup.read_export(text.splitlines(), source="stdin")
    if settings.model and canonical_model_name(settings.model) != movies.header.model:
        raise ModelMismatchError(
            f"The export holds vectors of {movies.header.model}, not of {settings.model}."
        )
    store = open_store(settings, model=movies.header.model)
    store.count()  # an index of another model refuses here, before anything is written
    with writing(settings, wait=not no_wait, on_wait=say, command="moviembed import"):
        total = backup.import_movies(store, movies)
    if problem := refresh_derived(store, settings):
        notice(problem)
    say(f"Imported {total} movies into {store.location}.")
