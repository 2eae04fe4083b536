"""What the tools answer: typed models for `structuredContent` (movie ids as integers) and
the readable text beside them.

New facts about a search (e.g. the conditions understood from the request) become new
optional fields of `SearchResult`; clients ignore fields they do not know.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, TypeVar

from pydantic import BaseModel, Field

from moviembed.index.records import StoredMovie
from moviembed.search.query import SearchHit
from moviembed.search.recommend import Recommendation


class MovieFacts(BaseModel):
    """A stored movie: its facts and the document its vector was made from."""

    id: int = Field(description="TMDB id.")
    title: str
    year: int | None = None
    genres: list[str] = Field(default_factory=list)
    director: str | None = None
    cast: str | None = Field(None, description="Top-billed actors, comma-separated.")
    language: str | None = Field(None, description="Original language, ISO 639-1.")
    runtime: int | None = Field(None, description="Minutes.")
    rating: float | None = Field(None, description="TMDB users' average vote, 0-10.")
    votes: int | None = Field(None, description="How many TMDB users voted.")
    document: str = Field(description="The text the movie was embedded from.")

    @classmethod
    def of(cls, movie_id: str | int, document: str, metadata: dict[str, Any]) -> MovieFacts:
        return cls(**facts(movie_id, document, metadata))


_H = TypeVar("_H", bound="Hit")


class Hit(MovieFacts):
    """A ranked result, as `moviembed query --json` ranks it."""

    rank: int
    similarity: float = Field(description="Cosine similarity to the query (or the movie).")
    score: float = Field(description="What ranked it: fused score in search, else similarity.")

    @classmethod
    def of_hit(cls: type[_H], hit: SearchHit, **extra: Any) -> _H:
        """`hit` as this model; `extra` fills a subclass's own fields."""
        return cls(
            **facts(hit.id, hit.document, hit.metadata),
            rank=hit.rank,
            similarity=round(hit.similarity, 4),
            score=round(hit.score, 5),
            **extra,
        )


class Because(BaseModel):
    """The liked movie a recommendation is closest to."""

    id: int
    title: str
    similarity: float


class Pick(Hit):
    """A recommendation, with the liked movie it is closest to."""

    because: Because

    @classmethod
    def of_pick(cls, pick: Recommendation) -> Pick:
        return cls.of_hit(pick, because=Because(**pick.because.to_dict()))


class SearchResult(BaseModel):
    """Movies for a text, best first."""

    query: str
    understood: dict[str, Any] = Field(
        description="What the query was read as asking for: a summary, each condition "
        "(language, years, genres, people, ...), and the words left to match."
    )
    results: list[Hit]


class SimilarResult(BaseModel):
    """Movies most like one stored movie, best first (itself excluded)."""

    movie: str = Field(description="The movie as asked for.")
    results: list[Hit]


class RecommendResult(BaseModel):
    """Recommendations, best first, each with the liked movie it is closest to."""

    results: list[Pick]


class ContextResult(BaseModel):
    """A prompt-ready block of movies for a question."""

    question: str
    ids: list[int] = Field(description="The movies in the block, in its order.")
    text: str


def facts(movie_id: str | int, document: str, metadata: dict[str, Any]) -> dict[str, Any]:
    """The `MovieFacts` fields from a stored record."""
    return {
        "id": int(movie_id),
        "title": str(metadata.get("title", "")),
        "year": metadata.get("year"),
        "genres": list(metadata.get("genre_list") or []),
        "director": metadata.get("director"),
        "cast": metadata.get("cast"),
        "language": metadata.get("language"),
        "runtime": metadata.get("runtime"),
        "rating": metadata.get("vote_average"),
        "votes": metadata.get("vote_count"),
        "document": document,
    }


def hits_of(hits: Sequence[SearchHit]) -> list[Hit]:
    return [Hit.of_hit(hit) for hit in hits]


def movie_text(movie: StoredMovie) -> str:
    """A stored movie as a reader (or a model) wants it: the document, then the numbers."""
    details = MovieFacts.of(movie["id"], movie["document"], movie["metadata"])
    numbers = [f"TMDB id {details.id}"]
    if details.rating is not None:
        numbers.append(f"rated {details.rating}/10 by {details.votes or 0:,} TMDB users")
    if details.runtime:
        numbers.append(f"{details.runtime} minutes")
    if details.language:
        numbers.append(f"language {details.language}")
    return f"{details.document}\n{' | '.join(numbers)}\n"
