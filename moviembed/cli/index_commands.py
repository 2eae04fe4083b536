"""Commands that build, look at and change the index: build, count, inspect, remove,
export and import."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from moviembed.cli import build_options as opt
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

if TYPE_CHECKING:
    from moviembed.config import Settings
    from moviembed.index.pipeline import BuildOutcome
    from moviembed.sources.request import SourceRequest


def build(
    ctx: typer.Context,
    catalog: opt.Catalog = None,
    ids_file: opt.IdsFile = None,
    movie_ids: opt.MovieIds = None,
    tmdb_list: opt.ListName = None,
    limit: opt.Limit = None,
    min_popularity: opt.MinPopularity = None,
    include_adult: opt.IncludeAdult = False,
    changes: opt.Changes = False,
    since: opt.Since = None,
    tmdb_csv: opt.TmdbCsv = None,
    credits_csv: opt.CreditsCsv = None,
    refresh: opt.Refresh = False,
    offline: opt.Offline = False,
    rate: opt.Rate = None,
    batch_size: opt.BatchSize = None,
    device: opt.Device = None,
    prune: opt.Prune = False,
    yes: opt.Yes = False,
    no_wait: NoWaitOption = False,
    quiet: opt.Quiet = False,
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

    if prune and not yes and not sys.stdin.isatty():
        raise UsageError("--prune asks before removing movies; add --yes (no terminal to ask).")
    settings = load_settings(ctx, tmdb_rate=rate, batch_size=batch_size, device=device)
    request = opt.source_request(ctx.params)
    if settings.chroma_url:
        notice(f"writing to the Chroma server at {settings.chroma_url}; it orders the writes")
    outcome = _run_build(settings, request, prune=prune, yes=yes, wait=not no_wait, quiet=quiet)
    for note in outcome.notes:
        notice(note)
    render.print_build_outcome(outcome)
    if as_json:
        render.print_json(render.outcome_dict(outcome))
    if outcome.report.interrupted:
        raise typer.Exit(ExitCode.INTERRUPTED)
    if outcome.indexed_nothing:
        raise typer.Exit(ExitCode.FAILURE)


def _run_build(
    settings: Settings, request: SourceRequest, *, prune: bool, yes: bool, wait: bool, quiet: bool
) -> BuildOutcome:
    """The build with progress bars, Ctrl-C handling and the source's warnings on stderr."""
    from moviembed.cli import output as render
    from moviembed.cli.served import local_index

    warnings: list[str] = []
    with stop_on_interrupt() as should_stop, render.build_progress(quiet) as progress:
        outcome = local_index(settings).build(
            request,
            prune=prune,
            confirm_prune=lambda count, titles: yes or _confirm_prune(count, titles),
            wait=wait,
            progress=progress,
            should_stop=should_stop,
            on_wait=say,
            on_warning=warnings.append,
            on_step=(lambda step: None) if quiet else say,
        )
    warn_about(warnings)
    return outcome


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
    from moviembed.cli.served import local_index

    total = local_index(load_settings(ctx)).count()
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
    from moviembed.cli.served import local_index

    index = local_index(load_settings(ctx))
    if movie is None:
        render.print_index_info(index.info(), as_json)
    else:
        render.print_movie(index.movie(movie, include_embedding=True), as_json)


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
