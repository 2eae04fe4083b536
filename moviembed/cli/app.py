"""The `moviembed` command line: the Typer app, its global options and its one error boundary.

The commands live in `index_commands` and `search_commands`; library modules are
imported inside them, so `--help` and `count` do not pay for rich tables, sqlite,
onnxruntime or numpy.
"""

from __future__ import annotations

import errno
import os
import sys
import traceback
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated, Any

import typer
from typer.core import TyperGroup

from moviembed import __version__
from moviembed.cli import index_commands, mcp_command, search_commands, serve_command
from moviembed.cli.support import CliState, cli_flag, configure_logging, say
from moviembed.errors import ExitCode, MoviembedError, first_line

# Writing the output failed for a reason the user can act on (a full disk, /dev/full).
_OUTPUT_ERRNOS = frozenset({errno.ENOSPC, errno.EIO, errno.EFBIG, errno.EDQUOT, errno.EBADF})


class _ReportingGroup(TyperGroup):
    """Turns errors into one line on stderr and an exit code; tracebacks only with -v.

    Usage errors (a bad option value, a missing argument) get the same one line instead
    of Click's usage box; a closed stdout (`| head`) ends the command quietly, as it ends
    `cat`, with exit code 141.
    """

    def make_context(self, info_name: str | None, args: list[str], **extra: Any) -> Any:
        with _one_line_usage_errors():
            return super().make_context(info_name, args, **extra)

    def invoke(self, ctx: Any) -> Any:
        try:
            with _one_line_usage_errors():
                result = super().invoke(ctx)
                sys.stdout.flush()
                return result
        except MoviembedError as exc:
            self._report(ctx, exc.worded(cli_flag))
            raise typer.Exit(exc.exit_code) from None
        except BrokenPipeError:
            _discard_stdout()
            raise typer.Exit(ExitCode.BROKEN_PIPE) from None
        except OSError as exc:
            if exc.errno not in _OUTPUT_ERRNOS or exc.filename is not None:
                self._report_bug(ctx, exc)
            _discard_stdout()  # else the interpreter's last flush fails once more, in its words
            self._report(ctx, f"Cannot write the output: {exc.strerror or exc}.")
            raise typer.Exit(ExitCode.FAILURE) from None
        except Exception as exc:
            if exc.__class__.__module__.startswith(("typer", "click")):
                raise  # Exit and Abort keep Typer's own handling
            self._report_bug(ctx, exc)

    def _report_bug(self, ctx: Any, exc: Exception) -> None:
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


@contextmanager
def _one_line_usage_errors() -> Iterator[None]:
    """Click's usage errors as `Error: ... See 'moviembed CMD --help'.` and exit code 2.

    Typer bundles its own Click and makes public only `TyperException`, the base of its
    errors: a usage error is one with exit code 2. The help that `moviembed` alone shows is
    one too, and keeps Typer's handling (known by its class name, as Typer knows it)."""
    try:
        yield
    except typer.TyperException as exc:
        if exc.exit_code != ExitCode.USAGE or type(exc).__name__ == "NoArgsIsHelpError":
            raise
        ctx = getattr(exc, "ctx", None)
        names = ctx.command_path.split()[1:] if ctx else []
        command = " ".join(["moviembed", *names])  # whatever name the program runs under
        message = " ".join(exc.format_message().split()).rstrip(".")
        message = message.replace(": Value error, ", ": ")  # pydantic's words, via Typer
        say(f"Error: {message}. See '{command} --help'.")
        raise typer.Exit(ExitCode.USAGE) from None


def _discard_stdout() -> None:
    """Point stdout at /dev/null so the interpreter's last flush finds no broken pipe."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        os.close(devnull)
    except (OSError, ValueError):  # stdout is not a file (a test's buffer)
        pass


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
        str | None,  # not a Path, which would read "" as "."
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
            "default: the bundled all-MiniLM-L6-v2; `mpnet`: all-mpnet-base-v2, better "
            "but ~5x slower to build; an existing index keeps its own).",
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
app.command()(search_commands.recommend)
app.command()(index_commands.count)
app.command()(index_commands.inspect)
app.command()(index_commands.remove)
app.command(name="export")(index_commands.export_index)
app.command(name="import")(index_commands.import_index)
app.command()(serve_command.serve)
app.command()(mcp_command.mcp)


def main() -> None:
    """Console-script entry point: run the app; Typer maps Ctrl-C to exit code 130. Output
    that fails before a command runs (`--help`, `--version` into a full disk) is one line."""
    try:
        app(prog_name="moviembed")
    except OSError as exc:
        if exc.errno not in _OUTPUT_ERRNOS:
            raise
        _discard_stdout()
        say(f"Error: Cannot write the output: {exc.strerror or exc}.")
        sys.exit(ExitCode.FAILURE)
