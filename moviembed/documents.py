"""Pure functions: a `Movie` becomes the text we embed and the metadata we store.

The text reads like a short catalog card so it embeds well and doubles as RAG
context: title and year, the synopsis, then labelled facts.
"""

from __future__ import annotations

import hashlib
import math
import re
import unicodedata
from typing import Any

from moviembed.movie import (
    MAX_POPULARITY,
    MAX_RUNTIME,
    MAX_TITLE,
    MAX_VOTES,
    SIGNALS,
    TOP_CAST,
    Movie,
)

# TMDB keywords kept in the document: enough for themes ("heist", "time travel")
# without crowding out the synopsis in the model's 256-token window.
MAX_KEYWORDS = 12

# The longest document stored, in characters: a movie within every field's maximum
# (moviembed.movie) makes a shorter one.
MAX_DOCUMENT = 10_000

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
    if movie.keywords:
        lines.append(f"Keywords: {', '.join(movie.keywords[:MAX_KEYWORDS])}")
    return "\n".join(lines)


def check_document(document: str) -> None:
    """Raise ValueError if `document` is longer than the documents a build stores."""
    if len(document) > MAX_DOCUMENT:
        raise ValueError(
            f"the document is {len(document):,} characters long, more than the "
            f"{MAX_DOCUMENT:,} stored"
        )


def content_hash(document: str) -> str:
    """A stable fingerprint of a document, used to skip re-embedding unchanged text."""
    return hashlib.sha256(document.encode("utf-8")).hexdigest()


def fold(text: str) -> str:
    """Text reduced for matching: no accents or case, punctuation as single spaces.

    "Léon: The Professional" and "leon the professional" fold the same.
    """
    decomposed = unicodedata.normalize("NFKD", text)
    bare = "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()
    return " ".join(_NON_WORD.split(bare)).strip()


_NON_WORD = re.compile(r"[\W_]+")


def build_metadata(movie: Movie, document: str) -> Metadata:
    """Flat metadata for ChromaDB; keys whose value is unknown are left out (Chroma has no null).

    Besides the readable fields, three keys exist for exact filtering inside
    Chroma: `genre_list`, `director_keys` (folded names) and `title_key`. The
    ranking signals (popularity, votes, rating, poster) are metadata only, so new
    numbers from TMDB never change `doc_hash` and never cost a re-embedding.
    """
    genres = [genre for genre in movie.genres if genre.strip()]
    optional: Metadata = {
        "title_key": fold(movie.title),
        "year": movie.year,
        "genres": ", ".join(genres),
        "genre_list": genres,
        "director": movie.director,
        "director_keys": [key for key in map(fold, movie.directors) if key],
        "cast": ", ".join(movie.cast[:TOP_CAST]),
        "language": movie.original_language,
        "runtime": movie.runtime,
    }
    metadata: Metadata = {"title": movie.title, "doc_hash": content_hash(document)}
    metadata.update({key: value for key, value in optional.items() if value})
    signals = {name: getattr(movie, name) for name in SIGNALS}
    metadata.update({key: value for key, value in signals.items() if value is not None})
    return metadata


# What `build_metadata` writes: key -> (type, required). `check_metadata` holds imported
# records to it, so a query never meets a year that is text or a list of numbers.
METADATA_SCHEMA: dict[str, tuple[type, bool]] = {
    "title": (str, True),
    "doc_hash": (str, True),
    "title_key": (str, False),
    "year": (int, False),
    "genres": (str, False),
    "genre_list": (list, False),
    "director": (str, False),
    "director_keys": (list, False),
    "cast": (str, False),
    "language": (str, False),
    "runtime": (int, False),
    "popularity": (float, False),
    "vote_count": (int, False),
    "vote_average": (float, False),
    "poster_path": (str, False),
}
_BOUNDS = {
    "year": (1, 9999),
    "runtime": (1, MAX_RUNTIME - 1),
    "popularity": (0, MAX_POPULARITY),
    "vote_count": (0, MAX_VOTES),
    "vote_average": (0, 10),
}


def check_metadata(metadata: Any) -> None:
    """Raise ValueError unless `metadata` has the keys and types `build_metadata` writes."""
    if not isinstance(metadata, dict):
        raise ValueError("metadata is not an object")
    unknown = sorted(set(metadata) - set(METADATA_SCHEMA))
    if unknown:
        raise ValueError(f"metadata has unknown key(s) {', '.join(map(repr, unknown))[:200]}")
    for key, (kind, required) in METADATA_SCHEMA.items():
        if key not in metadata:
            if required:
                raise ValueError(f"metadata has no {key}")
            continue
        if not _has_type(metadata[key], kind) or not _in_bounds(key, metadata[key]):
            raise ValueError(f"metadata {key} is not {_described(kind)}: {metadata[key]!r:.60}")
        if kind is str and len(metadata[key]) > _LONGEST.get(key, MAX_DOCUMENT):
            raise ValueError(f"metadata {key} is {len(metadata[key]):,} characters long")


_LONGEST = {"title": MAX_TITLE, "title_key": MAX_TITLE, "doc_hash": 64, "poster_path": 200}


def _has_type(value: Any, kind: type) -> bool:
    if kind is list:
        return isinstance(value, list) and all(isinstance(item, str) and item for item in value)
    if kind is int:
        return isinstance(value, int) and not isinstance(value, bool)
    if kind is float:
        return (
            isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)
        )
    return isinstance(value, str) and bool(value)


def _in_bounds(key: str, value: Any) -> bool:
    low, high = _BOUNDS.get(key, (None, None))
    return low is None or low <= value <= high


def _described(kind: type) -> str:
    if kind is list:
        return "a list of text"
    if kind is float:
        return "a number in range"
    return "a whole number in range" if kind is int else "non-empty text"
