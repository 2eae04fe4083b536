"""EmbeddingStore against a real persistent ChromaDB in tmp_path."""

from __future__ import annotations

import math
from pathlib import Path

import pytest

from moviembed.errors import ModelMismatchError, NotFoundError, StoreError
from moviembed.index.store import EmbeddingStore

MODEL = "sentence-transformers/all-MiniLM-L6-v2"


def unit(*values: float) -> list[float]:
    norm = math.sqrt(sum(v * v for v in values))
    return [v / norm for v in values]


def fill(store: EmbeddingStore) -> None:
    store.upsert_movies(
        ids=["1", "2", "3"],
        embeddings=[unit(1, 0, 0), unit(1, 1, 0), unit(0, 0, 1)],
        documents=["one", "two", "three"],
        metadatas=[{"title": "One"}, {"title": "Two", "year": 1999}, {"title": "Three"}],
    )


def test_a_missing_index_counts_zero_and_is_not_created(tmp_path: Path) -> None:
    store = EmbeddingStore(tmp_path / "nowhere")
    assert store.count() == 0
    assert store.query_similar(unit(1, 0, 0)) == []
    assert store.get_by_ids(["1"]) == []
    assert not (tmp_path / "nowhere").exists()


def test_upsert_twice_keeps_the_same_count(tmp_path: Path) -> None:
    store = EmbeddingStore(tmp_path / "index")
    fill(store)
    fill(store)
    assert store.count() == 3
    assert EmbeddingStore(tmp_path / "index").count() == 3


def test_query_returns_dicts_sorted_by_distance(tmp_path: Path) -> None:
    store = EmbeddingStore(tmp_path / "index")
    fill(store)
    hits = store.query_similar(unit(1, 0.1, 0), n_results=3)
    assert [hit["id"] for hit in hits] == ["1", "2", "3"]
    assert set(hits[0]) == {"id", "document", "metadata", "distance"}
    distances = [hit["distance"] for hit in hits]
    assert distances == sorted(distances)
    assert hits[0]["distance"] == pytest.approx(1 - unit(1, 0.1, 0)[0], abs=1e-4)
    assert hits[2]["distance"] == pytest.approx(1.0, abs=1e-4)


def test_query_with_where_filters_inside_chroma(tmp_path: Path) -> None:
    store = EmbeddingStore(tmp_path / "index")
    fill(store)
    hits = store.query_similar(unit(0, 0, 1), n_results=3, where={"year": 1999})
    assert [hit["id"] for hit in hits] == ["2"]


def test_get_by_ids_keeps_the_order_asked_and_skips_unknown(tmp_path: Path) -> None:
    store = EmbeddingStore(tmp_path / "index")
    fill(store)
    hits = store.get_by_ids(["3", "99", "1"], include_embeddings=True)
    assert [hit["id"] for hit in hits] == ["3", "1"]
    assert hits[0]["document"] == "three"
    assert hits[0]["embedding"] == pytest.approx(unit(0, 0, 1))
    with pytest.raises(NotFoundError, match="No movie with id 99"):
        store.get_one("99")


def test_collection_records_model_dimension_and_cosine(tmp_path: Path) -> None:
    store = EmbeddingStore(tmp_path / "index", model_name="all-MiniLM-L6-v2")
    fill(store)
    info = EmbeddingStore(tmp_path / "index").info()
    assert (info.model, info.dimension, info.distance, info.count) == (MODEL, 3, "cosine", 3)
    assert info.size_bytes and info.size_bytes > 0


def test_another_model_is_refused(tmp_path: Path) -> None:
    fill(EmbeddingStore(tmp_path / "index"))
    other = EmbeddingStore(tmp_path / "index", model_name="BAAI/bge-small-en-v1.5")
    with pytest.raises(ModelMismatchError, match="was built with sentence-transformers/all-MiniLM"):
        other.count()


def test_vectors_of_another_dimension_are_refused(tmp_path: Path) -> None:
    store = EmbeddingStore(tmp_path / "index")
    fill(store)
    with pytest.raises(ModelMismatchError, match="holds 3-d vectors, got 2-d"):
        store.query_similar([1.0, 0.0])
    with pytest.raises(ModelMismatchError):
        store.upsert_movies(["9"], [[1.0, 0.0]], ["x"], [{"title": "X"}])


def test_upserts_larger_than_chromas_batch_limit_are_chunked(tmp_path: Path) -> None:
    store = EmbeddingStore(tmp_path / "index")
    total = 6000  # Chroma's maximum batch is 5461 on this build
    store.upsert_movies(
        [str(i) for i in range(1, total + 1)],
        [unit(1, i % 7 + 1, 0) for i in range(total)],
        ["doc"] * total,
        [{"title": f"T{i}"} for i in range(total)],
    )
    assert store.count() == total


def test_metadata_can_change_without_new_vectors(tmp_path: Path) -> None:
    store = EmbeddingStore(tmp_path / "index")
    fill(store)
    store.update_metadatas(["2"], [{"title": "Two", "year": 2000}])
    (hit,) = store.get_by_ids(["2"], include_embeddings=True)
    assert hit["metadata"] == {"title": "Two", "year": 2000}
    assert hit["embedding"] == pytest.approx(unit(1, 1, 0))


def test_upsert_replaces_metadata_instead_of_merging(tmp_path: Path) -> None:
    store = EmbeddingStore(tmp_path / "index")
    fill(store)
    store.upsert_movies(["2"], [unit(1, 1, 0)], ["two"], [{"title": "Two"}])
    assert store.get_by_ids(["2"])[0]["metadata"] == {"title": "Two"}
    store.update_metadatas(["1"], [{"title": "Uno"}])
    store.update_metadatas(["2"], [{"year": 2001}])
    assert store.get_metadatas(["1", "2"]) == {"1": {"title": "Uno"}, "2": {"year": 2001}}


def test_a_file_where_the_index_should_be_is_a_clear_error(tmp_path: Path) -> None:
    path = tmp_path / "index"
    path.write_text("not a folder")
    with pytest.raises(StoreError, match="is a file, not an index folder"):
        EmbeddingStore(path).upsert_movies(["1"], [unit(1, 0)], ["x"], [{"title": "X"}])
