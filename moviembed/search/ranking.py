"""How search candidates are scored: similarity, keyword matches, a popularity prior.

A candidate's score is in the units of cosine similarity: its similarity to the
query, plus up to KEYWORD_WEIGHT for its BM25 match (relative to the best
keyword match of this query), plus PRIOR_WEIGHT times a prior favouring movies
many people have rated and liked, the way every movie search people use does:
a description fits many films, and the one meant is usually the well-known one.
Adding scores rather than ranks (RRF, used before) keeps a strong keyword match
strong and lets the prior move a film only as far as its fit allows, so a famous
film that barely fits never jumps one that fits in a small catalog. Forms and
weights were chosen on the tuning half of benchmarks/quality_queries.json (see
benchmarks/README.md).
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from moviembed.choices import RankOrder

if TYPE_CHECKING:
    from moviembed.search.understanding import Understanding

RRF_K = 60  # the usual reciprocal-rank-fusion constant (recommend's `rrf` method)
TITLE_BONUS = 1.0  # larger than any other score: exact titles rank first
KEYWORD_WEIGHT = 0.25  # what the query's best BM25 match adds, in similarity units
PRIOR_WEIGHT = 0.3  # the prior (-0.5 to 0.76 over TMDB 5000) moves a movie by -0.15..+0.23
VOTES_FOR_FULL_PRIOR = 10_000  # vote counts are log-scaled up to this
# What understood genres and moods add (search/understand.py), in similarity units: a genre
# asked for outweighs any similarity gap within a request's candidates; a mood only leans.
GENRE_WEIGHT = 0.3
MOOD_WEIGHT = 0.08
AVOID_WEIGHT = 0.15
THEME_WEIGHT = 0.15
LIKE_WEIGHT = 0.3  # sharing a genre with the film a request names ("like Alien")
EXCLUDED = -1.0  # a negated keyword or a sequel when sequels are not wanted: ranked last
# A description names a genre in passing: past this many words left to match, the leanings
# shrink in proportion (a story, search/reading.py's STORY_WORDS, leans on none at all).
FOCUS_WORDS = 3

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
    -0.5 to 0.8); a movie with no rating or votes known gets 0, neutral."""
    known = vote_prior(metadata)
    rating = _number(metadata, "vote_average")
    liked = (rating - 6.5) / 7 if rating is not None else 0.0
    return known + liked * (known + 0.5)


@dataclass(frozen=True)
class Explanation:
    """What ranked a result: its place in each list, an exact title, and the keyword
    and prior shares of its score (the rest is its similarity)."""

    dense_rank: int | None
    keyword_rank: int | None
    title_match: bool
    keyword: float
    prior: float
    understood: float = 0.0  # what understood genres, moods and negations added

    def to_dict(self) -> dict[str, Any]:
        return {
            "dense_rank": self.dense_rank,
            "keyword_rank": self.keyword_rank,
            "title_match": self.title_match,
            "keyword": round(self.keyword, 5),
            "prior": round(self.prior, 5),
            "understood": round(self.understood, 5),
        }


@dataclass(frozen=True)
class Candidates:
    """What one search found: each candidate's similarity and metadata, the dense ids in
    rank order, the keyword matches (id, BM25 relevance) best first, and exact titles."""

    similarity: Mapping[str, float]
    metadata: Mapping[str, Metadata]
    dense: Sequence[str]
    keyword: Sequence[tuple[str, float]] = ()
    titled: Sequence[str] = ()
    leaning: Mapping[str, float] = field(default_factory=dict)  # understood, by id


def fuse(
    found: Candidates,
    prior: Prior | None = liked_prior,
    weight: float = PRIOR_WEIGHT,
    keyword_weight: float = KEYWORD_WEIGHT,
) -> dict[str, tuple[float, Explanation]]:
    """Score every candidate: similarity + keyword share (up to `keyword_weight`) +
    `weight * prior` (+ the title bonus); the explanation says where each part came from."""
    dense_rank = {movie_id: rank for rank, movie_id in enumerate(found.dense, start=1)}
    keyword_rank = {movie_id: rank for rank, (movie_id, _) in enumerate(found.keyword, start=1)}
    best = max((relevance for _, relevance in found.keyword), default=0.0)
    keyword_share = {
        movie_id: keyword_weight * relevance / best if best > 0 else 0.0
        for movie_id, relevance in found.keyword
    }
    exact = set(found.titled)
    scored = {}
    for movie_id, meta in found.metadata.items():
        words = keyword_share.get(movie_id, 0.0)
        boost = weight * prior(meta) if prior else 0.0
        leaning = found.leaning.get(movie_id, 0.0)
        score = found.similarity[movie_id] + words + boost + leaning
        score += TITLE_BONUS if movie_id in exact else 0.0
        why = Explanation(
            dense_rank.get(movie_id),
            keyword_rank.get(movie_id),
            movie_id in exact,
            words,
            boost,
            leaning,
        )
        scored[movie_id] = (score, why)
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


def leaning(request: Understanding, metadata: Metadata, document: str) -> float:
    """What a request's understood genres, moods and negations add to one movie's score.
    A story names genres in passing ("a green-faced cartoon maniac", "a terrifying fashion
    editor"): there they count as words to match and lean nothing."""
    genres = set(metadata.get("genre_list") or [])
    themes = _keywords(document)
    score = 0.0 if request.story else _leaned(request, genres, themes)
    if themes.intersection(request.exclude_keywords):
        score += EXCLUDED
    if request.not_sequel and (
        "sequel" in themes or looks_like_sequel(str(metadata.get("title", "")))
    ):
        score += EXCLUDED
    return score


def _leaned(request: Understanding, genres: set[str], themes: set[str]) -> float:
    """The genre, mood and reference leanings, damped for a long description."""
    score = 0.0
    if request.genres:
        score += GENRE_WEIGHT * len(genres.intersection(request.genres)) / len(request.genres)
    if genres.intersection(request.lean_genres):
        score += MOOD_WEIGHT
    if genres.intersection(request.avoid_genres):
        score -= AVOID_WEIGHT
    if themes.intersection(request.lean_keywords):
        score += THEME_WEIGHT
    shared = genres.intersection(request.reference.genres) if request.reference else set()
    if shared - {"Drama", *request.avoid_genres}:
        score += LIKE_WEIGHT
    left = len(request.keywords.split())
    if request.description and FOCUS_WORDS and left:
        score *= min(1.0, FOCUS_WORDS / left)
    return score


def _keywords(document: str) -> set[str]:
    """The TMDB keywords on a document's `Keywords:` line, lower case."""
    for line in reversed(document.splitlines()):
        if line.startswith("Keywords: "):
            return {word.strip().lower() for word in line[10:].split(",")}
    return set()


def looks_like_sequel(title: str) -> bool:
    """True for titles that number themselves ("Toy Story 3", "Rocky IV", "Part II")."""
    return bool(_SEQUEL_TITLE.search(title.lower()))


_SEQUEL_TITLE = re.compile(r"(?:\b(?:[2-9]|ii|iii|iv|v|vi)|\bpart \w+|\bchapter \w+)$")
