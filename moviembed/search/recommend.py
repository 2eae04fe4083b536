"""Recommendations from a person's taste: liked (and disliked) movies in, ranked picks out.

Only stored vectors are used, so no model is loaded. Every method starts from
the taste vector: the mean of the liked movies' vectors, minus a share of the
disliked ones' mean (Rocchio's relevance feedback), so negatives push away.

* `centroid`: the movies nearest to the taste vector.
* `rrf`: each liked movie's own neighbour list, fused by reciprocal rank; each
  disliked movie's list counts against. A taste spanning two kinds of film
  keeps both, where the centroid can fall between them.
* `mmr`: the centroid's candidates re-ranked by maximal marginal relevance, so
  near-duplicates of one pick make way for something different.

Each pick names its reason: the liked movie whose vector is closest to it.
Optional weights (e.g. from ratings: five stars count more than four) scale each
movie's share of the means and of the fused lists.
benchmarks/recommend_quality.py compares the methods; the default is its winner.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Mapping, Sequence
from dataclasses import dataclass

import numpy as np

from moviembed.choices import DEFAULT_METHOD, MAX_LIMIT, RecommendMethod
from moviembed.errors import NotFoundError, UsageError
from moviembed.index.reader import IndexReader
from moviembed.index.records import StoredMovie
from moviembed.search.filters import Filters
from moviembed.search.hits import Because, Recommendation
from moviembed.search.query import ensure_not_empty, with_director_resolved
from moviembed.search.ranking import RRF_K

CANDIDATES = 50  # neighbours read per list, beyond the excluded movies
NEGATIVE_WEIGHT = 0.25  # how hard disliked movies push the taste vector away
MMR_LAMBDA = 0.7  # relevance against novelty in the MMR re-rank (1 = relevance only)

Ranking = list[tuple[StoredMovie, float]]  # candidates with their method score, best first
Neighbours = Callable[[Sequence[float]], list[StoredMovie]]  # a vector's nearest stored movies


@dataclass(frozen=True)
class _Taste:
    """The liked movies (with unit vectors) and the taste vector built from both lists."""

    liked: list[StoredMovie]
    liked_vectors: np.ndarray
    disliked_vectors: np.ndarray
    vector: np.ndarray
    liked_weights: np.ndarray
    disliked_weights: np.ndarray


def recommend(
    liked: Sequence[str],
    *,
    store: IndexReader,
    disliked: Sequence[str] = (),
    exclude: Collection[str] = (),
    limit: int = 10,
    filters: Filters | None = None,
    method: str = DEFAULT_METHOD,
    weights: Mapping[str, float] | None = None,
) -> list[Recommendation]:
    """Movies for someone who liked `liked` and not `disliked` (stored ids), best first.

    The inputs and `exclude` (e.g. movies already seen) never come back. `weights` says
    how much a liked or disliked id counts (above 0; 1 for any id not in it).
    NotFoundError when an id is not stored or every candidate is excluded.
    """
    method = _method(method)
    if not liked:
        raise UsageError("Name at least one liked movie.")
    if not 1 <= limit <= MAX_LIMIT:
        raise UsageError(f"The limit must be between 1 and {MAX_LIMIT}, got {limit}.")
    both = set(liked) & set(disliked)
    if both:
        raise UsageError(f"Movie {', '.join(sorted(both))} is both liked and disliked.")
    if weights and not all(0 < weight < float("inf") for weight in weights.values()):
        raise UsageError("Weights must be positive numbers.")
    ensure_not_empty(store)
    taste = _taste(store, liked, disliked, weights or {})
    skip = set(liked) | set(disliked) | set(exclude)
    depth = min(store.count(), max(CANDIDATES, limit) + len(skip))
    seen_any: list[bool] = []

    def ranked(chosen: Filters) -> Ranking:
        where = chosen.where()
        pool = _RANKERS[method](taste, lambda vector: store.query_similar(vector, depth, where))
        seen_any.append(bool(pool))
        kept = [(hit, score) for hit, score in pool if hit["id"] not in skip]
        return _mmr(store, taste, kept, limit) if method is RecommendMethod.mmr else kept

    picks = with_director_resolved(store, filters or Filters(), ranked)[:limit]
    if not picks and any(seen_any):
        raise NotFoundError(
            "Every candidate movie is one you liked, disliked or have seen; "
            "loosen the filters or the seen list."
        )
    return _explained(store, taste, [hit["id"] for hit, _ in picks])


def _method(method: str) -> RecommendMethod:
    try:
        return RecommendMethod(method)
    except ValueError:
        known = ", ".join(choice.value for choice in RecommendMethod)
        raise UsageError(f"Unknown method {method!r}; use one of {known}.") from None


def _taste(
    store: IndexReader, liked: Sequence[str], disliked: Sequence[str], weights: Mapping[str, float]
) -> _Taste:
    """The stored vectors of both lists and their weighted means; NotFoundError naming any
    id not stored."""
    hits = store.get_by_ids(list(dict.fromkeys([*liked, *disliked])), include_embeddings=True)
    by_id = {hit["id"]: hit for hit in hits}
    missing = [movie_id for movie_id in [*liked, *disliked] if movie_id not in by_id]
    if missing:
        raise NotFoundError(f"No movie with id {', '.join(missing)} in the index.")
    loved = [by_id[movie_id] for movie_id in dict.fromkeys(liked)]
    hated = list(dict.fromkeys(disliked))
    liked_vectors = _unit([hit["embedding"] for hit in loved])
    disliked_vectors = _unit([by_id[movie_id]["embedding"] for movie_id in hated])
    liked_weights = np.array([weights.get(hit["id"], 1.0) for hit in loved])
    disliked_weights = np.array([weights.get(movie_id, 1.0) for movie_id in hated])
    vector = np.average(liked_vectors, axis=0, weights=liked_weights)
    if len(disliked_vectors):
        away = np.average(disliked_vectors, axis=0, weights=disliked_weights)
        vector = vector - NEGATIVE_WEIGHT * away
    return _Taste(
        loved, liked_vectors, disliked_vectors, _unit([vector])[0], liked_weights, disliked_weights
    )


def _unit(vectors: Sequence[Sequence[float]] | np.ndarray) -> np.ndarray:
    """Rows scaled to length 1 (cosine similarity becomes a dot product)."""
    matrix = np.asarray(vectors, dtype=np.float64)
    if not len(matrix):
        return matrix.reshape(0, 0)
    norms = np.linalg.norm(matrix, axis=1, keepdims=True)
    return matrix / np.where(norms == 0, 1.0, norms)


def _centroid(taste: _Taste, nearest: Neighbours) -> Ranking:
    return [(hit, 1.0 - hit["distance"]) for hit in nearest(taste.vector.tolist())]


def _rrf(taste: _Taste, nearest: Neighbours) -> Ranking:
    """Reciprocal-rank fusion of each liked movie's neighbours, minus the disliked ones'."""
    lists = [*zip(taste.liked_weights, taste.liked_vectors, strict=True)] + [
        (-NEGATIVE_WEIGHT * weight, vector)
        for weight, vector in zip(taste.disliked_weights, taste.disliked_vectors, strict=True)
    ]
    pool: dict[str, StoredMovie] = {}
    scores: dict[str, float] = {}
    for weight, vector in lists:
        for rank, hit in enumerate(nearest(vector.tolist()), start=1):
            if weight > 0:
                pool.setdefault(hit["id"], hit)
            scores[hit["id"]] = scores.get(hit["id"], 0.0) + weight / (RRF_K + rank)
    order = sorted(pool, key=lambda movie_id: scores[movie_id], reverse=True)
    return [(pool[movie_id], scores[movie_id]) for movie_id in order]


def _mmr(store: IndexReader, taste: _Taste, pool: Ranking, limit: int) -> Ranking:
    """Greedy maximal marginal relevance over the centroid's candidates."""
    ids = [hit["id"] for hit, _ in pool[: max(CANDIDATES, 2 * limit)]]
    stored = store.get_by_ids(ids, include_embeddings=True)  # in order, any removed left out
    if not stored:
        return []
    vectors = _unit([hit["embedding"] for hit in stored])
    relevance = vectors @ taste.vector
    chosen: list[int] = []
    closest = np.full(len(stored), -np.inf)  # each candidate's similarity to the nearest pick
    for _ in range(min(limit, len(stored))):
        novelty = np.where(np.isfinite(closest), closest, 0.0)
        score = MMR_LAMBDA * relevance - (1 - MMR_LAMBDA) * novelty
        score[chosen] = -np.inf
        best = int(np.argmax(score))
        chosen.append(best)
        closest = np.maximum(closest, vectors @ vectors[best])
    return [(stored[index], float(relevance[index])) for index in chosen]


_RANKERS: dict[RecommendMethod, Callable[[_Taste, Neighbours], Ranking]] = {
    RecommendMethod.centroid: _centroid,
    RecommendMethod.rrf: _rrf,
    RecommendMethod.mmr: _centroid,  # then re-ranked by _mmr
}


def _explained(store: IndexReader, taste: _Taste, ids: list[str]) -> list[Recommendation]:
    """The picks, numbered, each with its similarity to the taste and its closest liked movie."""
    hits = store.get_by_ids(ids, include_embeddings=True)
    if not hits:
        return []
    vectors = _unit([hit.pop("embedding") for hit in hits])
    to_liked = vectors @ taste.liked_vectors.T
    picks = []
    for rank, (hit, vector, row) in enumerate(zip(hits, vectors, to_liked, strict=True), 1):
        reason = taste.liked[int(np.argmax(row))]
        closeness = float(vector @ taste.vector)
        picks.append(
            Recommendation(
                rank=rank,
                id=hit["id"],
                similarity=closeness,
                score=closeness,
                document=hit["document"],
                metadata=hit["metadata"],
                because=Because(
                    id=reason["id"],
                    title=str(reason["metadata"].get("title", "")),
                    similarity=float(row.max()),
                    document=reason["document"],
                ),
            )
        )
    return picks
