"""Search ranks exactly as the plain method does, through every reader.

The plain reference below reads every candidate's full record from Chroma and fuses the
lists in one thread. `search` looks keywords up in another thread while the query is
embedded, and in the service reads through `CachingReader`, which keeps records it has
read. Both must give the same ids in the same order with the same similarities, scores,
explanations, documents and metadata, bit for bit, on the bundled catalog (indexed with
the fake embedder) for many queries, filters, modes, limits and orders.

Everything runs against one open index: Chroma's approximate index answers a little
differently each time an index is opened, so results from two processes cannot be compared.
"""

from __future__ import annotations

import itertools
from typing import Any

import pytest

from moviembed.choices import RankOrder, SearchMode
from moviembed.documents import fold
from moviembed.index.builder import build_index
from moviembed.index.cached import CachingReader
from moviembed.index.keywords import KeywordIndex
from moviembed.index.reader import IndexReader
from moviembed.index.store import EmbeddingStore
from moviembed.search.filters import Filters
from moviembed.search.query import CANDIDATES, SearchHit, search, similar
from moviembed.search.ranking import Candidates, fuse, liked_prior, order_key
from moviembed.sources.catalog import load_catalog

from ..fakes import HashingEmbedder

QUERIES = [
    "a shark attacks a beach town",
    "Casablanca",
    "space station crew fights an alien",
    "gangsters in new york",
    "Spielberg",
    "a love story in paris during the war",
    "the",
    "robots",
]
FILTERS = [
    Filters(),
    Filters.parse(["drama"], "1990s"),
    Filters.parse(director="steven spielberg"),
    Filters.parse(language="fr"),
    Filters.parse(min_rating=7.5, min_votes=1000),
]


@pytest.fixture(scope="module")
def bundled(tmp_path_factory: pytest.TempPathFactory) -> tuple[EmbeddingStore, KeywordIndex]:
    """The bundled catalog indexed with the fake embedder, open for the whole module (read as
    every reader reads it, from a snapshot of the files, so ties come in the same order)."""
    folder = tmp_path_factory.mktemp("bundled")
    build_index(load_catalog(), store=EmbeddingStore(folder / "index"), embedder=HashingEmbedder())
    store = EmbeddingStore(folder / "index")
    keywords = KeywordIndex(folder / "keywords.sqlite3")
    keywords.ensure_current(store)
    return store, keywords


def plain_search(
    text: str,
    store: EmbeddingStore,
    keywords: KeywordIndex | None,
    filters: Filters,
    limit: int,
    order: RankOrder,
) -> list[tuple[Any, ...]]:
    """The ranking the plain way: full records for every candidate, dense and keyword."""
    vector = [float(x) for x in HashingEmbedder().embed([text])[0]]
    depth = max(CANDIDATES, limit)
    dense = store.query_similar(vector, n_results=depth, where=filters.where())
    pool = {hit["id"]: (hit, 1.0 - hit["distance"]) for hit in dense}
    keyword: list[tuple[str, float]] = []
    titled: list[str] = []
    if keywords is not None:
        found = keywords.search(text, depth * 2)
        titled = [hit["id"] for hit in store.find_by_title(fold(text))]
        wanted = [movie_id for movie_id, _ in found] + titled
        others = [movie_id for movie_id in dict.fromkeys(wanted) if movie_id not in pool]
        for hit in store.get_by_ids(others, include_embeddings=True):
            if filters.matches(hit["metadata"]):
                fit = sum(a * b for a, b in zip(vector, hit["embedding"], strict=True))
                pool[hit["id"]] = (hit, fit)
        keyword = [match for match in found if match[0] in pool][:depth]
    candidates = Candidates(
        similarity={movie_id: fit for movie_id, (_, fit) in pool.items()},
        metadata={movie_id: hit["metadata"] for movie_id, (hit, _) in pool.items()},
        dense=[hit["id"] for hit in dense],
        keyword=keyword,
        titled=titled,
    )
    scored = fuse(candidates, liked_prior)
    ranked = sorted(scored, key=lambda movie_id: scored[movie_id][0], reverse=True)
    if order is not RankOrder.relevance:
        ranked = sorted(ranked[:depth], key=lambda i: order_key(order)(pool[i][0]["metadata"]))
    return [(*pool[i], *scored[i]) for i in ranked[:limit]]


def as_plain(hit: SearchHit) -> tuple[Any, ...]:
    record = {"id": str(hit.id), "document": hit.document, "metadata": hit.metadata}
    return record, hit.similarity, hit.score, hit.explanation


def strip_distance(plain: tuple[Any, ...]) -> tuple[Any, ...]:
    record = {key: plain[0][key] for key in ("id", "document", "metadata")}
    return record, *plain[1:]


# Every filter in both modes (two queries each), a pool deeper than CANDIDATES, each order.
CASES = [
    (QUERIES[(number + shift) % len(QUERIES)], filters, mode, 10, RankOrder.relevance)
    for number, (filters, mode) in enumerate(itertools.product(FILTERS, SearchMode))
    for shift in (0, 3)
] + [
    (text, Filters(), SearchMode.hybrid, limit, order)
    for text, (limit, order) in itertools.product(
        QUERIES[1::4], [(60, RankOrder.relevance), *((3, order) for order in list(RankOrder)[1:])]
    )
]


@pytest.mark.parametrize("reader", [IndexReader, CachingReader])
def test_search_gives_exactly_the_plain_ranking(
    bundled: tuple[EmbeddingStore, KeywordIndex], reader: type[IndexReader]
) -> None:
    """Through a plain reader, and through the service's caching one, cold then warm."""
    store, keywords = bundled
    searched = reader(store.persist_dir)
    for text, filters, mode, limit, order in CASES:
        words = keywords if mode is SearchMode.hybrid else None
        expected = [
            strip_distance(hit) for hit in plain_search(text, store, words, filters, limit, order)
        ]
        for _ in range(2 if reader is CachingReader else 1):
            hits = search(
                text,
                store=searched,
                embedder=HashingEmbedder(),
                keywords=keywords,
                limit=limit,
                filters=filters,
                mode=mode,
                order=order,
                literal=True,  # the ranking as written; understood requests: test_understand*
            )
            assert [as_plain(hit) for hit in hits] == expected, (text, filters, mode, limit)
            assert [hit.rank for hit in hits] == list(range(1, len(hits) + 1))


def test_keyword_matches_outside_the_dense_list_are_scored(
    bundled: tuple[EmbeddingStore, KeywordIndex],
) -> None:
    store, keywords = bundled
    hits = search("robots", store=store, embedder=HashingEmbedder(), keywords=keywords, limit=60)
    assert any(hit.explanation and hit.explanation.dense_rank is None for hit in hits)


@pytest.mark.parametrize("reader", [IndexReader, CachingReader])
def test_similar_gives_the_nearest_stored_movies_in_full(
    bundled: tuple[EmbeddingStore, KeywordIndex], reader: type[IndexReader]
) -> None:
    store, _ = bundled
    searched = reader(store.persist_dir)
    for title in ["Jaws", "Casablanca", "Seven Samurai", "Jaws"]:
        target = store.find_by_title(fold(title))[0]
        vector = store.get_one(target["id"], include_embeddings=True)["embedding"]
        nearest = [hit for hit in store.query_similar(vector, 11) if hit["id"] != target["id"]]
        expected = [
            strip_distance((hit, 1.0 - hit["distance"], 1.0 - hit["distance"], None))
            for hit in nearest[:10]
        ]
        assert [as_plain(hit) for hit in similar(title, store=searched)] == expected
