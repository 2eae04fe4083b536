"""The index as a long-running server reads it (`moviembed serve`, `moviembed mcp`): opened
once, reopened after others write.

A local Chroma keeps its vector index in memory per process and never sees another
process's writes, so a service that must show what a `moviembed build` beside it added
has to notice the write and reopen. Every write gives the collection a new generation
stamp; a watcher thread reads it every `recheck_seconds` and, once it has changed, then
stayed the same for one interval, and no writer holds the index's lock (the build is done),
has `MovieIndex.reopen` close the store and open it again, then refresh the keyword index,
off the request path. Requests read through the index's shared lock, which the reopen takes
exclusively.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from moviembed.config import Settings
from moviembed.errors import MoviembedError
from moviembed.search.movie_index import MovieIndex
from moviembed.search.query import SearchResults

log = logging.getLogger(__name__)

RECHECK_SECONDS = 1.0


class IndexService:
    """One `MovieIndex` for a server, loaded whole at the start and shared by request
    threads, reopened by a watcher thread after other processes' writes."""

    def __init__(self, settings: Settings, index: MovieIndex, recheck_seconds: float) -> None:
        self.settings = settings
        self.index = index
        self.recheck_seconds = recheck_seconds
        self._polled = index.generation
        self._last_problem = ""
        self._stopping = threading.Event()
        self._watcher: threading.Thread | None = None

    @classmethod
    def open(cls, settings: Settings, recheck_seconds: float = RECHECK_SECONDS) -> IndexService:
        """Open the index and load its query model and keyword index."""
        return cls(settings, MovieIndex(settings, serving=True).load(), recheck_seconds)

    @property
    def location(self) -> str:
        """Where the index is, for messages."""
        return self.index.store.location

    @contextmanager
    def reading(self) -> Iterator[MovieIndex]:
        """The open index, which stays open until the block ends."""
        with self.index.reading() as index:
            yield index

    def search(self, text: str, **options: Any) -> SearchResults:
        """`MovieIndex.search` over the open index."""
        return self.index.search(text, **options)

    def start_watching(self) -> None:
        """Check for other processes' writes in a daemon thread until `close()`."""
        if self._watcher is None and self.recheck_seconds > 0:
            self._watcher = threading.Thread(
                target=self._watch, name="moviembed-watch", daemon=True
            )
            self._watcher.start()

    def close(self) -> None:
        """Stop watching and release the store."""
        self._stopping.set()
        if self._watcher is not None:
            self._watcher.join()
        self.index.close()

    def check(self) -> bool:
        """Reopen if the generation changed, then held still since the last check, and no
        writer holds the index's lock."""
        generation = self.index.current_generation()
        previous, self._polled = self._polled, generation
        if generation == self.index.generation or generation != previous or self._writer_busy():
            return False
        self.index.reopen(generation)
        return True

    def _writer_busy(self) -> bool:
        """A build still holds the local index's lock: it may pause longer than the check
        interval between batches, and each reopen costs Chroma ~10 MiB it never gives back."""
        from moviembed.index.lock import writer_running

        return not self.settings.chroma_url and writer_running(self.settings.db_path)

    def _watch(self) -> None:
        while not self._stopping.wait(self.recheck_seconds):
            try:
                self.check()
                self._last_problem = ""
            except MoviembedError as exc:  # e.g. a Chroma server that went away
                if str(exc) != self._last_problem:  # once per problem, not every second
                    log.warning("Cannot check the index for changes: %s", exc)
                self._last_problem = str(exc)
