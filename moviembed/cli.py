"""The `moviembed` command line: parse options, call the library, print the results."""

from __future__ import annotations

import dataclasses
import logging
import signal
import sys
import threading
import traceback
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from typer.core import TyperGroup

from . import __version__
from .choices import DEFAULT_MODE, MAX_LIMIT, OutputFormat, SearchMode, TmdbList
from .config import Settings
from .errors import EmbedderError, ExitCode, MoviembedError

if TYPE_CHECKING:
    from .embedder import Embedder
    from .filters import Filters
    from .store import EmbeddingStore

# Library modules are imported inside the commands that use them, so `--help`
# and `count` do not pay for rich tables, sqlite, onnxruntime or numpy.


@dataclass(frozen=True)
class CliState:
    """What the global options resolved to, shared with every command."""

    settings: Settings
    verbose: int


class _ReportingGroup(TyperGroup):
    """Turns library errors into one line on stderr and the error's exit code."""

    def invoke(self, ctx: Any) -> Any:
        try:
            return super().invoke(ctx)
        except MoviembedError as exc:
            if isinstance(ctx.obj, CliState) and ctx.obj.verbose:
                traceback.print_exc(file=sys.stderr)
            typer.echo(f"Error: {exc}", err=True)
            raise typer.Exit(exc.exit_code) from None


app = typer.Typer(
    cls=_ReportingGroup,
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_show_locals=False,
    context_settings={"help_option_names": ["-h", "--help"]},
    help="Turn a movie catalog into a semantic search index (MiniLM embeddings in ChromaDB).",
)


def _print_version(value: bool) -> None:
    if value:
        typer.echo(f"moviembed {__version__}")
        raise typer.Exit()


@app.callback()
def main_options(
    ctx: typer.Context,
    db: Annotated[
        Path | None,
        typer.Option("--db", envvar="MOVIEMBED_DB", help="Index folder.", show_default=False),
    ] = None,
    model: Annotated[
        str | None,
        typer.Option(
            "--model",
            envvar="MOVIEMBED_MODEL",
            help="Sentence-transformers model for a new index "
            "(default: the bundled all-MiniLM-L6-v2; an existing index keeps its own).",
            show_default=False,
        ),
    ] = None,
    env_file: Annotated[
        Path | None,
        typer.Option("--env-file", help="Read settings from this file instead of ./.env."),
    ] = None,
    verbose: Annotated[
        int,
        typer.Option(
            "--verbose",
            "-v",
            count=True,
            help="Log details and show tracebacks; -vv also logs libraries' debug messages.",
        ),
    ] = 0,
    version: Annotated[
        bool,
        typer.Option("--version", callback=_print_version, is_eager=True, help="Show version."),
    ] = False,
) -> None:
    """Turn a movie catalog into a semantic search index (MiniLM embeddings in ChromaDB)."""
    _configure_logging(verbose)
    ctx.obj = CliState(Settings.load(env_file=env_file, db_path=db, model=model), verbose)


def _settings(ctx: typer.Context) -> Settings:
    state: CliState = ctx.obj
    return state.settings


def _open_store(settings: Settings) -> EmbeddingStore:
    from .store import EmbeddingStore

    return EmbeddingStore(settings.db_path, settings.collection, model_name=settings.model)


JsonOption = Annotated[bool, typer.Option("--json", help="Print JSON for scripts.")]


@app.command()
def build(
    ctx: typer.Context,
    catalog: Annotated[
        Path | None,
        typer.Option(
            "--catalog",
            help="A catalog file (JSON array or lines) in the bundled catalog's shape.",
            rich_help_panel="Source (default: the bundled catalog)",
        ),
    ] = None,
    ids_file: Annotated[
        Path | None,
        typer.Option(
            "--ids",
            help="TMDB ids to fetch: .txt (one per line), .csv (id, movie_id or tmdb_id "
            "column), .json, or .pkl such as movie_ids.pkl.",
            rich_help_panel="Source (default: the bundled catalog)",
        ),
    ] = None,
    movie_ids: Annotated[
        list[int] | None,
        typer.Option(
            "--id",
            min=1,
            help="A TMDB id to fetch; repeat for more.",
            rich_help_panel="Source (default: the bundled catalog)",
        ),
    ] = None,
    tmdb_list: Annotated[
        TmdbList | None,
        typer.Option(
            "--tmdb-list",
            help="Take ids from one of TMDB's lists.",
            rich_help_panel="Source (default: the bundled catalog)",
        ),
    ] = None,
    limit: Annotated[
        int,
        typer.Option(
            "--limit",
            min=1,
            help="How many ids to take from --tmdb-list.",
            rich_help_panel="Source (default: the bundled catalog)",
        ),
    ] = 100,
    tmdb_csv: Annotated[
        Path | None,
        typer.Option(
            "--tmdb-csv",
            help="The TMDB 5000 dataset's tmdb_5000_movies.csv (or .csv.gz), indexed offline.",
            rich_help_panel="Source (default: the bundled catalog)",
        ),
    ] = None,
    credits_csv: Annotated[
        Path | None,
        typer.Option(
            "--credits",
            help="tmdb_5000_credits.csv (or .csv.gz), for directors and cast.",
            rich_help_panel="Source (default: the bundled catalog)",
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
            min=0.1,
            envvar="MOVIEMBED_TMDB_RATE",
            help="Most TMDB requests per second.",
            show_default="20",
            rich_help_panel="TMDB",
        ),
    ] = None,
    batch_size: Annotated[
        int | None,
        typer.Option(
            "--batch-size",
            min=1,
            envvar="MOVIEMBED_BATCH_SIZE",
            help="Texts per model call.",
            show_default="32",
        ),
    ] = None,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="No progress bars.")] = False,
    as_json: JsonOption = False,
) -> None:
    """Build or update the index; unchanged movies are not embedded again.

    Examples: moviembed build; moviembed build --ids movie_ids.pkl;
    moviembed build --tmdb-list top_rated --limit 250;
    moviembed build --tmdb-csv tmdb_5000_movies.csv.gz --credits tmdb_5000_credits.csv.gz
    """
    from . import render
    from .builder import build_index
    from .embedder import SentenceTransformerEmbedder
    from .keywords import KeywordIndex
    from .sources import SourceRequest, open_source

    settings = _settings(ctx)
    store = _open_store(settings)
    request = SourceRequest(
        catalog=catalog,
        ids_file=ids_file,
        movie_ids=movie_ids or [],
        tmdb_list=tmdb_list.value if tmdb_list else None,
        limit=limit,
        tmdb_csv=tmdb_csv,
        credits_csv=credits_csv,
        refresh=refresh,
        offline=offline,
    )
    if rate is not None:
        settings = dataclasses.replace(settings, tmdb_rate=rate)
    source = open_source(request, settings, store)
    _print_notes(source.notes)
    embedder = SentenceTransformerEmbedder(store.model_name, batch_size or settings.batch_size)
    with _stop_on_interrupt() as should_stop, render.build_progress(quiet) as progress:
        report = build_index(
            source.items,
            store=store,
            embedder=embedder,
            total=source.total,
            progress=progress,
            should_stop=should_stop,
        )
    if report.changed:
        KeywordIndex.for_store(store, settings.cache_dir).ensure_current(store)
    _prepare_fast_queries(store.model_name, settings.cache_dir)
    render.print_build_report(report)
    if as_json:
        render.print_json(render.report_dict(report))
    if report.interrupted:
        raise typer.Exit(ExitCode.INTERRUPTED)


def _print_notes(notes: list[str], shown: int = 10) -> None:
    from . import render

    for note in notes[:shown]:
        render.stderr.print(f"Warning: {note}", markup=False, highlight=False)
    if len(notes) > shown:
        render.stderr.print(f"Warning: … and {len(notes) - shown} more problems in the input.")


LimitOption = Annotated[
    int,
    typer.Option(
        "--limit",
        "-n",
        min=1,
        max=MAX_LIMIT,
        help=f"How many results (1-{MAX_LIMIT}).",
    ),
]
GenreOption = Annotated[
    list[str] | None,
    typer.Option(
        "--genre",
        "-g",
        help="Only movies with this genre; repeat to require several.",
        rich_help_panel="Filters",
        show_default=False,
    ),
]
YearOption = Annotated[
    str | None,
    typer.Option(
        "--year",
        help="A year or range: 2010, 1990..1999, ..1980, 2010.., 1990s.",
        rich_help_panel="Filters",
        show_default=False,
    ),
]
DirectorOption = Annotated[
    str | None,
    typer.Option(
        "--director",
        help="Only movies by this director (any case; a surname works if unique).",
        rich_help_panel="Filters",
        show_default=False,
    ),
]
LanguageOption = Annotated[
    str | None,
    typer.Option(
        "--language",
        help="Original language as an ISO 639-1 code, e.g. fr.",
        rich_help_panel="Filters",
        show_default=False,
    ),
]
FormatOption = Annotated[
    OutputFormat,
    typer.Option(
        "--format",
        help="table, json, or context (a numbered, prompt-ready block for RAG).",
    ),
]


@app.command()
def query(
    ctx: typer.Context,
    text: Annotated[str, typer.Argument(help="What the movie is about.", show_default=False)],
    limit: LimitOption = 10,
    genre: GenreOption = None,
    year: YearOption = None,
    director: DirectorOption = None,
    language: LanguageOption = None,
    mode: Annotated[
        SearchMode,
        typer.Option("--mode", help="hybrid: meaning plus exact words; dense: meaning only."),
    ] = DEFAULT_MODE,
    output: FormatOption = OutputFormat.table,
    as_json: JsonOption = False,
) -> None:
    """Find the movies closest to TEXT, in meaning and (hybrid mode) in words.

    Examples: moviembed query "dark thriller" -n 5;
    moviembed query "heist" --genre crime --year 1990s --format context
    """
    from . import render
    from .keywords import KeywordIndex
    from .search import search

    settings = _settings(ctx)
    filters = _filters(genre, year, director, language)
    store, embedder = _store_and_query_embedder(settings)
    hits = search(
        text,
        store=store,
        embedder=embedder,
        limit=limit,
        filters=filters,
        mode=mode,
        keywords=KeywordIndex.for_store(store, settings.cache_dir),
    )
    render.print_hits(hits, _format(output, as_json), heading=f"Movies for: {text}")
    _prepare_fast_queries(store.model_name, settings.cache_dir)


def _store_and_query_embedder(settings: Settings) -> tuple[EmbeddingStore, Embedder]:
    """Open the store while the query model loads in another thread.

    Both take a few hundred milliseconds and the model's session is created in
    native code, so overlapping them shortens every query; the model is guessed
    from the settings and reloaded in the rare case the index uses another.
    """
    from .embedder import canonical_model_name
    from .onnx_embedder import load_query_embedder

    guess = canonical_model_name(settings.model)
    with ThreadPoolExecutor(max_workers=1) as pool:
        pending = pool.submit(load_query_embedder, guess, settings.cache_dir, on_notice=_notice)
        store = _open_store(settings)
        model = store.model_name
        embedder = pending.result()
    if model != guess:
        embedder = load_query_embedder(model, settings.cache_dir, on_notice=_notice)
    return store, embedder


def _notice(message: str) -> None:
    from . import render

    render.stderr.print(f"Note: {message}", markup=False, highlight=False)


def _prepare_fast_queries(model_name: str, cache_dir: Path) -> None:
    """Export the model to ONNX once, so later queries start without torch."""
    from . import render
    from .onnx_embedder import ensure_onnx, has_onnx_export

    if has_onnx_export(model_name, cache_dir):
        return
    try:
        with render.stderr.status("Saving a fast query model (once per model)…"):
            ensure_onnx(model_name, cache_dir)
    except EmbedderError as exc:
        _notice(f"queries will keep using sentence-transformers (slower): {exc}")


@app.command()
def similar(
    ctx: typer.Context,
    movie: Annotated[
        str,
        typer.Argument(metavar="ID|TITLE", help="A stored movie's TMDB id or exact title."),
    ],
    limit: LimitOption = 10,
    genre: GenreOption = None,
    year: YearOption = None,
    director: DirectorOption = None,
    language: LanguageOption = None,
    output: FormatOption = OutputFormat.table,
    as_json: JsonOption = False,
) -> None:
    """Find the movies most like a stored one (itself excluded).

    Examples: moviembed similar 949; moviembed similar "the matrix" --year ..1999
    """
    from . import render
    from .search import similar as similar_movies

    filters = _filters(genre, year, director, language)
    store = _open_store(_settings(ctx))
    hits = similar_movies(movie, store=store, limit=limit, filters=filters)
    render.print_hits(hits, _format(output, as_json), heading=f"Movies like: {movie}")


def _format(output: OutputFormat, as_json: bool) -> OutputFormat:
    return OutputFormat.json if as_json else output


def _filters(
    genres: list[str] | None, year: str | None, director: str | None, language: str | None
) -> Filters:
    from .filters import Filters

    return Filters.parse(genres or [], year, director, language)


@app.command()
def count(ctx: typer.Context) -> None:
    """Print how many movies the index holds.

    Example: moviembed count
    """
    typer.echo(_open_store(_settings(ctx)).count())


@app.command()
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
    from . import render
    from .search import resolve_movie

    store = _open_store(_settings(ctx))
    if movie is None:
        render.print_index_info(store.info(), as_json)
    else:
        movie_id = resolve_movie(store, movie)
        render.print_movie(store.get_one(movie_id, include_embeddings=True), as_json)


@contextmanager
def _stop_on_interrupt() -> Iterator[Callable[[], bool]]:
    """First Ctrl-C asks the build to stop after its batch; a second one stops at once."""
    stop = threading.Event()

    def handle(signum: int, frame: object) -> None:
        if stop.is_set():
            raise KeyboardInterrupt
        stop.set()
        typer.echo("Stopping after the current batch (Ctrl-C again to quit now)…", err=True)

    if threading.current_thread() is not threading.main_thread():
        yield stop.is_set
        return
    previous = signal.signal(signal.SIGINT, handle)
    try:
        yield stop.is_set
    finally:
        signal.signal(signal.SIGINT, previous)


class _StderrHandler(logging.Handler):
    """Log lines on whatever `sys.stderr` is at the time (tests swap it per run)."""

    def emit(self, record: logging.LogRecord) -> None:
        try:
            sys.stderr.write(self.format(record) + "\n")
        except Exception:
            self.handleError(record)


def _configure_logging(verbose: int) -> None:
    """Warnings by default; -v: our debug and others' info; -vv: everyone's debug."""
    root = logging.getLogger()
    if not any(isinstance(handler, _StderrHandler) for handler in root.handlers):
        handler = _StderrHandler()
        handler.setFormatter(logging.Formatter("%(levelname)s %(name)s: %(message)s"))
        root.addHandler(handler)
    levels = {0: logging.WARNING, 1: logging.INFO}
    root.setLevel(levels.get(verbose, logging.DEBUG))
    logging.getLogger("moviembed").setLevel(logging.DEBUG if verbose else logging.WARNING)


def main() -> None:
    """Console-script entry point: run the app; Typer maps Ctrl-C to exit code 130."""
    app(prog_name="moviembed")
