"""The index as a long-running server reads it (`moviembed serve`, `moviembed mcp`): opened
once, reopened after others write.

A local Chroma keeps its vector index in memory per process and never sees another
process's writes, so a service that must show what a `moviembed build` beside it added
has to notice the write and reopen. Every write gives the collection a new generation
stamp; a watcher thread reads it every `recheck_seconds` and, once it has changed, then
stayed the same for one interval, and no writer holds the index's lock (the build is done),
closes the store and opens it again, then refreshes the keyword index, off the request
path. Requests read through a shared lock that the reopen takes exclusively.
"""

from __future__ import annotations

import logging
import sqlite3
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from moviembed.config import Settings
from moviembed.embedding.embedder import Embedder, canonical_model_name
from moviembed.errors import MoviembedError, StoreError
from moviembed.index.cached import CachingReader
from moviembed.index.keywords import KeywordIndex
from moviembed.index.reader import IndexReader
from moviembed.memory import return_freed_memory
from moviembed.search.locking import ReadersWriterLock
from moviembed.search.query import SearchResults, search

log = logging.getLogger(__name__)

RECHECK_SECONDS = 1.0
# One thread per query: requests run side by side, and a single short query gains little from
# a second thread, whose spin-waiting costs the other requests CPU (measured: 12.6 ms of CPU per
# query embedding on one thread, 35 ms on two, on a busy 2-core machine).
ONNX_THREADS = 1


def current_generation(store: IndexReader) -> str | None:
    """The store's write stamp, read afresh (the one place that knows how to ask for it)."""
    return store.generation()


def load_embedder(model: str, cache_dir: Path) -> Embedder:
    """The fast ONNX query model, exported first if this cache has none (once, ~10 s); if
    that fails, sentence-transformers, with a warning saying why."""
    from moviembed.embedding import backends

    if backends.needs_query_model(model, cache_dir):
        problem = backends.prepare_query_model(model, cache_dir)
        if problem:
            log.warning("%s", problem)
    return backends.query_embedder(model, cache_dir, on_notice=log.warning, threads=ONNX_THREADS)


class ServedKeywords(KeywordIndex):
    """The keyword index as requests use it: the service refreshes it after each reopen, so
    a search never rebuilds it itself (eight concurrent requests would each rebuild it).

    A build in another process rewrites the shared file at its end, and the service may not
    have reopened its store yet, whose local Chroma cannot read movies written after it
    opened (a search whose words matched a new movie failed). So every read of the file sees
    it only while it holds the generation the last refresh saw; otherwise searches rank by
    meaning alone until the reopen refreshes it (`_connection` is where all reads start).
    """

    _seen: tuple[int, int, int] | None = None  # the file's identity at the last refresh
    _stamp: str | None = None  # and the generation it recorded

    def ensure_current(self, store: IndexReader) -> bool:
        return False

    def refresh(self, store: IndexReader) -> None:
        """Rebuild if stale; a failure only leaves keyword ranking behind, so it is logged."""
        try:
            super().ensure_current(store)
        except StoreError as exc:
            log.warning("%s Keyword matches may be out of date.", exc)
        self._seen, self._stamp = self._file(), self._generation()

    def _connection(self) -> sqlite3.Connection | None:
        """The file as every read sees it; None (as if there were none) while it holds
        another generation than the last refresh saw."""
        file = self._file()
        if file != self._seen:  # rewritten since the refresh: by whom, and from what?
            if self._generation() != self._stamp:
                return None
            self._seen = file  # the same generation (a build's refresh racing ours)
        return super()._connection()

    def _file(self) -> tuple[int, int, int] | None:
        try:
            stat = self.path.stat()
        except FileNotFoundError:
            return None
        return stat.st_dev, stat.st_ino, stat.st_mtime_ns


@dataclass(frozen=True)
class OpenIndex:
    """What a request searches with; replaced whole on reopen."""

    store: IndexReader
    embedder: Embedder
    keywords: ServedKeywords
    model: str
    generation: str | None


class IndexService:
    """Store, query model and keyword index, loaded once and shared by request threads."""

    def __init__(self, settings: Settings, index: OpenIndex, recheck_seconds: float) -> None:
        self.settings = settings
        self.recheck_seconds = recheck_seconds
        self._index = index
        self._lock = ReadersWriterLock()
        self._polled = index.generation
        self._last_problem = ""
        self._stopping = threading.Event()
        self._watcher: threading.Thread | None = None

    @classmethod
    def open(cls, settings: Settings, recheck_seconds: float = RECHECK_SECONDS) -> IndexService:
        """Open the index and load its query model and keyword index."""
        store = CachingReader.from_settings(settings)
        model = canonical_model_name(store.model_name())
        keywords = ServedKeywords.for_store(store, settings.cache_dir)
        embedder = load_embedder(model, settings.cache_dir)
        index = OpenIndex(store, embedder, keywords, model, current_generation(store))
        keywords.refresh(store)
        return cls(settings, index, recheck_seconds)

    @property
    def location(self) -> str:
        """Where the index is, for messages."""
        return self._index.store.location

    @contextmanager
    def reading(self) -> Iterator[OpenIndex]:
        """The open index, which stays open until the block ends."""
        with self._lock.reading():
            yield self._index

    def search(self, text: str, **options: Any) -> SearchResults:
        """`moviembed.search.query.search` over the open index and its query model."""
        with self.reading() as index:
            return search(
                text,
                store=index.store,
                embedder=index.embedder,
                keywords=index.keywords,
                **options,
            )

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
        with self._lock.writing():
            self._index.store.close()

    def check(self) -> bool:
        """Reopen if the generation changed, then held still since the last check, and no
        writer holds the index's lock."""
        with self.reading() as index:
            generation = current_generation(index.store)
        previous, self._polled = self._polled, generation
        if generation == index.generation or generation != previous or self._writer_busy():
            return False
        self._reopen(generation)
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

    def _reopen(self, generation: str | None) -> None:
        with self._lock.writing():
            old = self._index
            old.store.close()
            store = CachingReader.from_settings(self.settings)
            model = canonical_model_name(store.model_name())
            cache = self.settings.cache_dir
            embedder = old.embedder if model == old.model else load_embedder(model, cache)
            keywords = ServedKeywords.for_store(store, cache)
            self._index = replace(
                old,
                store=store,
                embedder=embedder,
                keywords=keywords,
                model=model,
                generation=generation,
            )
        log.info("Reopened the index at %s (generation %s)", store.location, generation)
        keywords.refresh(store)
        return_freed_memory()  # what the old index and the keyword rebuild freed
