"""Semantic search over an `EmbeddingStore`: text in, ranked movies out."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from .embedder import Embedder
from .errors import NotFoundError, UsageError
from .store import EmbeddingStore, Hit

MAX_LIMIT = 1000


@dataclass(frozen=True)
class SearchHit:
    """One ranked result; `similarity` is 1 - cosine distance."""

    rank: int
    id: str
    similarity: float
    document: str
    metadata: dict[str, Any]

    @property
    def title(self) -> str:
        return str(self.metadata.get("title", ""))

    @property
    def year(self) -> int | None:
        return self.metadata.get("year")

    @property
    def genres(self) -> str:
        return str(self.metadata.get("genres", ""))

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form used by `--json`."""
        return {
            "rank": self.rank,
            "id": self.id,
            "title": self.title,
            "year": self.year,
            "genres": self.genres,
            "similarity": round(self.similarity, 4),
            "document": self.document,
            "metadata": self.metadata,
        }


def ensure_not_empty(store: EmbeddingStore) -> None:
    """Raise a hint to build first when the index holds no movies."""
    if store.count() == 0:
        raise NotFoundError(
            f"The index at {store.persist_dir} is empty. Run `moviembed build` first."
        )


def search(
    text: str,
    *,
    store: EmbeddingStore,
    embedder: Embedder,
    limit: int = 10,
    where: dict[str, Any] | None = None,
) -> list[SearchHit]:
    """Movies whose documents are closest in meaning to `text`, best first."""
    text = text.strip()
    if not text:
        raise UsageError(
            'The query is empty. Describe a movie, e.g. moviembed query "space heist".'
        )
    if not 1 <= limit <= MAX_LIMIT:
        raise UsageError(f"The limit must be between 1 and {MAX_LIMIT}, got {limit}.")
    ensure_not_empty(store)
    vector = embedder.embed([text])[0]
    return rank_hits(store.query_similar(vector, n_results=limit, where=where))


def rank_hits(hits: list[Hit]) -> list[SearchHit]:
    """Number store hits from 1 and turn distances into similarities."""
    return [
        SearchHit(
            rank=rank,
            id=hit["id"],
            similarity=1.0 - float(hit["distance"]),
            document=hit["document"],
            metadata=hit["metadata"],
        )
        for rank, hit in enumerate(hits, start=1)
    ]
