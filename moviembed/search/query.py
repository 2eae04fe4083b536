"""Search over an `IndexReader`: dense or hybrid ranking, filters, titles, more-like-this.

Hybrid ranking adds two kinds of evidence: similarity to the dense neighbours
from Chroma and BM25 keyword matches from `KeywordIndex`, so exact words (a
character's name, "heist", a director) still count. A movie whose title is
exactly the query goes first, and a popularity prior favours the well-known film
among those that fit (search/ranking.py). Filters apply inside Chroma for the
dense list and to the same metadata for keyword matches.
"""

from __future__ import annotations

import logging
import math
from collections.abc import Callable, Collection, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any

from moviembed.choices import DEFAULT_MODE, MAX_LIMIT, RankOrder, SearchMode
from moviembed.documents import fold
from moviembed.embedding.embedder import Embedder
from moviembed.errors import NotFoundError, StoreError, UsageError
from moviembed.index.keywords import KeywordIndex
from moviembed.index.reader import IndexReader
from moviembed.index.records import StoredMovie
from moviembed.search.candidates import Vector, add_to_pool, allowed, dense_pool
from moviembed.search.filters import Filters
from moviembed.search.lookup import IndexLookup
from moviembed.search.names import resolve_movie
from moviembed.search.ranking import (
    Candidates,
    Explanation,
    Prior,
    fuse,
    leaning,
    liked_prior,
    order_key,
)
from moviembed.search.understand import understand
from moviembed.search.understanding import Understanding

log = logging.getLogger(__name__)

MAX_QUERY_CHARS = 2000
CANDIDATES = 50  # per list (dense, keyword) scored, and the pool --rank re-sorts
ASKED_SHARE = 1.0  # "like X but Y": Y's vector's weight beside X's
# The keyword lookup (SQLite BM25, which lets go of the GIL) runs while the query is embedded.
_LOOKUPS = ThreadPoolExecutor(max_workers=4, thread_name_prefix="moviembed-keywords")


@dataclass(frozen=True)
class SearchHit:
    """One ranked result; `similarity` is 1 - cosine distance to the query, `score` what
    ranked it (the fused score in search, the similarity in `similar`). `id` is TMDB's
    integer, however it was given (the store keeps Chroma's strings)."""

    rank: int
    id: int
    similarity: float
    document: str
    metadata: dict[str, Any]
    score: float = 0.0
    explanation: Explanation | None = None

    def __post_init__(self) -> None:
        object.__setattr__(self, "id", int(self.id))  # every hit is made here, from any store

    @property
    def title(self) -> str:
        return str(self.metadata.get("title", ""))

    @property
    def year(self) -> int | None:
        return self.metadata.get("year")

    @property
    def genres(self) -> str:
        return str(self.metadata.get("genres", ""))

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form used by `--json`."""
        return {
            "rank": self.rank,
            "id": self.id,
            "title": self.title,
            "year": self.year,
            "genres": self.genres,
            "similarity": round(self.similarity, 4),
            "score": round(self.score, 5),
            "explain": self.explanation.to_dict() if self.explanation else None,
            "document": self.document,
            "metadata": self.metadata,
        }


def ensure_not_empty(store: IndexReader) -> None:
    """Raise a hint to build first when the index holds no movies."""
    if store.count() == 0:
        raise NotFoundError(f"The index at {store.location} is empty. Run `moviembed build` first.")


def check_query(text: str, limit: int) -> str:
    """The query text, stripped; UsageError for empty or oversized text or a bad limit."""
    text = " ".join(text.split())
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:  # bytes the terminal could not decode arrive as surrogates
        raise UsageError(
            "The query is not valid UTF-8 text; check your terminal's encoding."
        ) from None
    if not text:
        raise UsageError(
            'The query is empty. Describe a movie, e.g. moviembed query "space heist".'
        )
    if len(text) > MAX_QUERY_CHARS:
        raise UsageError(
            f"The query is {len(text):,} characters long; keep it under {MAX_QUERY_CHARS:,}."
        )
    if not 1 <= limit <= MAX_LIMIT:
        raise UsageError(f"The limit must be between 1 and {MAX_LIMIT}, got {limit}.")
    return text


class SearchResults(list[SearchHit]):
    """The hits of a search, best first, with what was understood of the request."""

    def __init__(self, hits: Sequence[SearchHit], understood: Understanding) -> None:
        super().__init__(hits)
        self.understood = understood

    def to_dicts(self) -> list[dict[str, Any]]:
        """JSON-ready hits, each saying what was understood (the `--json` and API form)."""
        understood = self.understood.to_dict()
        return [hit.to_dict() | {"understood": understood} for hit in self]


def search(
    text: str,
    *,
    store: IndexReader,
    embedder: Embedder,
    limit: int = 10,
    filters: Filters | None = None,
    mode: SearchMode = DEFAULT_MODE,
    keywords: KeywordIndex | None = None,
    order: RankOrder = RankOrder.relevance,
    prior: Prior | None = liked_prior,
    literal: bool = False,
    ignore: Collection[str] = (),
) -> SearchResults:
    """Movies closest in meaning to `text` (and, in hybrid mode, in words), best first.

    The request is read first (search/understand.py): the conditions it states filter or
    lean, the rest is matched; `literal=True` takes every word as written. Explicit
    `filters` win over understood ones. `order` other than relevance re-sorts the
    CANDIDATES (or `limit`, if more) most relevant matches by popularity, rating or year;
    `prior=None` ranks by fit alone; `ignore` drops understood conditions by name
    (`Understanding.conditions()` names them). `keywords` is read as it is: bring it up to
    date first (`KeywordIndex.ensure_current`, a step `MovieIndex` takes), so a search never
    rebuilds it inside a read.
    """
    text = check_query(text, limit)
    filters = filters or Filters()
    ensure_not_empty(store)
    request = read_request(text, store, keywords, literal).without(ignore)
    if mode is SearchMode.dense:
        keywords = None
    depth = max(CANDIDATES, limit)
    words = request.keywords if keywords else ""
    # A request's leftover words are no title lookup: titles weigh as much as the rest there
    # (a description keeps the weight tuned for descriptions).
    title_weight = 1.0 if request.understood and not request.description else None
    matches = (
        _LOOKUPS.submit(_keyword_matches, keywords, words, depth * 2, title_weight)
        if words
        else None
    )
    vector = _request_vector(request, store, embedder)
    query = _Query(text, vector, matches, prior, depth, request)
    chosen = request.filters(filters)
    hits = with_director_resolved(store, chosen, lambda given: _ranked(query, store, given))
    if order is not RankOrder.relevance:
        key = order_key(order)
        best = hits[: query.depth]
        hits = sorted(best, key=lambda scored: key(scored[0]["metadata"]))
    return SearchResults(_numbered(hits, limit), request)


def read_request(
    text: str, store: IndexReader, keywords: KeywordIndex | None, literal: bool = False
) -> Understanding:
    """What `text` asks for, read against this index (word for word when `literal`)."""
    if literal:
        return Understanding.literal(text)
    try:
        return understand(text, IndexLookup(store, keywords))
    except StoreError as exc:
        log.warning("%s Taking the query word for word.", exc)
        return Understanding.literal(text)


def _request_vector(request: Understanding, store: IndexReader, embedder: Embedder) -> Vector:
    """The query vector: the request's meaning, steered toward a film it names ("like X")."""
    meaning = request.meaning if request.meaning.strip() else request.text
    if request.reference is None:
        return [float(x) for x in embedder.embed([meaning])[0]]
    named = store.get_one(request.reference.id, include_embeddings=True)["embedding"]
    if not request.meaning.strip():
        return [float(x) for x in named]
    asked = embedder.embed([meaning])[0]
    mixed = [float(a) + ASKED_SHARE * float(b) for a, b in zip(named, asked, strict=True)]
    norm = math.sqrt(sum(x * x for x in mixed)) or 1.0
    return [x / norm for x in mixed]


def similar(
    movie: str, *, store: IndexReader, limit: int = 10, filters: Filters | None = None
) -> list[SearchHit]:
    """Movies nearest to a stored movie's own vector (itself excluded); no model needed."""
    filters = filters or Filters()
    check_query(movie, limit)
    ensure_not_empty(store)
    target = store.get_one(resolve_movie(store, movie), include_embeddings=True)

    def nearest(chosen: Filters) -> list[Scored]:
        hits = store.query_similar(target["embedding"], n_results=limit + 1, where=chosen.where())
        return [_by_similarity(hit) for hit in hits if hit["id"] != target["id"]]

    return _numbered(with_director_resolved(store, filters, nearest), limit)


def with_director_resolved(
    store: IndexReader,
    filters: Filters,
    run: Callable[[Filters], list[Scored]],
) -> list[Scored]:
    """`run(filters)`; if that finds nothing and a director was given, run again with the
    full stored name it stands for (e.g. a surname), so every search reads --director alike."""
    hits = run(filters)
    if not hits and filters.director:
        hits = run(filters.with_director(resolve_director(store, filters.director)))
    return hits


def resolve_director(store: IndexReader, name: str) -> str:
    """The stored director name that `name` (e.g. a surname) uniquely points to."""
    wanted = fold(name).split()
    found = {
        director
        for page in store.iter_movies()
        for hit in page
        for director in hit["metadata"].get("director_keys") or []
        if all(word in director.split() for word in wanted)
    }
    if len(found) == 1:
        return found.pop()
    if found:
        listed = ", ".join(sorted(found)[:10])
        raise UsageError(
            f"{{field}} {name!r} matches several directors: {listed}.", field="director"
        )
    raise NotFoundError(f"No movie by a director named {name!r} in the index.")


@dataclass(frozen=True)
class _Query:
    text: str
    vector: Vector
    keywords: Future[list[tuple[str, float]]] | None  # (id, BM25); None: meaning only
    prior: Prior | None
    depth: int  # candidates per list
    request: Understanding


# A stored movie with its similarity, score and, from search, what made that score.
Scored = tuple[StoredMovie, float, float, Explanation | None]


def _by_similarity(hit: StoredMovie) -> Scored:
    similarity = 1.0 - hit["distance"]
    return hit, similarity, similarity, None


def _ranked(query: _Query, store: IndexReader, filters: Filters) -> list[Scored]:
    """The `query.depth` best dense matches plus keyword and title matches, scored, best first."""
    request = query.request
    pool, dense = dense_pool(query.vector, query.depth, request, store, filters)
    keyword: list[tuple[str, float]] = []
    titled: list[str] = []
    matches = query.keywords.result() if query.keywords is not None else []
    if query.keywords is not None and not request.understood:
        titled = [hit["id"] for hit in store.find_by_title(fold(query.text))]
    wanted = [movie_id for movie_id, _ in matches] + titled
    add_to_pool(pool, query.vector, store, filters, [i for i in wanted if allowed(request, i)])
    for movie_id in request.reference.excluded if request.reference else ():
        pool.pop(movie_id, None)
    keyword = [match for match in matches if match[0] in pool][: query.depth]
    found = Candidates(
        similarity={movie_id: fit for movie_id, (_, fit) in pool.items()},
        metadata={movie_id: hit["metadata"] for movie_id, (hit, _) in pool.items()},
        dense=dense,
        keyword=keyword,
        titled=titled,
        leaning={
            movie_id: leaning(request, hit["metadata"], hit["document"])
            for movie_id, (hit, _) in pool.items()
        }
        if request.understood
        else {},
    )
    scored = fuse(found, query.prior)
    order = sorted(scored, key=lambda movie_id: scored[movie_id][0], reverse=True)
    return [(pool[i][0], pool[i][1], *scored[i]) for i in order]


def _keyword_matches(
    keywords: KeywordIndex, text: str, limit: int, title_weight: float | None
) -> list[tuple[str, float]]:
    try:
        return keywords.search(text, limit, title_weight)
    except StoreError as exc:
        log.warning("%s Ranking by meaning only.", exc)
        return []


def _numbered(scored: Sequence[Scored], limit: int) -> list[SearchHit]:
    return [
        SearchHit(
            rank=rank,
            id=hit["id"],
            similarity=similarity,
            document=hit["document"],
            metadata=hit["metadata"],
            score=score,
            explanation=explanation,
        )
        for rank, (hit, similarity, score, explanation) in enumerate(scored[:limit], start=1)
    ]
