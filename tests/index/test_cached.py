"""The service's caching reader: records read once come from memory until it closes, while a
lookup of one movie always asks Chroma. (That it ranks exactly as the plain reader does is
tests/search/test_same_results.py.)"""

from __future__ import annotations

from pathlib import Path

import pytest

from moviembed.errors import NotFoundError
from moviembed.index.builder import build_index
from moviembed.index.cached import CachingReader
from moviembed.index.store import EmbeddingStore
from moviembed.movie import Movie
from tests.fakes import HashingEmbedder

MOVIES = [
    Movie(id=1, title="Cold Harbour", overview="A harbour town in a long winter."),
    Movie(id=2, title="Heat", overview="A detective hunts a crew of thieves."),
]


def test_records_come_from_memory_until_the_reader_closes(
    tmp_path: Path, fake_embedder: HashingEmbedder
) -> None:
    writer = EmbeddingStore(tmp_path / "index")
    build_index(MOVIES, store=writer, embedder=fake_embedder)
    reader = CachingReader(tmp_path / "index")
    vector = fake_embedder.embed(["a harbour in winter"])[0].tolist()
    first = reader.get_by_ids(["1", "2"], include_embeddings=True)
    assert [hit["id"] for hit in first] == ["1", "2"]
    assert first == writer.get_by_ids(["1", "2"], include_embeddings=True)
    assert reader.query_similar(vector, 2) == writer.query_similar(vector, 2)

    writer.delete(["1"])  # the service would now reopen: until then, memory answers
    assert reader.get_by_ids(["1", "2"], include_embeddings=True) == first
    assert [hit["id"] for hit in reader.query_similar(vector, 2)] == ["2"]  # Chroma's ids
    with pytest.raises(NotFoundError):
        reader.get_one("1")  # always read afresh

    reader.close()
    assert [hit["id"] for hit in reader.get_by_ids(["1", "2"])] == ["2"]


def test_callers_may_change_the_records_they_get(
    tmp_path: Path, fake_embedder: HashingEmbedder
) -> None:
    build_index(MOVIES, store=EmbeddingStore(tmp_path / "index"), embedder=fake_embedder)
    reader = CachingReader(tmp_path / "index")
    for hit in reader.get_by_ids(["1"], include_embeddings=True):
        hit.pop("embedding")[0] = 99.0
        hit["document"] = "changed"
    again = reader.get_by_ids(["1"], include_embeddings=True)[0]
    assert again["document"] != "changed" and again["embedding"][0] != 99.0
