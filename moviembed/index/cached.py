"""A reader for a long-running search service: each movie's document, metadata and vector
are read from Chroma once, then kept in memory.

Chroma keeps metadata (and the document) as one row per key, and reading them is most of a
search's cost: about 0.2 ms per movie, for the ~150 candidates a hybrid search ranks, while
a query that returns only ids and distances takes a few milliseconds. A service ranks the
same catalog again and again, so it reads each movie once. The cache notices no writes: the
service replaces its reader, and so this cache, whenever the index's generation changes
(search/service.py); a Chroma server's new movies are read when first met.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from moviembed.index.reader import IndexReader
from moviembed.index.records import Metadata, StoredMovie

MAX_CACHED = 50_000  # movies; past this, further ones are read from Chroma each time


class CachingReader(IndexReader):
    """An `IndexReader` whose lookups by id and nearest-neighbour queries read each movie's
    record from Chroma only the first time.

    Records come back as new dicts, but their metadata dicts are shared between callers:
    read them, do not change them.
    """

    def __init__(self, *args: Any, **options: Any) -> None:
        super().__init__(*args, **options)
        self._records: dict[str, tuple[str, Metadata]] = {}  # id -> (document, metadata)
        self._vectors: dict[str, Any] = {}  # id -> float64 numpy row (a third of a list's size)

    def query_similar(
        self, embedding: Sequence[float], n_results: int = 10, where: dict[str, Any] | None = None
    ) -> list[StoredMovie]:
        """As `IndexReader.query_similar`, asking Chroma for ids and distances only."""
        result = self._query(embedding, n_results, where, ["distances"])
        if result is None:
            return []
        ids, distances = result["ids"][0], result["distances"][0]
        records = {hit["id"]: hit for hit in self.get_by_ids(ids)}
        hits: list[StoredMovie] = [
            {**records[id_], "distance": distance}
            for id_, distance in zip(ids, distances, strict=True)
            if id_ in records
        ]
        return sorted(hits, key=lambda hit: hit["distance"])

    def get_by_ids(self, ids: Sequence[str], include_embeddings: bool = False) -> list[StoredMovie]:
        """As `IndexReader.get_by_ids`, reading from Chroma only the movies not seen yet."""

        def known(id_: str) -> bool:
            return id_ in self._records and (not include_embeddings or id_ in self._vectors)

        missing = [id_ for id_ in dict.fromkeys(ids) if not known(id_)]
        fresh = {hit["id"]: hit for hit in super().get_by_ids(missing, include_embeddings)}
        if len(self._records) < MAX_CACHED:
            for hit in fresh.values():
                self._keep(hit)
        return [
            fresh[id_] if id_ in fresh else self._record(id_, include_embeddings)
            for id_ in ids
            if id_ in fresh or known(id_)
        ]

    def close(self) -> None:
        super().close()
        self._records.clear()
        self._vectors.clear()

    def _keep(self, hit: StoredMovie) -> None:
        import numpy as np

        self._records[hit["id"]] = (hit["document"], hit["metadata"])
        if "embedding" in hit:
            self._vectors[hit["id"]] = np.array(hit["embedding"], dtype=np.float64)

    def _record(self, movie_id: str, include_embedding: bool) -> StoredMovie:
        document, metadata = self._records[movie_id]
        record: StoredMovie = {"id": movie_id, "document": document, "metadata": metadata}
        if include_embedding:
            record["embedding"] = self._vectors[movie_id].tolist()
        return record
