"""The bundled model: offline, verified, 384-d unit vectors that carry meaning."""

from __future__ import annotations

import shutil
from pathlib import Path

import numpy as np
import pytest

from moviembed.embedding.embedder import (
    DEFAULT_MODEL,
    SentenceTransformerEmbedder,
    bundled_model_path,
    canonical_model_name,
    verify_bundled_model,
)
from moviembed.errors import EmbedderError

pytestmark = pytest.mark.slow  # these load torch and the real model


def test_vectors_are_384_d_and_unit_length(embedder: SentenceTransformerEmbedder) -> None:
    vectors = embedder.embed(["a heist in a casino", "two robots fall in love in space"])
    assert vectors.shape == (2, 384)
    assert vectors.dtype == np.float32
    assert np.linalg.norm(vectors, axis=1) == pytest.approx([1.0, 1.0], abs=1e-5)


def test_similar_texts_are_closer_than_unrelated_ones(
    embedder: SentenceTransformerEmbedder,
) -> None:
    shark, beach, tax = embedder.embed(
        ["a shark attacks swimmers", "a killer fish terrorises a beach town", "filing a tax return"]
    )
    assert float(shark @ beach) > float(shark @ tax) + 0.2


def test_progress_counts_every_text(embedder: SentenceTransformerEmbedder) -> None:
    seen: list[int] = []
    small_batches = SentenceTransformerEmbedder(batch_size=2)
    small_batches.embed([f"text {i}" for i in range(19)], on_progress=seen.append)
    assert sum(seen) == 19
    assert len(seen) == 3  # 8 texts per call: 2-text batches, 4 batches per call


def test_empty_input_gives_an_empty_matrix(embedder: SentenceTransformerEmbedder) -> None:
    assert embedder.embed([]).shape == (0, 384)


def test_model_aliases_resolve_to_one_name() -> None:
    assert canonical_model_name(None) == DEFAULT_MODEL
    assert canonical_model_name("all-MiniLM-L6-v2") == DEFAULT_MODEL
    assert canonical_model_name("BAAI/bge-small-en-v1.5") == "BAAI/bge-small-en-v1.5"


def test_bundled_weights_are_verified(tmp_path: Path) -> None:
    verify_bundled_model(bundled_model_path())
    damaged = tmp_path / "model"
    shutil.copytree(bundled_model_path(), damaged)
    weights = damaged / "model.safetensors"
    data = bytearray(weights.read_bytes())
    data[-1] ^= 0xFF
    weights.write_bytes(bytes(data))
    with pytest.raises(EmbedderError, match="damaged"):
        verify_bundled_model(damaged)


def test_an_unknown_model_fails_with_a_clear_error(monkeypatch: pytest.MonkeyPatch) -> None:
    from huggingface_hub import constants

    # The hub reads HF_HUB_OFFLINE once, on import: an earlier test may have imported it,
    # and then only the constant stops a minute of connection timeouts.
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    monkeypatch.setattr(constants, "HF_HUB_OFFLINE", True)
    with pytest.raises(EmbedderError, match="Cannot load the embedding model 'no-such/model'"):
        SentenceTransformerEmbedder("no-such/model").embed(["x"])
