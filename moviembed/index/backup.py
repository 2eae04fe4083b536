"""Export an index to JSON lines and import it back, without re-embedding.

The first line is a header naming the model and dimension; then one movie per
line (`id`, `document`, `metadata`, `embedding`), sorted by id so exports
diff well. Embeddings are written as the exact decimal of each float32;
Chroma re-normalises cosine vectors on write, which may move the last bit of
a few components once, after which they are stable. An import is validated
completely before anything is written: a damaged file changes nothing.
"""

from __future__ import annotations

import datetime as dt
import json
import math
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

from moviembed import __version__
from moviembed.documents import check_document, check_metadata, content_hash
from moviembed.embedding.embedder import KNOWN_DIMENSIONS, canonical_model_name
from moviembed.errors import InputError, StoreError
from moviembed.files import parse_json, read_user_text, refuse_special_file, write_atomically
from moviembed.index.store import DISTANCE, EmbeddingStore
from moviembed.movie import parse_movie_id

EXPORT_FORMAT = 1
FLOAT32_MAX = 3.4028234663852886e38
# Cosine needs a direction: below this squared length a vector is zero in float32 terms.
MIN_SQUARED_NORM = 1e-30


@dataclass(frozen=True)
class ExportHeader:
    """What an export says about the index it came from."""

    model: str
    dimension: int
    count: int


@dataclass(frozen=True)
class ImportedMovies:
    """Validated movies from an export, ready to upsert."""

    header: ExportHeader
    ids: list[str]
    documents: list[str]
    metadatas: list[dict[str, Any]]
    embeddings: list[list[float]]


def export_index(store: EmbeddingStore, out: IO[str]) -> int:
    """Write the header and every movie of `store` to `out`; returns the number of movies."""
    info = store.info()
    hits = sorted(
        (hit for page in store.iter_movies(include_embeddings=True) for hit in page),
        key=lambda hit: int(hit["id"]) if hit["id"].isdigit() else hit["id"],
    )
    header = {
        "moviembed_export": EXPORT_FORMAT,
        "model": info.model,
        "dimension": info.dimension,
        "distance": info.distance or DISTANCE,
        "count": len(hits),
        "exported_at": dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds"),
        "moviembed_version": __version__,
    }
    out.write(json.dumps(header) + "\n")
    for hit in hits:
        line = {key: hit[key] for key in ("id", "document", "metadata", "embedding")}
        out.write(json.dumps(line, ensure_ascii=False) + "\n")
    return len(hits)


def export_to_file(store: EmbeddingStore, path: Path) -> int:
    """Export to `path` through a temp file renamed into place: no half-written backup.

    Anything at `path` but a regular file (a symlink, a named pipe) is refused: the
    rename would replace it rather than write through it."""
    refuse_special_file(path, "export")
    try:
        return write_atomically(path, lambda handle: export_index(store, handle))
    except OSError as exc:
        raise StoreError(f"Cannot write {path}: {exc.strerror or exc}.") from None


def read_export_file(path: Path) -> ImportedMovies:
    """`read_export` of a file, with one clear error if it cannot be read as text."""
    return read_export(read_user_text(path, "export file").splitlines(), source=str(path))


def read_export(lines: Iterable[str], source: str) -> ImportedMovies:
    """Parse and check a whole export; InputError names the first bad line."""
    numbered = enumerate(lines, start=1)
    header = _header(next(numbered, (1, "")), source)
    movies = ImportedMovies(header, [], [], [], [])
    seen: set[str] = set()
    for number, line in numbered:
        if not line.strip():
            continue
        try:
            record = _record(parse_json(line), header.dimension)
        except ValueError as exc:
            raise InputError(f"{source} line {number}: {exc}. Nothing was imported.") from None
        if record[0] in seen:
            raise InputError(f"{source} line {number}: id {record[0]} appears twice.")
        seen.add(record[0])
        for column, value in zip(
            (movies.ids, movies.documents, movies.metadatas, movies.embeddings), record, strict=True
        ):
            column.append(value)
    if len(movies.ids) != header.count:
        raise InputError(
            f"{source} holds {len(movies.ids)} movies but its header says {header.count}: "
            "the file is incomplete. Nothing was imported."
        )
    return movies


def import_movies(store: EmbeddingStore, movies: ImportedMovies) -> int:
    """Upsert validated movies into `store` (whose model must match); returns how many."""
    store.upsert_movies(movies.ids, movies.embeddings, movies.documents, movies.metadatas)
    return len(movies.ids)


def _header(first: tuple[int, str], source: str) -> ExportHeader:
    try:
        data = parse_json(first[1])
    except ValueError:
        data = None
    if not isinstance(data, dict) or data.get("moviembed_export") != EXPORT_FORMAT:
        raise InputError(
            f"{source} is not a moviembed export (format {EXPORT_FORMAT}): its first line "
            "should be the header that `moviembed export` writes."
        )
    model, dimension, count = data.get("model"), data.get("dimension"), data.get("count")
    if not (isinstance(model, str) and _positive(dimension) and _positive(count, zero=True)):
        raise InputError(f"{source} has a damaged header (model, dimension or count).")
    known = KNOWN_DIMENSIONS.get(canonical_model_name(model))
    if known and dimension != known:
        raise InputError(
            f"{source} says its {dimension}-d vectors are from {model}, which makes {known}-d "
            "ones: the export is damaged. Nothing was imported."
        )
    return ExportHeader(model=model, dimension=dimension, count=count)


def _record(data: Any, dimension: int) -> tuple[str, str, dict[str, Any], list[float]]:
    if not isinstance(data, dict):
        raise ValueError("not a JSON object")
    movie_id, document = data.get("id"), data.get("document")
    metadata, embedding = data.get("metadata"), data.get("embedding")
    if not _is_stored_id(movie_id):
        raise ValueError(f"id {movie_id!r} is not a TMDB id")
    if not isinstance(document, str):
        raise ValueError("document is not text")
    check_document(document)
    check_metadata(metadata)
    if metadata["doc_hash"] != content_hash(document):
        raise ValueError("doc_hash does not match the document (it was edited after the export)")
    if not isinstance(embedding, list) or len(embedding) != dimension:
        size = len(embedding) if isinstance(embedding, list) else "no"
        raise ValueError(f"embedding has {size} values, expected {dimension}")
    if not all(_float32(x) for x in embedding):
        raise ValueError("embedding holds a value that is not a finite float32 number")
    if math.fsum(float(x) * float(x) for x in embedding) < MIN_SQUARED_NORM:
        raise ValueError("embedding is all zeros (or nearly), which has no direction to compare")
    return movie_id, document, metadata, [float(x) for x in embedding]


def _float32(value: Any) -> bool:
    """A number that float32 holds without overflowing (Chroma stores float32)."""
    return (
        isinstance(value, (int, float))
        and not isinstance(value, bool)
        and math.isfinite(value)
        and abs(value) <= FLOAT32_MAX
    )


def _positive(value: Any, zero: bool = False) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and value >= (0 if zero else 1)


def _is_stored_id(value: Any) -> bool:
    """True for a TMDB id written as the index writes it ("603"; not "0603" or 603)."""
    try:
        return isinstance(value, str) and parse_movie_id(value) == value
    except InputError:
        return False
