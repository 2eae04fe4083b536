"""How search candidates are scored: rank fusion, a popularity prior, and other sort orders.

Hybrid ranking sums reciprocal ranks (RRF) from the dense and keyword lists;
dense ranking uses its one list. A small prior then favours movies many
people have rated and liked, the way every movie search people use does: a
description fits many films, and the one meant is usually the well-known one.
Its form (log vote count, plus the rating weighted by that) and weight were
chosen on the tuning half of benchmarks/quality_queries.json against vote
count alone and TMDB popularity (see benchmarks/README.md).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from moviembed.choices import RankOrder

RRF_K = 60  # the usual reciprocal-rank-fusion constant
TITLE_BONUS = 1.0  # larger than any fused score: exact titles rank first
PRIOR_WEIGHT = 0.006  # about the gap between rank 1 and rank 50 in one list
VOTES_FOR_FULL_PRIOR = 10_000  # vote counts are log-scaled up to this
# The prior breaks near-ties between movies that fit the query about equally well: it fades
# to nothing for a movie whose similarity is this far below the best candidate's. Without
# it, in a small catalog (every movie in both lists, ranks a hair apart) a famous film that
# barely fits jumped the one that fits: "a shark attacks a beach town" gave Pulp Fiction.
PRIOR_MARGIN = 0.25

Metadata = Mapping[str, Any]
Prior = Callable[[Metadata], float]


def _number(metadata: Metadata, key: str) -> float | None:
    value = metadata.get(key)
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return None
    return float(value)


def vote_prior(metadata: Metadata) -> float:
    """How well known a movie is, in [-0.5, 0.5]: log vote count, 0 (neutral) when unknown.

    A movie with about a hundred votes sits at 0, the many obscure ones below.
    """
    votes = _number(metadata, "vote_count")
    if votes is None:
        return 0.0
    return min(math.log1p(max(votes, 0.0)) / math.log1p(VOTES_FOR_FULL_PRIOR), 1.0) - 0.5


def liked_prior(metadata: Metadata) -> float:
    """`vote_prior` plus how well liked, trusted only as far as votes back it (about
    -0.5 to 0.7); a movie with no rating or votes known gets 0, neutral."""
    known = vote_prior(metadata)
    rating = _number(metadata, "vote_average")
    liked = (rating - 6.5) / 7 if rating is not None else 0.0
    return known + liked * (known + 0.5)


@dataclass(frozen=True)
class Explanation:
    """What ranked a result: its place in each list, an exact title, and the prior's share."""

    dense_rank: int | None
    keyword_rank: int | None
    title_match: bool
    prior: float

    def to_dict(self) -> dict[str, Any]:
        return {
            "dense_rank": self.dense_rank,
            "keyword_rank": self.keyword_rank,
            "title_match": self.title_match,
            "prior": round(self.prior, 5),
        }


def fuse(
    lists: Sequence[Sequence[str]],
    titled: Sequence[str],
    metadata: Mapping[str, Metadata],
    prior: Prior | None = liked_prior,
    weight: float = PRIOR_WEIGHT,
    similarity: Mapping[str, float] | None = None,
) -> dict[str, tuple[float, Explanation]]:
    """Score every id in `metadata`: RRF over `lists` (dense first, then keyword), the
    title bonus, and `weight * prior`, faded by how far the movie's `similarity` falls
    below the best one's; the explanation says where each part came from."""
    ranks = [{movie_id: rank for rank, movie_id in enumerate(ids, start=1)} for ids in lists]
    exact = set(titled)
    best = max(similarity.values(), default=0.0) if similarity else 0.0
    scored = {}
    for movie_id, meta in metadata.items():
        places = [ranking.get(movie_id) for ranking in ranks]
        gap = best - similarity.get(movie_id, best) if similarity else 0.0
        fit = min(max(1.0 - gap / PRIOR_MARGIN, 0.0), 1.0)
        boost = weight * prior(meta) * fit if prior else 0.0
        score = sum(1.0 / (RRF_K + rank) for rank in places if rank is not None) + boost
        score += TITLE_BONUS if movie_id in exact else 0.0
        places += [None] * (2 - len(places))
        scored[movie_id] = (score, Explanation(places[0], places[1], movie_id in exact, boost))
    return scored


def order_key(order: RankOrder) -> Callable[[Metadata], tuple[float, ...]]:
    """A sort key (ascending = best first) for `--rank` other than relevance; unknowns last."""
    fields = {
        RankOrder.popularity: ("popularity",),
        RankOrder.rating: ("vote_average", "vote_count"),
        RankOrder.year: ("year",),
    }[order]

    def key(metadata: Metadata) -> tuple[float, ...]:
        values = [_number(metadata, name) for name in fields]
        return tuple(-value if value is not None else math.inf for value in values)

    return key
