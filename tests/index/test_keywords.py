"""The BM25 keyword cache: title words weigh more, and an old cache layout is rebuilt."""

from __future__ import annotations

import contextlib
import sqlite3
import subprocess
import sys
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


def changed_by_a_new_build(folder: Path, embedder: HashingEmbedder) -> EmbeddingStore:
    """As a second `moviembed build` on the index: movie 2 renamed, 4 added, 3 removed."""
    store = EmbeddingStore(folder / "index")
    renamed = Movie(id=2, title="Blaze", overview="A detective hunts a crew of thieves.")
    added = Movie(id=4, title="Harbour Lights", overview="A lighthouse keeper's long winter.")
    build_index([renamed, added], store=store, embedder=embedder)
    store.delete(["3"])
    return store


def found(keywords: KeywordIndex, word: str) -> list[str]:
    return sorted(movie_id for movie_id, _ in keywords.search(word, 10))


def test_a_build_updates_the_changed_movies_in_place(
    tmp_path: Path, fake_embedder: HashingEmbedder
) -> None:
    store, keywords = indexed(tmp_path, fake_embedder)
    keywords.ensure_current(store)
    before = keywords.path.stat().st_ino
    writer = changed_by_a_new_build(tmp_path, fake_embedder)
    assert writer.changes is not None
    assert (writer.changes.written, writer.changes.removed) == ({"2", "4"}, {"3"})
    assert keywords.follow(writer, writer.changes) is True
    assert keywords.path.stat().st_ino == before  # updated, not replaced
    assert keywords.follow(writer, writer.changes) is False
    assert keywords.ensure_current(writer) is False  # it records the store's generation
    rebuilt = KeywordIndex(tmp_path / "rebuilt.sqlite3")
    rebuilt.ensure_current(writer)
    for word in ("heat", "blaze", "harbour", "nothing", "detective", "winter"):
        assert found(keywords, word) == found(rebuilt, word), word
        relevance = [score for _, score in keywords.search(word, 10)]
        assert relevance == [score for _, score in rebuilt.search(word, 10)], word
    assert (found(keywords, "blaze"), found(keywords, "harbour")) == (["2"], ["1", "4"])
    assert found(keywords, "nothing") == []


def test_without_a_known_starting_point_it_rebuilds(
    tmp_path: Path, fake_embedder: HashingEmbedder
) -> None:
    store, keywords = indexed(tmp_path, fake_embedder)
    keywords.ensure_current(store)
    writer = changed_by_a_new_build(tmp_path, fake_embedder)
    other = EmbeddingStore(tmp_path / "index")  # another writer came after it
    other.delete(["1"])
    before = keywords.path.stat().st_ino
    assert keywords.follow(writer, writer.changes) is True
    assert keywords.path.stat().st_ino != before
    assert found(keywords, "harbour") == ["4"]
    writer = changed_by_a_new_build(tmp_path, fake_embedder)  # after a schema change
    with contextlib.closing(sqlite3.connect(keywords.path)) as db:
        db.execute("UPDATE info SET value = '2:' || substr(value, 3)")
        db.commit()
    before = keywords.path.stat().st_ino
    assert keywords.follow(writer, writer.changes) is True
    assert keywords.path.stat().st_ino != before


READER = """
import sys, time
from pathlib import Path
from moviembed.index.keywords import KeywordIndex
keywords = KeywordIndex(Path(sys.argv[1]))
print(keywords.search("heat", 5)[0][0], flush=True)
deadline = time.monotonic() + 120
searches = 0
while not keywords.search("blaze", 5) and time.monotonic() < deadline:
    assert keywords.search("heat", 5), "a search saw a half-written index"
    searches += 1
print("blaze", keywords.search("blaze", 5)[0][0], searches, flush=True)
"""


def test_a_reader_in_another_process_sees_the_update_whole(
    tmp_path: Path, fake_embedder: HashingEmbedder
) -> None:
    store, keywords = indexed(tmp_path, fake_embedder)
    keywords.ensure_current(store)
    reader = subprocess.Popen(
        [sys.executable, "-c", READER, str(keywords.path)], stdout=subprocess.PIPE, text=True
    )
    assert reader.stdout is not None
    assert reader.stdout.readline().strip() == "2"  # it has its connection open
    writer = changed_by_a_new_build(tmp_path, fake_embedder)
    keywords.follow(writer, writer.changes)
    out, _ = reader.communicate(timeout=150)
    assert reader.returncode == 0
    assert out.split()[:2] == ["blaze", "2"]
