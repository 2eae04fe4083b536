"""Pure functions: a `Movie` becomes the text we embed and the metadata we store.

The text reads like a short catalog card so it embeds well and doubles as RAG
context: title and year, the synopsis, then labelled facts.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from typing import Any

from moviembed.movie import SIGNALS, TOP_CAST, Movie

# TMDB keywords kept in the document: enough for themes ("heist", "time travel")
# without crowding out the synopsis in the model's 256-token window.
MAX_KEYWORDS = 12

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
