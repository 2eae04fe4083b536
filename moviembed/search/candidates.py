"""The candidates a search scores: the nearest movies that meet its filters, and those its
keyword and title lookups add, each with its similarity to the query vector."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from operator import mul

from moviembed.index.reader import IndexReader
from moviembed.index.records import StoredMovie
from moviembed.search.filters import Filters
from moviembed.search.understanding import Understanding

Vector = list[float]
Pool = dict[str, tuple[StoredMovie, float]]  # id -> (stored movie, similarity)


def dense_pool(
    vector: Vector, depth: int, request: Understanding, store: IndexReader, filters: Filters
) -> tuple[Pool, list[str]]:
    """The nearest movies that meet `filters`: Chroma's top `depth`, plus the top of the
    genres a request leans to; a request naming people looks only at their films."""
    if request.people:
        pool: Pool = {}
        ids = sorted(frozenset.intersection(*(person.ids for person in request.people)))
        add_to_pool(pool, vector, store, filters, ids)
        dense = sorted(pool, key=lambda movie_id: pool[movie_id][1], reverse=True)
        return pool, dense[:depth]
    hits = store.query_similar(vector, n_results=depth, where=filters.where())
    leaning = _preferred(request, filters)
    if leaning is not None:
        extra = store.query_similar(vector, n_results=depth, where=leaning.where())
        found = {hit["id"] for hit in hits}
        hits += [hit for hit in extra if hit["id"] not in found]
    pool = {hit["id"]: (hit, 1.0 - hit["distance"]) for hit in hits}
    return pool, [hit["id"] for hit in hits]


def _preferred(request: Understanding, filters: Filters) -> Filters | None:
    """`filters` narrowed to the genres a request asks or leans for, or None (a story's
    genre words lean nothing, so they add no candidates either)."""
    if request.story or not (request.genres or request.lean_genres):
        return None
    genres = tuple(dict.fromkeys(filters.genres + request.genres))
    if not request.genres:  # a mood: its likeliest genre
        genres = filters.genres + request.lean_genres[:1]
    return replace(filters, genres=genres, not_genres=filters.not_genres + request.avoid_genres)


def allowed(request: Understanding, movie_id: str) -> bool:
    """Whether a keyword or title match may join the pool of a request naming people."""
    return all(movie_id in person.ids for person in request.people)


def add_to_pool(
    pool: Pool, vector: Vector, store: IndexReader, filters: Filters, ids: Sequence[str]
) -> None:
    """Add the stored movies `ids` that meet `filters`, with their similarity to `vector`."""
    missing = [movie_id for movie_id in dict.fromkeys(ids) if movie_id not in pool]
    for hit in store.get_by_ids(missing, include_embeddings=True):
        if filters.matches(hit["metadata"]):
            pool[hit["id"]] = (hit, sum(map(mul, vector, hit.pop("embedding"))))
