"""A reader for a long-running search service: each movie's metadata, document and vector
are read from Chroma once, then kept in memory.

Chroma keeps metadata as one row per key and reading it is most of a search's cost (about
0.2 ms per movie, for the ~150 candidates a hybrid search ranks), while a service ranks the
same catalog again and again. The cache notices no writes: the service replaces its reader,
and so this cache, whenever the index's generation changes (serve/service.py).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any, TypeVar

from moviembed.index.reader import IndexReader
from moviembed.index.records import Metadata

MAX_CACHED = 50_000  # movies; past this, further ones are read from Chroma each time

Value = TypeVar("Value")


class CachingReader(IndexReader):
    """An `IndexReader` that remembers the metadata, documents and vectors it has read.

    The metadata dicts it hands out are shared between callers: read them, do not change them.
    """

    def __init__(self, *args: Any, **options: Any) -> None:
        super().__init__(*args, **options)
        self._metadata: dict[str, Metadata] = {}
        self._documents: dict[str, str] = {}
        self._embeddings: dict[str, Any] = {}

    def get_metadatas(self, ids: Sequence[str]) -> dict[str, Metadata]:
        return _through(self._metadata, ids, super().get_metadatas)

    def get_documents(self, ids: Sequence[str]) -> dict[str, str]:
        return _through(self._documents, ids, super().get_documents)

    def get_embeddings(self, ids: Sequence[str]) -> dict[str, Any]:
        return _through(self._embeddings, ids, super().get_embeddings)

    def close(self) -> None:
        super().close()
        for cache in (self._metadata, self._documents, self._embeddings):
            cache.clear()


def _through(
    cache: dict[str, Value],
    ids: Sequence[str],
    read: Callable[[Sequence[str]], dict[str, Value]],
) -> dict[str, Value]:
    """`read(ids)`, asking it only for the ids `cache` lacks and keeping what it gives. Request
    threads may fill the cache side by side: each entry is the same stored value either way."""
    found = {id_: cache[id_] for id_ in ids if id_ in cache}
    missing = [id_ for id_ in ids if id_ not in found]
    if missing:
        fresh = read(missing)
        if len(cache) < MAX_CACHED:
            cache.update(fresh)
        found.update(fresh)
    return found
