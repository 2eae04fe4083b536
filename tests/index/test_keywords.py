"""The BM25 keyword cache: title words weigh more, and an old cache layout is rebuilt."""

from __future__ import annotations

import contextlib
import sqlite3
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from moviembed.index.builder import build_index
from moviembed.index.keywords import KeywordIndex
from moviembed.index.store import EmbeddingStore
from moviembed.movie import Movie
from tests.fakes import HashingEmbedder

MOVIES = [
    Movie(id=1, title="Cold Harbour", overview="Heat rises in a town where the heat never ends."),
    Movie(id=2, title="Heat", overview="A detective hunts a crew of thieves."),
    Movie(id=3, title="Other", overview="Nothing to see."),
]


def test_title_words_outrank_body_words(tmp_path: Path, fake_embedder: HashingEmbedder) -> None:
    store = EmbeddingStore(tmp_path / "index")
    build_index(MOVIES, store=store, embedder=fake_embedder)
    path = KeywordIndex.for_store(store, tmp_path / "cache").path
    KeywordIndex(path).ensure_current(store)
    weighted = KeywordIndex(path).search("heat", 5)
    assert [movie_id for movie_id, _ in weighted] == ["2", "1"]
    assert weighted[0][1] > weighted[1][1] > 0  # relevance: higher is better
    plain = KeywordIndex(path, title_weight=0.0).search("heat", 5)
    assert [movie_id for movie_id, _ in plain] == ["1", "2"]


def indexed(folder: Path, embedder: HashingEmbedder) -> tuple[EmbeddingStore, KeywordIndex]:
    """MOVIES in a new index under `folder`, and its keyword index (not built yet)."""
    store = EmbeddingStore(folder / "index")
    build_index(MOVIES, store=store, embedder=embedder)
    return store, KeywordIndex.for_store(store, folder / "cache")


def test_a_cache_from_an_older_layout_is_rebuilt(
    tmp_path: Path, fake_embedder: HashingEmbedder
) -> None:
    store, keywords = indexed(tmp_path, fake_embedder)
    assert keywords.ensure_current(store) is True
    assert keywords.ensure_current(store) is False
    with contextlib.closing(sqlite3.connect(keywords.path)) as db:  # as the first layout stamped it
        db.execute("UPDATE info SET value = ? WHERE key = 'generation'", (store.generation(),))
        db.commit()
    assert keywords.ensure_current(store) is True


def test_a_search_after_a_rebuild_reads_the_new_file_in_every_thread(
    tmp_path: Path, fake_embedder: HashingEmbedder
) -> None:
    """Searches keep their connection open; a rebuild's new file must still be the one read."""
    store, keywords = indexed(tmp_path, fake_embedder)
    keywords.ensure_current(store)
    with ThreadPoolExecutor(max_workers=1) as other:
        assert keywords.search("lighthouse", 5) == []
        assert other.submit(keywords.search, "lighthouse", 5).result() == []
        keeper = Movie(id=4, title="Keeper", overview="A lighthouse keeper alone at sea.")
        build_index([keeper], store=store, embedder=fake_embedder)
        assert keywords.ensure_current(store) is True
        assert [i for i, _ in keywords.search("lighthouse", 5)] == ["4"]
        assert [i for i, _ in other.submit(keywords.search, "lighthouse", 5).result()] == ["4"]
    keywords.path.unlink()
    assert keywords.search("lighthouse", 5) == []
