"""Chosen movies ranked for a question, for a prompt about those movies in particular."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from moviembed.errors import NotFoundError, UsageError
from moviembed.index.store import EmbeddingStore
from moviembed.search.context import context_block, movies_for_question
from tests.fakes import HashingEmbedder


def test_named_movies_come_closest_to_the_question_first(
    fake_index: Path, fake_embedder: HashingEmbedder
) -> None:
    store = EmbeddingStore(fake_index)
    question = "a great white shark attacks swimmers off a summer beach town"
    hits = movies_for_question(
        question, ["Toy Story", "578", "pulp fiction", "578"], store=store, embedder=fake_embedder
    )
    assert [(hit.rank, hit.id) for hit in hits][0] == (1, 578)  # Jaws; each movie once
    assert sorted(hit.id for hit in hits) == [578, 680, 862]
    vector = fake_embedder.embed([question])[0]
    for hit in hits:
        (stored,) = store.get_by_ids([str(hit.id)], include_embeddings=True)
        expected = float(np.dot(vector, stored["embedding"]))  # both unit length
        assert hit.similarity == pytest.approx(expected, abs=1e-5)
    assert context_block(hits).startswith("[1] Jaws (1975) | TMDB id 578 | similarity")


def test_no_movies_or_an_unknown_one_is_refused(
    fake_index: Path, fake_embedder: HashingEmbedder
) -> None:
    store = EmbeddingStore(fake_index)
    with pytest.raises(UsageError, match="Name at least one movie"):
        movies_for_question("why?", [], store=store, embedder=fake_embedder)
    with pytest.raises(NotFoundError, match="Nowhere"):
        movies_for_question("why?", ["Nowhere"], store=store, embedder=fake_embedder)
