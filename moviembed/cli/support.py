"""What the CLI's commands share: option types, messages on stderr, Ctrl-C, logging, the lock.

Kept apart from `cli.py` so that file reads as the list of commands. Nothing
here is needed by the library.
"""

from __future__ import annotations

import logging
import signal
import sys
import threading
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager, nullcontext
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from moviembed.choices import MAX_LIMIT, OutputFormat
from moviembed.errors import EmbedderError, StoreError

if TYPE_CHECKING:
    from moviembed.config import Settings
    from moviembed.index.lock import IndexLock
    from moviembed.index.store import EmbeddingStore

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
FormatOption = Annotated[
    OutputFormat,
    typer.Option("--format", help="table, json, or context (a numbered, prompt-ready block)."),
]


def say(message: str) -> None:
    """One line on stderr, taken literally (no markup)."""
    typer.echo(message, err=True)


def notice(message: str) -> None:
    """A note that changes nothing about the result, e.g. a slower path being taken."""
    say(f"Note: {message}")


def warn_about(notes: list[str], shown: int = 10) -> None:
    """Problems in the input that did not stop the command, the first `shown` of them."""
    for note in notes[:shown]:
        say(f"Warning: {note}")
    if len(notes) > shown:
        say(f"Warning: … and {len(notes) - shown} more problems in the input.")


def write_lock(
    settings: Settings, *, wait: bool, command: str
) -> IndexLock | AbstractContextManager[None]:
    """The lock a writing command holds; waiting is announced on stderr.

    A Chroma server serialises writes itself, and its clients share no folder
    to lock, so against a server no lock is taken.
    """
    from moviembed.index.lock import IndexLock

    if settings.chroma_url:
        notice(f"writing to the Chroma server at {settings.chroma_url}; it orders the writes")
        return nullcontext()
    return IndexLock(settings.db_path, wait=wait, on_wait=say, description=command)


def prepare_fast_queries(model_name: str, cache_dir: Path, quiet: bool = False) -> None:
    """Export the model to ONNX (or redo a damaged export), so later queries start without
    torch; callers skip it when they know a sound export is there."""
    from moviembed.cli import output as render
    from moviembed.embedding.onnx_export import ensure_onnx

    status = nullcontext() if quiet else render.stderr.status("Saving a fast query model…")
    try:
        with status:
            ensure_onnx(model_name, cache_dir)
    except (EmbedderError, OSError) as exc:
        notice(f"queries will keep using sentence-transformers (slower): {exc}")


def refresh_keyword_index(store: EmbeddingStore, cache_dir: Path) -> None:
    """Bring the keyword index up to date now, so the next query need not; a failure only
    means that query will try again (or rank by meaning alone)."""
    from moviembed.index.keywords import KeywordIndex

    try:
        KeywordIndex.for_store(store, cache_dir).ensure_current(store)
    except StoreError as exc:
        notice(str(exc))


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
