"""What the store hands out: typed movie records and the index summary, made from Chroma's
column-wise results."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypedDict

Metadata = dict[str, Any]


class _StoredMovieFields(TypedDict):
    id: str
    document: str
    metadata: Metadata


class StoredMovie(_StoredMovieFields, total=False):
    """A movie as the store returns it; `distance` from queries, `embedding` when asked for."""

    distance: float
    embedding: list[float]


@dataclass
class Changes:
    """The movies one store object wrote or removed, between the generation before its first
    write (`base`) and the one its last write left (`latest`): what derived caches need to
    follow the writes instead of reading every movie again."""

    base: str | None
    latest: str | None = None
    written: set[str] = field(default_factory=set)
    removed: set[str] = field(default_factory=set)

    def wrote(self, ids: Iterable[str]) -> None:
        self.written.update(ids)
        self.removed.difference_update(self.written)

    def removed_ids(self, ids: Iterable[str]) -> None:
        self.removed.update(ids)
        self.written.difference_update(self.removed)


@dataclass(frozen=True)
class IndexInfo:
    """What `moviembed inspect` reports about an index."""

    location: str
    collection: str
    model: str | None
    dimension: int | None
    distance: str | None
    count: int
    size_bytes: int | None
    next_sync: dt.date | None = None  # where `build --changes` starts; None: never synced


@dataclass(frozen=True)
class SyncState:
    """Where syncing TMDB's changes stands, as recorded with the index."""

    synced: dt.date | None = None  # the next sync asks TMDB for changes from this day on
    pending: dt.datetime | None = None  # when an unfinished sync began (UTC)

    @classmethod
    def from_values(cls, synced: Any, pending: Any) -> SyncState:
        """The state from its stored strings; a damaged value reads as absent."""
        return cls(_parsed(dt.date.fromisoformat, synced), _parsed(_utc_moment, pending))

    def values(self) -> tuple[str | None, str | None]:
        """The strings to store (None: no value)."""
        return (
            self.synced.isoformat() if self.synced else None,
            self.pending.isoformat() if self.pending else None,
        )


def _parsed(parse: Any, value: Any) -> Any:
    try:
        return parse(value) if isinstance(value, str) else None
    except ValueError:
        return None


def _utc_moment(value: str) -> dt.datetime:
    moment = dt.datetime.fromisoformat(value)
    if moment.tzinfo is None:
        raise ValueError("no time zone")
    return moment.astimezone(dt.timezone.utc)


def records_from(result: dict[str, Any]) -> list[StoredMovie]:
    """A Chroma `get` result as records, with `embedding` when it was included."""
    embeddings = result.get("embeddings")
    hits = []
    for position, id_ in enumerate(result["ids"]):
        hit: StoredMovie = {
            "id": id_,
            "document": result["documents"][position],
            "metadata": sorted_metadata(result["metadatas"][position]),
        }
        if embeddings is not None:
            hit["embedding"] = embeddings[position].tolist()  # Chroma gives numpy float64 rows
        hits.append(hit)
    return hits


def sorted_metadata(metadata: dict[str, Any] | None) -> dict[str, Any]:
    """Metadata with keys in a stable order (ChromaDB returns them in any order)."""
    return dict(sorted((metadata or {}).items()))


def distance_of(collection: Any) -> str | None:
    """The collection's distance function (kept in its configuration by Chroma 1.x)."""
    try:
        return str(collection.configuration["hnsw"]["space"])
    except (AttributeError, KeyError, TypeError):
        return (collection.metadata or {}).get("hnsw:space")


def folder_size(path: Path) -> int | None:
    """Bytes under `path`, or None when some file cannot be looked at."""
    try:
        return sum(item.stat().st_size for item in path.rglob("*") if item.is_file())
    except OSError:
        return None
