"""The build pipeline: movies -> documents -> skip unchanged -> embed -> upsert, in batches.

Work is written batch by batch, so an interrupted build keeps what it finished
and a re-run only embeds what is new or changed (compared by document hash).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Protocol

from .documents import Metadata, build_document, build_metadata
from .embedder import Embedder
from .errors import ModelMismatchError
from .movie import Movie, Skipped
from .store import EmbeddingStore

if TYPE_CHECKING:
    import numpy as np

DEFAULT_WRITE_BATCH = 256


class BuildProgress(Protocol):
    """Callbacks the pipeline calls as it goes; the CLI draws progress bars with them."""

    def movie(self, position: int, total: int | None, title: str) -> None:
        """Movie number `position` (1-based) of `total` is being processed."""

    def encoding(self, done: int, total: int) -> None:
        """`done` of the `total` documents that need embedding so far are embedded."""


class _Silent:
    def movie(self, position: int, total: int | None, title: str) -> None:
        pass

    def encoding(self, done: int, total: int) -> None:
        pass


@dataclass
class BuildReport:
    """What a build did, for the summary line and for scripts."""

    added: int = 0
    updated: int = 0
    unchanged: int = 0
    failed: list[Skipped] = field(default_factory=list)
    seconds: float = 0.0
    interrupted: bool = False

    @property
    def changed(self) -> bool:
        """True when the build wrote anything to the index."""
        return bool(self.added or self.updated)


# (id, document, metadata) of one movie, ready to be compared with the store.
Prepared = tuple[str, str, Metadata]


def build_index(
    items: Iterable[Movie | Skipped],
    *,
    store: EmbeddingStore,
    embedder: Embedder,
    total: int | None = None,
    progress: BuildProgress | None = None,
    should_stop: Callable[[], bool] = lambda: False,
    write_batch: int = DEFAULT_WRITE_BATCH,
) -> BuildReport:
    """Index `items` into `store`; returns counts of added, updated, unchanged and failed.

    `should_stop` is polled between movies: when it turns true the current
    batch is still written, then the build returns with `interrupted` set.
    """
    if embedder.model_name != store.model_name:
        raise ModelMismatchError(
            f"The index at {store.persist_dir} was built with {store.model_name}; "
            f"cannot add vectors from {embedder.model_name}."
        )
    progress = progress or _Silent()
    report = BuildReport()
    started = time.perf_counter()
    encoder = _Encoder(embedder, progress)
    for batch in _batches(items, total, progress, report, should_stop, write_batch):
        _write_batch(batch, store, encoder, report)
    report.interrupted = should_stop()
    report.seconds = time.perf_counter() - started
    return report


def _batches(
    items: Iterable[Movie | Skipped],
    total: int | None,
    progress: BuildProgress,
    report: BuildReport,
    should_stop: Callable[[], bool],
    size: int,
) -> Iterator[list[Prepared]]:
    batch: list[Prepared] = []
    for position, item in enumerate(items, start=1):
        if isinstance(item, Skipped):
            report.failed.append(item)
            progress.movie(position, total, f"(skipped {item.id})")
        else:
            progress.movie(position, total, item.title)
            document = build_document(item)
            batch.append((str(item.id), document, build_metadata(item, document)))
        if len(batch) >= size:
            yield batch
            batch = []
        if should_stop():
            break
    if batch:
        yield batch


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
    if to_embed:
        vectors = encoder.embed([latest[id_][0] for id_ in to_embed])
        store.upsert_movies(
            to_embed,
            vectors,
            [latest[id_][0] for id_ in to_embed],
            [latest[id_][1] for id_ in to_embed],
        )
    store.update_metadatas(metadata_only, [latest[id_][1] for id_ in metadata_only])
    added = sum(1 for id_ in to_embed if id_ not in stored)
    report.added += added
    report.updated += len(to_embed) - added + len(metadata_only)
