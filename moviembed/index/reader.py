"""IndexReader: the movie index in ChromaDB as searches see it, with no way to write.

The collection records which embedding model and dimension built it, and the
reader refuses to mix models: vectors from two models are not comparable.
ChromaDB is imported on first use, and a missing index is never created by a
reader, so `count` on a fresh machine neither writes nor waits.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any, TypeVar

from moviembed.config import DEFAULT_COLLECTION, Settings, default_db_path
from moviembed.embedding.embedder import DEFAULT_MODEL, canonical_model_name
from moviembed.errors import ModelMismatchError, NotFoundError
from moviembed.index.chroma import ChromaConnection
from moviembed.index.records import (
    IndexInfo,
    Metadata,
    StoredMovie,
    SyncState,
    distance_of,
    folder_size,
    records_from,
    sorted_metadata,
)

log = logging.getLogger(__name__)

DISTANCE = "cosine"
MODEL_KEY = "embedding_model"
DIMENSION_KEY = "embedding_dim"
# Changes whenever a build or removal writes; caches derived from the documents
# (the keyword index) compare it to know when to rebuild.
GENERATION_KEY = "moviembed_generation"
SYNCED_KEY = "tmdb_synced_from"  # the day the next `build --changes` starts from
SYNC_PENDING_KEY = "tmdb_sync_started"  # when an unfinished `build --changes` began
PAGE_SIZE = 1000
TITLES_PER_READ = 500  # titles in one `$in` lookup

ReaderT = TypeVar("ReaderT", bound="IndexReader")


class IndexReader:
    """Movie vectors, documents and metadata in one ChromaDB collection (cosine distance),
    for reading; `EmbeddingStore` adds the writes."""

    def __init__(
        self,
        persist_dir: str | Path | None = None,
        collection: str = DEFAULT_COLLECTION,
        *,
        model_name: str | None = None,
        chroma_url: str | None = None,
        chroma_token: str | None = None,
        tenant: str | None = None,
        database: str | None = None,
    ) -> None:
        """Point at an index; nothing is opened or created until first use.

        `model_name` None means: whatever model built the index (the default
        model for a new one). Any other name must match the index's model.
        With `chroma_url` the index lives on a Chroma server (`persist_dir` is
        then unused); `chroma_token` is sent as `Authorization: Bearer`.
        """
        self._chroma = ChromaConnection(
            Path(persist_dir) if persist_dir else default_db_path(),
            url=chroma_url,
            token=chroma_token,
            tenant=tenant,
            database=database,
        )
        self.persist_dir = self._chroma.persist_dir  # made absolute there
        self.collection_name = collection
        self.requested_model = canonical_model_name(model_name) if model_name else None
        self._collection: Any = None

    @classmethod
    def from_settings(
        cls: type[ReaderT], settings: Settings, model_name: str | None = None
    ) -> ReaderT:
        """The store `settings` describe (local folder or Chroma server)."""
        return cls(
            settings.db_path,
            settings.collection,
            model_name=model_name or settings.model,
            chroma_url=settings.chroma_url,
            chroma_token=settings.chroma_token,
            tenant=settings.chroma_tenant,
            database=settings.chroma_database,
        )

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.location!r}, collection={self.collection_name!r})"

    def close(self) -> None:
        """Release the Chroma client; the next use opens the index afresh.

        A local Chroma keeps one vector index in memory per folder and process, shared by
        every client of that folder, and does not see other processes' writes to it. A
        long-running reader closes (when no other client of the folder is left open, Chroma
        then drops that index) and reopens to serve what another process wrote.
        """
        self._collection = None
        self._chroma.close()

    @property
    def is_remote(self) -> bool:
        """True when the index lives on a Chroma server."""
        return self._chroma.is_remote

    # -- reading -------------------------------------------------------------

    def count(self) -> int:
        """Number of movies stored; 0 when there is no index yet."""
        collection = self._existing_collection()
        if collection is None:
            return 0
        with self._chroma.errors("count the movies"):
            return int(collection.count())

    @property
    def location(self) -> str:
        """Where the index lives, for messages (never holds credentials)."""
        return self._chroma.location

    @property
    def identity(self) -> str:
        """What tells this collection apart from any other, for cache keys."""
        return self._chroma.identity(self.collection_name)

    def generation(self) -> str | None:
        """A token that changes on every write; None for a missing index.

        Read afresh each time: another process may have written since this one opened
        the collection, and a long-running search service must notice.
        """
        if self._existing_collection() is None:
            return None
        return self._chroma.live_value(self.collection_name, GENERATION_KEY)

    def model_name(self) -> str:
        """The model that built the index; for a new index the one asked for, else the default."""
        collection = self._existing_collection()
        stored = (collection.metadata or {}).get(MODEL_KEY) if collection is not None else None
        return stored or self.requested_model or DEFAULT_MODEL

    def sync_state(self) -> SyncState:
        """Where syncing TMDB's changes stands (nothing recorded: a first sync)."""
        collection = self._existing_collection()
        metadata = (collection.metadata or {}) if collection is not None else {}
        return SyncState.from_values(metadata.get(SYNCED_KEY), metadata.get(SYNC_PENDING_KEY))

    def info(self) -> IndexInfo:
        """Location, model, dimension, distance, count and size on disk."""
        collection = self._existing_collection()
        metadata = (collection.metadata or {}) if collection is not None else {}
        return IndexInfo(
            location=self.location,
            collection=self.collection_name,
            model=metadata.get(MODEL_KEY),
            dimension=metadata.get(DIMENSION_KEY),
            distance=distance_of(collection) if collection is not None else None,
            count=self.count(),
            size_bytes=None if self.is_remote else folder_size(self.persist_dir),
            next_sync=self.sync_state().synced,
        )

    def query_similar(
        self,
        embedding: Sequence[float],
        n_results: int = 10,
        where: dict[str, Any] | None = None,
    ) -> list[StoredMovie]:
        """The stored movies nearest to `embedding`, closest first.

        Each hit is `{id, document, metadata, distance}` with cosine distance
        (0 = same direction, 2 = opposite).
        """
        result = self._query(embedding, n_results, where, ["documents", "metadatas", "distances"])
        if result is None:
            return []
        hits = [
            {
                "id": id_,
                "document": document,
                "metadata": sorted_metadata(metadata),
                "distance": distance,
            }
            for id_, document, metadata, distance in zip(
                result["ids"][0],
                result["documents"][0],
                result["metadatas"][0],
                result["distances"][0],
                strict=True,
            )
        ]
        return sorted(hits, key=lambda hit: hit["distance"])

    def _query(
        self,
        embedding: Sequence[float],
        n_results: int,
        where: dict[str, Any] | None,
        include: list[str],
    ) -> dict[str, Any] | None:
        collection = self._existing_collection()
        if collection is None:
            return None
        self._check_dimension(collection, len(embedding))
        with self._chroma.errors("query the index"):
            result: dict[str, Any] = collection.query(
                query_embeddings=[list(map(float, embedding))],
                n_results=n_results,
                where=where or None,
                include=include,
            )
        return result

    def get_by_ids(self, ids: Sequence[str], include_embeddings: bool = False) -> list[StoredMovie]:
        """Stored movies for `ids`, in the order asked; unknown ids are left out."""
        include = ["documents", "metadatas"] + (["embeddings"] if include_embeddings else [])
        found = {
            hit["id"]: hit
            for result in self._get_chunked(ids, include)
            for hit in records_from(result)
        }
        return [found[id_] for id_ in ids if id_ in found]

    def get_one(self, movie_id: str, include_embeddings: bool = False) -> StoredMovie:
        """One stored movie as Chroma has it now (never from a subclass's cache: a lookup by id
        shows the movie as stored, or fails while Chroma is unreachable), or NotFoundError."""
        hits = IndexReader.get_by_ids(self, [movie_id], include_embeddings=include_embeddings)
        if not hits:
            raise NotFoundError(
                f"No movie with id {movie_id} in the index. "
                'Find ids with: moviembed query "..." --json'
            )
        return hits[0]

    def find_by_title(self, title_key: str) -> list[StoredMovie]:
        """Stored movies whose folded title (`title_key` metadata) is exactly `title_key`."""
        collection = self._existing_collection()
        if collection is None or not title_key:
            return []
        with self._chroma.errors("look up titles"):
            result = collection.get(
                where={"title_key": title_key}, include=["documents", "metadatas"]
            )
        return records_from(result)

    def titled_ids(self, title_keys: Sequence[str]) -> list[tuple[str, dict[str, Any]]]:
        """(id, metadata) of every stored movie whose `title_key` is one of `title_keys`:
        one read per few hundred titles, where `find_by_title` would take one each."""
        collection = self._existing_collection()
        keys = sorted(set(filter(None, title_keys)))
        found: list[tuple[str, dict[str, Any]]] = []
        if collection is None:
            return found
        for start in range(0, len(keys), TITLES_PER_READ):
            where = {"title_key": {"$in": keys[start : start + TITLES_PER_READ]}}
            with self._chroma.errors("look up titles"):
                result = collection.get(where=where, include=["metadatas"])
            found += zip(result["ids"], map(sorted_metadata, result["metadatas"]), strict=True)
        return found

    def iter_movies(
        self, page_size: int = PAGE_SIZE, include_embeddings: bool = False
    ) -> Iterator[list[StoredMovie]]:
        """Every stored movie (id, document, metadata, optionally embedding), a page at a time,
        in id order. Pages are read by id, not by offset: Chroma's offset reads cost memory
        that grows with the collection."""
        include = ["documents", "metadatas"] + (["embeddings"] if include_embeddings else [])
        ids = sorted(self.all_ids(), key=lambda id_: (len(id_), id_))
        for start in range(0, len(ids), page_size):
            chunk = ids[start : start + page_size]
            with self._chroma.errors("read movies"):
                page = records_from(self._existing_collection().get(ids=chunk, include=include))
            yield sorted(page, key=lambda movie: (len(movie["id"]), movie["id"]))

    def all_ids(self) -> set[str]:
        """The ids of every stored movie."""
        collection = self._existing_collection()
        if collection is None:
            return set()
        with self._chroma.errors("read movie ids"):
            return set(collection.get(include=[])["ids"])

    def existing_ids(self, ids: Sequence[str]) -> set[str]:
        """Which of `ids` are stored (reads ids only, no documents or vectors)."""
        return {id_ for result in self._get_chunked(ids, []) for id_ in result["ids"]}

    def get_metadatas(self, ids: Sequence[str]) -> dict[str, Metadata]:
        """Stored metadata by id (documents not read), for deciding what a build must write."""
        return {
            id_: sorted_metadata(metadata)
            for result in self._get_chunked(ids, ["metadatas"])
            for id_, metadata in zip(result["ids"], result["metadatas"], strict=True)
        }

    # -- plumbing ------------------------------------------------------------

    def _get_chunked(self, ids: Sequence[str], include: list[str]) -> Iterator[dict[str, Any]]:
        """`collection.get` over `ids` in chunks below Chroma's batch limit."""
        collection = self._existing_collection()
        if collection is None or not ids:
            return
        for start, stop in self._chunks(len(ids)):
            with self._chroma.errors("read movies"):
                yield collection.get(ids=list(ids[start:stop]), include=include)

    def _existing_collection(self) -> Any:
        """The collection, or None if the index or collection does not exist yet."""
        if self._collection is None:
            if not self.is_remote and not self._chroma.local_index_exists():
                return None
            client = self._chroma.client()
            from chromadb.errors import NotFoundError as CollectionNotFound

            with self._chroma.errors("open the collection"):
                try:
                    collection = client.get_collection(
                        self.collection_name, embedding_function=None
                    )
                except CollectionNotFound:
                    return None
            self._check_model(collection)
            self._collection = collection
        return self._collection

    def _check_model(self, collection: Any) -> None:
        stored = (collection.metadata or {}).get(MODEL_KEY)
        if self.requested_model and stored and stored != self.requested_model:
            raise ModelMismatchError(
                f"The index at {self.location} was built with {stored}, not "
                f"{self.requested_model}. Drop {{field}} (MOVIEMBED_MODEL) to use it, "
                "or build a separate index in another folder.",
                field="model",
            )

    def _check_dimension(self, collection: Any, dimension: int) -> None:
        stored = (collection.metadata or {}).get(DIMENSION_KEY)
        if stored and stored != dimension:
            raise ModelMismatchError(
                f"The index at {self.location} holds {stored}-d vectors, got {dimension}-d "
                "ones: the model differs from the one that built it."
            )

    def _chunks(self, total: int) -> Iterator[tuple[int, int]]:
        size = self._chroma.batch_size()
        for start in range(0, total, size):
            yield start, min(start + size, total)
