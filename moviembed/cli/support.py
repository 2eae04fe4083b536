"""What the CLI's commands share: settings, messages on stderr, Ctrl-C, logging.

Kept apart from the command modules so they read as parse, call, print. Nothing
here is needed by the library.
"""

from __future__ import annotations

import logging
import signal
import sys
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import typer

if TYPE_CHECKING:
    from moviembed.config import Settings
    from moviembed.index.store import EmbeddingStore


@dataclass
class CliState:
    """The global options, shared with every command. Each command loads the settings
    with its own flags, so a bad value in .env never stops `--help`."""

    options: dict[str, Any]
    verbose: int


# The library's names whose flag is not `--` + the name with `-` for `_` (the library names
# it in the plural, or the command line says it shorter).
_FLAGS = {
    "db_path": "--db",
    "genres": "--genre",
    "disliked": "--not",
    "tmdb_rate": "--rate",
    "serve_token": "--token",
    "ids_file": "--ids",
    "movie_ids": "--id",
    "credits_csv": "--credits",
}


def cli_flag(field: str) -> str:
    """The command line's spelling of a library argument named in an error: `--min-rating`
    for `min_rating`."""
    return _FLAGS.get(field) or "--" + field.replace("_", "-")


def load_settings(ctx: typer.Context, **flags: Any) -> Settings:
    """The settings for this run: the global options plus a command's own `flags`
    (None for a flag not given), validated together with the environment and `.env`."""
    from moviembed.config import Settings

    state: CliState = ctx.obj
    return Settings.load(**state.options, **flags)


def open_store(settings: Settings, model: str | None = None) -> EmbeddingStore:
    """The index the settings name (nothing is opened until first use)."""
    from moviembed.index.store import EmbeddingStore

    return EmbeddingStore.from_settings(settings, model_name=model)


def say(message: str) -> None:
    """One line on stderr, taken literally (no markup), long quoted values cut."""
    from moviembed.errors import clip_values

    typer.echo(clip_values(message), err=True)


def notice(message: str) -> None:
    """A note that changes nothing about the result, e.g. a slower path being taken."""
    say(f"Note: {message}")


def warn_about(notes: list[str], shown: int = 10) -> None:
    """Problems in the input that did not stop the command, the first `shown` of them."""
    for note in notes[:shown]:
        say(f"Warning: {note}")
    if len(notes) > shown:
        say(f"Warning: … and {len(notes) - shown} more problems in the input.")


@contextmanager
def stop_on_interrupt() -> Iterator[Callable[[], bool]]:
    """First Ctrl-C asks a build to stop after its batch; a second one stops at once."""
    stop = threading.Event()

    def handle(signum: int, frame: object) -> None:
        if stop.is_set():
            raise KeyboardInterrupt
        stop.set()
        say("Stopping after the current batch (Ctrl-C again to quit now)…")

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


def configure_logging(verbose: int) -> None:
    """Warnings by default; -v: our debug and others' info; -vv: everyone's debug."""
    root = logging.getLogger()
    if not any(isinstance(handler, _StderrHandler) for handler in root.handlers):
        handler = _StderrHandler()
        handler.setFormatter(logging.Formatter("%(levelname)s %(name)s: %(message)s"))
        root.addHandler(handler)
    levels = {0: logging.WARNING, 1: logging.INFO}
    root.setLevel(levels.get(verbose, logging.DEBUG))
    logging.getLogger("moviembed").setLevel(logging.DEBUG if verbose else logging.WARNING)
