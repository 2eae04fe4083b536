"""EmbeddingStore: the movie index in ChromaDB, reusable by the CLI and by other services.

Everything an `IndexReader` does, plus writing: chunked upserts that replace
metadata rather than merge it, removals, and a generation stamp on every write so
caches derived from the documents (the keyword index, a running service) notice.
An index this process may not write is read through a snapshot (index/chroma.py).
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from typing import Any

from moviembed.index.reader import (
    DIMENSION_KEY,
    DISTANCE,
    GENERATION_KEY,
    MODEL_KEY,
    SYNC_PENDING_KEY,
    SYNCED_KEY,
    IndexReader,
)
from moviembed.index.records import Changes, IndexInfo, Metadata, StoredMovie, SyncState

__all__ = ["DISTANCE", "EmbeddingStore", "IndexInfo", "Metadata", "StoredMovie"]


class EmbeddingStore(IndexReader):
    """Movie vectors, documents and metadata in one ChromaDB collection (cosine distance)."""

    _changes: Changes | None = None

    def upsert_movies(
        self,
        ids: Sequence[str],
        embeddings: Sequence[Sequence[float]],
        documents: Sequence[str],
        metadatas: Sequence[Metadata],
        *,
        stored: Mapping[str, Metadata] | None = None,
    ) -> None:
        """Insert or replace movies, in chunks below ChromaDB's maximum batch size.

        Replacing is complete: metadata keys a movie no longer has are removed
        (Chroma itself would keep them, since its upsert merges metadata). A caller
        that has just read the stored metadata (`get_metadatas`) passes it as `stored`
        to save reading it again.
        """
        if not (len(ids) == len(embeddings) == len(documents) == len(metadatas)):
            raise ValueError("ids, embeddings, documents and metadatas must have the same length")
        if not ids:
            return
        collection = self._writable_collection(dimension=len(embeddings[0]))
        self._check_dimension(collection, len(embeddings[0]))
        vectors = [[float(x) for x in vector] for vector in embeddings]
        with self._changing() as changes:
            changes.wrote(ids)
            for start, stop in self._chunks(len(ids)):
                chunk = list(ids[start:stop])
                replacing = self._replacing(collection, chunk, metadatas[start:stop], stored)
                with self._chroma.errors("store movies"):
                    collection.upsert(
                        ids=chunk,
                        embeddings=vectors[start:stop],
                        documents=list(documents[start:stop]),
                        metadatas=replacing,
                    )

    def update_metadatas(
        self,
        ids: Sequence[str],
        metadatas: Sequence[Metadata],
        *,
        stored: Mapping[str, Metadata] | None = None,
    ) -> None:
        """Replace the metadata of stored movies without touching their vectors."""
        collection = self._collection_to_write()
        if collection is None or not ids:
            return
        with self._changing() as changes:
            changes.wrote(ids)  # a title is metadata
            for start, stop in self._chunks(len(ids)):
                chunk = list(ids[start:stop])
                replacing = self._replacing(collection, chunk, metadatas[start:stop], stored)
                with self._chroma.errors("update movies"):
                    collection.update(ids=chunk, metadatas=replacing)

    def delete(self, ids: Sequence[str]) -> list[str]:
        """Remove movies by id; returns the ids that were stored (and are now gone)."""
        present = self.existing_ids(ids)
        if not present:
            return []
        collection = self._collection_to_write()
        found = [id_ for id_ in dict.fromkeys(ids) if id_ in present]
        with self._changing() as changes:
            changes.removed_ids(found)
            for start, stop in self._chunks(len(found)):
                with self._chroma.errors("remove movies"):
                    collection.delete(ids=found[start:stop])
        return found

    @property
    def changes(self) -> Changes | None:
        """What this object has written so far (None: nothing yet)."""
        return self._changes

    @contextmanager
    def _changing(self) -> Iterator[Changes]:
        """A new generation before a write and after it: derived caches notice the change
        even if the writer is killed half-way, or a reader refreshes mid-write. The caller
        records what it writes in the `Changes` yielded."""
        if self._changes is None:
            self._changes = Changes(base=self.generation())
        self.mark_changed()
        yield self._changes
        self._changes.latest = self.mark_changed()

    def mark_changed(self) -> str:
        """Give the collection a new generation, telling derived caches to refresh."""
        generation = uuid.uuid4().hex
        self._set_collection_values({GENERATION_KEY: generation})
        return generation

    def save_sync_state(self, state: SyncState) -> None:
        """Record where syncing TMDB's changes stands; no movie changes, so no new generation."""
        synced, pending = state.values()
        self._set_collection_values({SYNCED_KEY: synced, SYNC_PENDING_KEY: pending})

    def _set_collection_values(self, values: Mapping[str, str | None]) -> None:
        """Set (or, with None, remove) keys of the collection's metadata, keeping the rest."""
        collection = self._collection_to_write()
        if collection is None:
            return
        metadata = {
            key: value
            for key, value in (collection.metadata or {}).items()
            if not key.startswith("hnsw:")  # Chroma refuses to "change" the distance
        }
        metadata.update(values)
        with self._chroma.errors("update the collection"):
            collection.modify(metadata={k: v for k, v in metadata.items() if v is not None})

    def _replacing(
        self,
        collection: Any,
        ids: list[str],
        metadatas: Sequence[Metadata],
        stored: Mapping[str, Metadata] | None,
    ) -> list[Metadata]:
        """New metadata plus `None` for each stored key it drops, which Chroma reads as delete."""
        previous: Mapping[str, Metadata | None]
        if stored is None:
            with self._chroma.errors("read movies"):
                found = collection.get(ids=ids, include=["metadatas"])
            previous = dict(zip(found["ids"], found["metadatas"], strict=True))
        else:
            previous = stored
        return [
            {**dict.fromkeys(previous.get(id_) or {}), **metadata}
            for id_, metadata in zip(ids, metadatas, strict=True)
        ]

    def _collection_to_write(self) -> Any:
        """The collection in the index itself (not a snapshot), or None if there is none."""
        if self._chroma.begin_writing():
            self._collection = None
        return self._existing_collection()

    def _writable_collection(self, dimension: int) -> Any:
        collection = self._collection_to_write()
        if collection is not None:
            return collection
        client = self._chroma.client()
        with self._chroma.errors("create the collection"):
            self._collection = client.get_or_create_collection(
                self.collection_name,
                embedding_function=None,
                metadata={
                    "hnsw:space": DISTANCE,
                    MODEL_KEY: self.model_name(),
                    DIMENSION_KEY: dimension,
                },
            )
        self._check_model(self._collection)
        return self._collection
