"""The build pipeline: movies -> documents -> skip unchanged -> embed -> upsert, in batches.

Work is written batch by batch, so an interrupted build keeps what it finished
and a re-run only embeds what is new or changed (compared by document hash).
"""

from __future__ import annotations

import queue
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Protocol, TypeVar

from moviembed.documents import Metadata, build_document, build_metadata, check_document
from moviembed.embedding.embedder import Embedder
from moviembed.errors import ModelMismatchError
from moviembed.index.store import EmbeddingStore
from moviembed.memory import return_freed_memory
from moviembed.movie import Movie, Skipped, SourceItem, Unfetched, check_lengths

if TYPE_CHECKING:
    import numpy as np

Item = TypeVar("Item")
DEFAULT_WRITE_BATCH = 1024
# When the source is slower than embedding (TMDB over the network), a batch is
# written as soon as it holds this many movies and nothing more is waiting, so
# the encoder works while the next movies download.
MIN_EARLY_BATCH = 32


class BuildProgress(Protocol):
    """Callbacks the pipeline calls as it goes; the CLI draws progress bars with them."""

    def movie(self, position: int, total: int | None, title: str) -> None:
        """Movie number `position` (1-based) of `total` is being processed."""

    def encoding(self, done: int, total: int) -> None:
        """`done` of the `total` documents that need embedding so far are embedded."""

    def finished(self) -> None:
        """The last batch is written; slower steps may follow (pruning, the ONNX export)."""


class _Silent:
    def movie(self, position: int, total: int | None, title: str) -> None:
        pass

    def encoding(self, done: int, total: int) -> None:
        pass

    def finished(self) -> None:
        pass


@dataclass
class BuildReport:
    """What a build did, for the summary line and for scripts."""

    added: int = 0
    updated: int = 0  # stored movies that changed: re-embedded or metadata only
    reembedded: int = 0  # updated movies whose document changed, so their vector did too
    unchanged: int = 0
    failed: list[Skipped] = field(default_factory=list)
    seconds: float = 0.0
    interrupted: bool = False
    seen_ids: set[str] = field(default_factory=set, repr=False)  # every id the source named

    @property
    def changed(self) -> bool:
        """True when the build wrote anything to the index."""
        return bool(self.added or self.updated)


# (id, document, metadata) of one movie, ready to be compared with the store.
Prepared = tuple[str, str, Metadata]


def build_index(
    items: Iterable[SourceItem],
    *,
    store: EmbeddingStore,
    embedder: Embedder,
    total: int | None = None,
    progress: BuildProgress | None = None,
    should_stop: Callable[[], bool] = lambda: False,
    write_batch: int = DEFAULT_WRITE_BATCH,
) -> BuildReport:
    """Index `items` into `store`; returns counts of added, updated, unchanged and failed.

    The source runs in a background thread, one batch ahead, so fetching and
    parsing overlap embedding. `should_stop` is polled between movies: when it
    turns true the movies already read are still written, then the build
    returns with `interrupted` set. If the source raises, the movies read so far
    are written before the error propagates.
    """
    if embedder.model_name != store.model_name():
        raise ModelMismatchError(
            f"The index at {store.location} was built with {store.model_name()}; "
            f"cannot add vectors from {embedder.model_name}."
        )
    report = BuildReport()
    started = time.perf_counter()
    encoder = _Encoder(embedder, progress or _Silent())
    announced = _announced(items, total, progress or _Silent(), should_stop)
    for batch in _batches(_prefetched(announced, depth=write_batch), report, write_batch):
        _write_batch(batch, store, encoder, report)
        return_freed_memory()  # else fragments pile up and the peak grows with the catalog
        if should_stop():  # movies read ahead are left for the next run
            break
    report.interrupted = should_stop()
    report.seconds = time.perf_counter() - started
    return report


def _announced(
    items: Iterable[SourceItem],
    total: int | None,
    progress: BuildProgress,
    should_stop: Callable[[], bool],
) -> Iterator[SourceItem]:
    """Report each item to `progress` as the source produces it; stop when asked."""
    for position, item in enumerate(items, start=1):
        label = item.title if isinstance(item, Movie) else f"(id {item.id})"
        progress.movie(position, total, label)
        yield item
        if should_stop():
            return


def _batches(
    items: Iterable[SourceItem | _Lull], report: BuildReport, size: int
) -> Iterator[list[Prepared]]:
    """Prepared movies in batches of `size` (smaller at a lull). When the source fails
    (or Ctrl-C), the movies read before it are handed over first, then its error is
    raised: no batch is yielded while an error is being handled, so an error of the
    consumer's never reaches this generator."""
    batch: list[Prepared] = []
    failures: list[BaseException] = []
    for item in _until_failure(items, failures):
        if isinstance(item, _Lull):
            if len(batch) >= MIN_EARLY_BATCH:
                yield batch
                batch = []
            continue
        report.seen_ids.add(str(item.id))
        if isinstance(item, Skipped):
            report.failed.append(item)
        elif isinstance(item, Unfetched):
            report.unchanged += 1
        elif prepared := _prepared(item, report):
            batch.append(prepared)
            if len(batch) >= size:
                yield batch
                batch = []
    if batch:  # keep the work done before the source ended, failed or was interrupted
        yield batch
    if failures:
        raise failures[0]


def _until_failure(items: Iterable[Item], failures: list[BaseException]) -> Iterator[Item]:
    """`items` until they end or raise; what they raised is put in `failures`, for the
    caller to raise once it has handed over what it holds."""
    iterator = iter(items)
    while True:
        try:
            item = next(iterator)
        except StopIteration:
            return
        except BaseException as error:  # Ctrl-C too: the work read so far is still written
            failures.append(error)
            return
        yield item


def _prepared(movie: Movie, report: BuildReport) -> Prepared | None:
    """The movie's document and metadata; None (and a failure in `report`) when a text of
    it is longer than what is stored, whichever source it came from."""
    try:
        check_lengths(movie)
        document = build_document(movie)
        check_document(document)
    except ValueError as exc:
        report.failed.append(Skipped(str(movie.id), f"refused: {exc}"))
        return None
    return str(movie.id), document, build_metadata(movie, document)


class _Lull:
    """Marks a moment when the source has nothing ready: a good time to write early."""


class _SourceFailed:
    def __init__(self, error: BaseException) -> None:
        self.error = error


_END = object()


def _prefetched(items: Iterable[SourceItem], depth: int) -> Iterator[SourceItem | _Lull]:
    """Iterate `items` in a daemon thread, at most `depth` ahead of the consumer.

    A `_Lull` is yielded whenever the consumer would have to wait for the source.
    """
    buffer: queue.Queue[object] = queue.Queue(maxsize=depth)
    abandoned = threading.Event()

    def put(value: object) -> bool:
        while not abandoned.is_set():
            try:
                buffer.put(value, timeout=0.1)
                return True
            except queue.Full:
                continue
        return False

    def produce() -> None:
        try:
            for item in items:
                if not put(item):
                    return
        except BaseException as error:  # handed to the consumer, which re-raises it
            put(_SourceFailed(error))
            return
        put(_END)

    threading.Thread(target=produce, name="moviembed-source", daemon=True).start()
    lull = _Lull()
    try:
        while True:
            if buffer.empty():
                yield lull
            value = buffer.get()
            if value is _END:
                return
            if isinstance(value, _SourceFailed):
                raise value.error
            yield value  # type: ignore[misc]
    finally:
        abandoned.set()


class _Encoder:
    """Embeds texts while keeping one cumulative encoding progress count across batches."""

    def __init__(self, embedder: Embedder, progress: BuildProgress) -> None:
        self.embedder = embedder
        self.progress = progress
        self.done = 0
        self.planned = 0

    def embed(self, texts: list[str]) -> np.ndarray:
        self.planned += len(texts)
        self.progress.encoding(self.done, self.planned)

        def advance(count: int) -> None:
            self.done += count
            self.progress.encoding(self.done, self.planned)

        return self.embedder.embed(texts, on_progress=advance)


def _write_batch(
    batch: list[Prepared], store: EmbeddingStore, encoder: _Encoder, report: BuildReport
) -> None:
    latest = {id_: (document, metadata) for id_, document, metadata in batch}
    stored = store.get_metadatas(list(latest))
    to_embed: list[str] = []
    metadata_only: list[str] = []
    for id_, (_, metadata) in latest.items():
        previous = stored.get(id_)
        if previous is None or previous.get("doc_hash") != metadata["doc_hash"]:
            to_embed.append(id_)
        elif previous != metadata:
            metadata_only.append(id_)
        else:
            report.unchanged += 1
    vectors = encoder.embed([latest[id_][0] for id_ in to_embed]) if to_embed else []
    store.upsert_movies(
        to_embed,
        vectors,
        [latest[id_][0] for id_ in to_embed],
        [latest[id_][1] for id_ in to_embed],
        stored=stored,
    )
    store.update_metadatas(metadata_only, [latest[id_][1] for id_ in metadata_only], stored=stored)
    added = sum(1 for id_ in to_embed if id_ not in stored)
    report.added += added
    report.reembedded += len(to_embed) - added
    report.updated += len(to_embed) - added + len(metadata_only)
