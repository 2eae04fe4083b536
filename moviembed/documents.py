"""Pure functions: a `Movie` becomes the text we embed and the metadata we store.

The text reads like a short catalog card so it embeds well and doubles as RAG
context: title and year, the synopsis, then labelled facts.
"""

from __future__ import annotations

import hashlib
from typing import Any

from .movie import TOP_CAST, Movie

Metadata = dict[str, Any]


def build_document(movie: Movie) -> str:
    """The text that is embedded; lines for missing facts are left out."""
    heading = f"{movie.title} ({movie.year})" if movie.year else movie.title
    lines = [heading]
    if movie.overview.strip():
        lines.append(" ".join(movie.overview.split()))
    if movie.genres:
        lines.append(f"Genres: {', '.join(movie.genres)}")
    if movie.director:
        lines.append(f"Director: {movie.director}")
    if movie.cast:
        lines.append(f"Cast: {', '.join(movie.cast[:TOP_CAST])}")
    return "\n".join(lines)


def content_hash(document: str) -> str:
    """A stable fingerprint of a document, used to skip re-embedding unchanged text."""
    return hashlib.sha256(document.encode("utf-8")).hexdigest()


def build_metadata(movie: Movie, document: str) -> Metadata:
    """Flat metadata for ChromaDB; keys whose value is unknown are left out (Chroma has no null)."""
    metadata: Metadata = {"title": movie.title, "doc_hash": content_hash(document)}
    optional: Metadata = {
        "year": movie.year,
        "genres": ", ".join(movie.genres),
        "director": movie.director,
        "cast": ", ".join(movie.cast[:TOP_CAST]),
        "language": movie.original_language,
        "runtime": movie.runtime,
    }
    metadata.update({key: value for key, value in optional.items() if value})
    return metadata
