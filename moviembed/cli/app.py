"""The `moviembed` command line: the Typer app, its global options and its one error boundary.

The commands live in `index_commands` and `search_commands`; library modules are
imported inside them, so `--help` and `count` do not pay for rich tables, sqlite,
onnxruntime or numpy.
"""

from __future__ import annotations

import sys
import traceback
from pathlib import Path
from typing import Annotated, Any

import typer
from typer.core import TyperGroup

from moviembed import __version__
from moviembed.cli import index_commands, search_commands, serve_command
from moviembed.cli.support import CliState, configure_logging, say
from moviembed.errors import ExitCode, MoviembedError, first_line


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
            help="Index folder (env MOVIEMBED_DB; default: the user data dir, "
            "e.g. ~/.local/share/moviembed/index).",
            show_default=False,
        ),
    ] = None,
    chroma_url: Annotated[
        str | None,
        typer.Option(
            "--chroma-url",
            help="Use the index on this Chroma server, http://host:port "
            "(env MOVIEMBED_CHROMA_URL); --db is then unused.",
            show_default=False,
        ),
    ] = None,
    model: Annotated[
        str | None,
        typer.Option(
            "--model",
            help="Sentence-transformers model for a new index (env MOVIEMBED_MODEL; "
            "default: the bundled all-MiniLM-L6-v2; an existing index keeps its own).",
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


app.command()(index_commands.build)
app.command()(search_commands.query)
app.command()(search_commands.similar)
app.command()(index_commands.count)
app.command()(index_commands.inspect)
app.command()(index_commands.remove)
app.command(name="export")(index_commands.export_index)
app.command(name="import")(index_commands.import_index)
app.command()(serve_command.serve)


def main() -> None:
    """Console-script entry point: run the app; Typer maps Ctrl-C to exit code 130."""
    app(prog_name="moviembed")
