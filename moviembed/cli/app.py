"""The `moviembed` command line: parse options, call the library, print the results.

Library modules are imported inside the commands that use them, so `--help`
and `count` do not pay for rich tables, sqlite, onnxruntime or numpy.
"""

from __future__ import annotations

import dataclasses
import sys
import traceback
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from typer.core import TyperGroup

from moviembed import __version__
from moviembed.choices import DEFAULT_MODE, OutputFormat, SearchMode, TmdbList
from moviembed.cli.support import (
    DirectorOption,
    FormatOption,
    GenreOption,
    JsonOption,
    LanguageOption,
    LimitOption,
    NoWaitOption,
    YearOption,
    configure_logging,
    notice,
    prepare_fast_queries,
    refresh_keyword_index,
    say,
    stop_on_interrupt,
    warn_about,
    write_lock,
)
from moviembed.config import Settings
from moviembed.errors import (
    ExitCode,
    ModelMismatchError,
    MoviembedError,
    NotFoundError,
    UsageError,
    first_line,
)
from moviembed.files import decode_text

if TYPE_CHECKING:
    from moviembed.index.store import EmbeddingStore
    from moviembed.search.filters import Filters

SOURCE_PANEL = "Source (default: the bundled catalog)"


@dataclass
class CliState:
    """The global options, shared with every command; settings load on first use, so a
    bad value in .env does not stop `--help` from working."""

    options: dict[str, Any]
    verbose: int
    _settings: Settings | None = None

    @property
    def settings(self) -> Settings:
        if self._settings is None:
            self._settings = Settings.load(**self.options)
        return self._settings


class _ReportingGroup(TyperGroup):
    """Turns errors into one line on stderr and an exit code; tracebacks only with -v."""

    def invoke(self, ctx: Any) -> Any:
        try:
            return super().invoke(ctx)
        except MoviembedError as exc:
            self._report(ctx, str(exc))
            raise typer.Exit(exc.exit_code) from None
        except Exception as exc:
            if exc.__class__.__module__.startswith(("typer", "click")):
                raise  # Exit, Abort and usage errors keep Typer's own handling
            self._report(
                ctx,
                f"unexpected {exc.__class__.__name__}: {first_line(exc)}. This is a bug in "
                "moviembed; run again with --verbose and report the traceback.",
            )
            raise typer.Exit(ExitCode.FAILURE) from None

    @staticmethod
    def _report(ctx: Any, message: str) -> None:
        if isinstance(ctx.obj, CliState) and ctx.obj.verbose:
            traceback.print_exc(file=sys.stderr)
        say(f"Error: {message}")


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
        typer.Option(
            "--db",
            envvar="MOVIEMBED_DB",
            help="Index folder (default: the user data dir, e.g. ~/.local/share/moviembed/index).",
            show_default=False,
        ),
    ] = None,
    chroma_url: Annotated[
        str | None,
        typer.Option(
            "--chroma-url",
            envvar="MOVIEMBED_CHROMA_URL",
            help="Use the index on this Chroma server (http://host:port); --db is then unused.",
            show_default=False,
        ),
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
            show_default=False,
        ),
    ] = 0,
    version: Annotated[
        bool,
        typer.Option("--version", callback=_print_version, is_eager=True, help="Show version."),
    ] = False,
) -> None:
    """Turn a movie catalog into a semantic search index (MiniLM embeddings in ChromaDB)."""
    configure_logging(verbose)
    options = {"env_file": env_file, "db_path": db, "model": model, "chroma_url": chroma_url}
    ctx.obj = CliState(options, verbose)


def _settings(ctx: typer.Context) -> Settings:
    state: CliState = ctx.obj
    return state.settings


def _open_store(settings: Settings, model: str | None = None) -> EmbeddingStore:
    from moviembed.index.store import EmbeddingStore

    return EmbeddingStore.from_settings(settings, model_name=model)


@app.command()
def build(
    ctx: typer.Context,
    catalog: Annotated[
        Path | None,
        typer.Option(
            "--catalog",
            help="A catalog file (JSON array or lines) in the bundled catalog's shape.",
            rich_help_panel=SOURCE_PANEL,
        ),
    ] = None,
    ids_file: Annotated[
        Path | None,
        typer.Option(
            "--ids",
            help="TMDB ids to fetch: .txt (one per line), .csv (id, movie_id or tmdb_id "
            "column), .json, or .pkl such as movie_ids.pkl.",
            rich_help_panel=SOURCE_PANEL,
        ),
    ] = None,
    movie_ids: Annotated[
        list[int] | None,
        typer.Option(
            "--id", min=1, help="A TMDB id to fetch; repeat for more.", rich_help_panel=SOURCE_PANEL
        ),
    ] = None,
    tmdb_list: Annotated[
        TmdbList | None,
        typer.Option(
            "--tmdb-list", help="Take ids from one of TMDB's lists.", rich_help_panel=SOURCE_PANEL
        ),
    ] = None,
    limit: Annotated[
        int | None,
        typer.Option(
            "--limit",
            min=1,
            help="How many ids to take from --tmdb-list.",
            show_default="100",
            rich_help_panel=SOURCE_PANEL,
        ),
    ] = None,
    tmdb_csv: Annotated[
        Path | None,
        typer.Option(
            "--tmdb-csv",
            help="The TMDB 5000 dataset's tmdb_5000_movies.csv (or .csv.gz), indexed offline.",
            rich_help_panel=SOURCE_PANEL,
        ),
    ] = None,
    credits_csv: Annotated[
        Path | None,
        typer.Option(
            "--credits",
            help="tmdb_5000_credits.csv (or .csv.gz), for directors and cast.",
            rich_help_panel=SOURCE_PANEL,
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
    moviembed build --tmdb-csv tmdb_5000_movies.csv.gz --credits tmdb_5000_credits.csv.gz
    """
    from moviembed.cli import output as render
    from moviembed.embedding.embedder import SentenceTransformerEmbedder
    from moviembed.embedding.onnx_embedder import has_onnx_export
    from moviembed.index.builder import build_index
    from moviembed.sources.request import DEFAULT_LIST_LIMIT, SourceRequest, open_source

    if limit is not None and tmdb_list is None:
        raise UsageError("--limit goes with --tmdb-list.")
    if prune and not yes and not sys.stdin.isatty():
        raise UsageError("--prune asks before removing movies; add --yes (no terminal to ask).")
    settings = _settings(ctx)
    if rate is not None:
        settings = dataclasses.replace(settings, tmdb_rate=rate)
    store = _open_store(settings)
    request = SourceRequest(
        catalog=catalog,
        ids_file=ids_file,
        movie_ids=movie_ids or [],
        tmdb_list=tmdb_list.value if tmdb_list else None,
        limit=limit or DEFAULT_LIST_LIMIT,
        tmdb_csv=tmdb_csv,
        credits_csv=credits_csv,
        refresh=refresh,
        offline=offline,
    )
    with write_lock(settings, wait=not no_wait, command="moviembed build"):
        source = open_source(request, settings, store)
        warn_about(source.notes)
        embedder = SentenceTransformerEmbedder(store.model_name, batch_size or settings.batch_size)
        with stop_on_interrupt() as should_stop, render.build_progress(quiet) as progress:
            report = build_index(
                source.items,
                store=store,
                embedder=embedder,
                total=source.total,
                progress=progress,
                should_stop=should_stop,
            )
        pruned = _prune(store, report.seen_ids, yes) if prune and not report.interrupted else []
    render.print_build_report(report, pruned=len(pruned))
    if as_json:
        render.print_json(render.report_dict(report, pruned=len(pruned)))
    if report.interrupted:
        raise typer.Exit(ExitCode.INTERRUPTED)
    if report.changed or pruned:
        refresh_keyword_index(store, settings.cache_dir)
    if not has_onnx_export(store.model_name, settings.cache_dir):
        prepare_fast_queries(store.model_name, settings.cache_dir, quiet=quiet)
    if report.failed and not (report.added or report.updated or report.unchanged):
        raise typer.Exit(ExitCode.FAILURE)  # nothing could be indexed


def _prune(store: EmbeddingStore, seen_ids: set[str], yes: bool) -> list[str]:
    """Remove stored movies the source did not name, after asking unless `yes`."""
    stale = sorted(store.all_ids() - seen_ids, key=lambda id_: (len(id_), id_))
    if not stale:
        return []
    titles = [hit["metadata"].get("title", hit["id"]) for hit in store.get_by_ids(stale[:3])]
    examples = ", ".join(titles) + (", …" if len(stale) > 3 else "")
    question = f"Remove {len(stale)} movies no longer in the source ({examples})?"
    if not yes and not typer.confirm(question, default=False, err=True):
        say("Nothing pruned.")
        return []
    return store.delete(stale)


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
    from moviembed.cli import output as render
    from moviembed.embedding.onnx_embedder import OnnxEmbedder, start_loading_query_embedder
    from moviembed.index.keywords import KeywordIndex
    from moviembed.search.query import check_query, search

    check_query(text, limit)
    output = _format(output, as_json)
    settings = _settings(ctx)
    filters = _filters(genre, year, director, language)
    embedder_for = start_loading_query_embedder(
        settings.model, settings.cache_dir, on_notice=notice
    )
    store = _open_store(settings)
    embedder = embedder_for(store.model_name)
    hits = search(
        text,
        store=store,
        embedder=embedder,
        limit=limit,
        filters=filters,
        mode=mode,
        keywords=KeywordIndex.for_store(store, settings.cache_dir),
    )
    render.print_hits(hits, output, heading=f"Movies for: {text}")
    if not isinstance(embedder, OnnxEmbedder):  # the export is missing or damaged: redo it
        prepare_fast_queries(store.model_name, settings.cache_dir)


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
    from moviembed.cli import output as render
    from moviembed.search.query import similar as similar_movies

    output = _format(output, as_json)
    filters = _filters(genre, year, director, language)
    store = _open_store(_settings(ctx))
    hits = similar_movies(movie, store=store, limit=limit, filters=filters)
    render.print_hits(hits, output, heading=f"Movies like: {movie}")


def _format(output: OutputFormat, as_json: bool) -> OutputFormat:
    if as_json and output not in (OutputFormat.table, OutputFormat.json):
        raise UsageError(f"--json and --format {output.value} ask for different output.")
    return OutputFormat.json if as_json else output


def _filters(
    genres: list[str] | None, year: str | None, director: str | None, language: str | None
) -> Filters:
    from moviembed.search.filters import Filters

    return Filters.parse(genres or [], year, director, language)


@app.command()
def count(ctx: typer.Context, as_json: JsonOption = False) -> None:
    """Print how many movies the index holds.

    Example: moviembed count
    """
    total = _open_store(_settings(ctx)).count()
    typer.echo(f'{{"count": {total}}}' if as_json else total)


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
    from moviembed.cli import output as render
    from moviembed.search.query import resolve_movie

    store = _open_store(_settings(ctx))
    if movie is None:
        render.print_index_info(store.info(), as_json)
    else:
        movie_id = resolve_movie(store, movie)
        render.print_movie(store.get_one(movie_id, include_embeddings=True), as_json)


@app.command()
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
    from moviembed.search.query import ensure_not_empty, resolve_movie

    settings = _settings(ctx)
    store = _open_store(settings)
    ensure_not_empty(store)
    with write_lock(settings, wait=not no_wait, command="moviembed remove"):
        ids, missing = [], []
        for movie in movies:
            try:
                ids.append(resolve_movie(store, movie))
            except NotFoundError:
                missing.append(movie)
        removed = store.delete(ids)
    if removed:
        refresh_keyword_index(store, settings.cache_dir)
    say(f"Removed {len(removed)} movie{'s' * (len(removed) != 1)}.")
    if missing:
        raise NotFoundError(f"Not in the index: {', '.join(missing)}.")


@app.command(name="export")
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

    store = _open_store(_settings(ctx))
    ensure_not_empty(store)
    if str(file) == "-":
        count = backup.export_index(store, sys.stdout)
    else:
        count = backup.export_to_file(store, file)
    say(f"Exported {count} movies to {'stdout' if str(file) == '-' else file}.")


@app.command(name="import")
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

    settings = _settings(ctx)
    if str(file) != "-":
        movies = backup.read_export_file(file)
    elif sys.stdin.isatty():
        raise UsageError("import - reads an export from stdin: pipe one in, or name a file.")
    else:
        text = decode_text(sys.stdin.buffer.read(), Path("stdin"))
        movies = backup.read_export(text.splitlines(), source="stdin")
    if settings.model and canonical_model_name(settings.model) != movies.header.model:
        raise ModelMismatchError(
            f"The export holds vectors of {movies.header.model}, not of {settings.model}."
        )
    store = _open_store(settings, model=movies.header.model)
    store.count()  # an index of another model refuses here, before anything is written
    with write_lock(settings, wait=not no_wait, command="moviembed import"):
        count = backup.import_movies(store, movies)
    refresh_keyword_index(store, settings.cache_dir)
    say(f"Imported {count} movies into {store.location}.")


@app.command()
def serve(
    ctx: typer.Context,
    host: Annotated[
        str, typer.Option("--host", help="Address to listen on; 0.0.0.0 for every interface.")
    ] = "127.0.0.1",
    port: Annotated[int, typer.Option("--port", min=1, max=65535, help="TCP port.")] = 8000,
    token: Annotated[
        str | None,
        typer.Option(
            "--token",
            help="Require `Authorization: Bearer TOKEN` on /api (or MOVIEMBED_SERVE_TOKEN).",
            show_default=False,
        ),
    ] = None,
    cors: Annotated[
        list[str] | None,
        typer.Option(
            "--cors",
            metavar="ORIGIN",
            help="Let pages from this origin call the API (e.g. http://localhost:3000); repeat.",
            show_default=False,
        ),
    ] = None,
) -> None:
    """Serve search over HTTP: a JSON API under /api and a web page at /. Read-only.

    Examples: moviembed serve; moviembed serve --port 8080 --token "$(openssl rand -hex 16)"
    """
    import uvicorn

    from moviembed.serve import create_app
    from moviembed.serve.security import check_origin
    from moviembed.serve.service import IndexService

    settings = _settings(ctx)
    if token is not None:
        settings = dataclasses.replace(settings, serve_token=token)
    origins = [check_origin(origin) for origin in cors or []]
    if not settings.serve_token and host not in ("127.0.0.1", "localhost", "::1"):
        notice(f"serving on {host} without a token: anyone who can reach it can search.")
    service = IndexService.open(settings)
    verbose = ctx.obj.verbose
    say(f"Serving {service.location} on http://{host}:{port}/ (Ctrl-C to stop).")
    uvicorn.run(
        create_app(settings, cors_origins=origins, service=service),
        host=host,
        port=port,
        log_level="info" if verbose else "warning",
        access_log=bool(verbose),
        server_header=False,
    )


def main() -> None:
    """Console-script entry point: run the app; Typer maps Ctrl-C to exit code 130."""
    app(prog_name="moviembed")
