"""A deterministic stand-in for the embedding model, for the fast test tier.

Each word is hashed to a few fixed dimensions, so texts that share words get
similar vectors: enough for the logic of building, searching and the CLI,
without torch. Tests of what the real model ranks ask for `real_model`.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable, Sequence
from pathlib import Path

import numpy as np

from moviembed.embedding.embedder import DEFAULT_MODEL

WORD = re.compile(r"\w+")


class HashingEmbedder:
    """Bag-of-words vectors by feature hashing; stands in for MiniLM (same name and width)."""

    def __init__(self, model_name: str = DEFAULT_MODEL, dimension: int = 384) -> None:
        self.model_name = model_name
        self._dimension = dimension
        self.calls = 0
        self.texts_embedded = 0

    @property
    def dimension(self) -> int:
        return self._dimension

    def embed(
        self, texts: Sequence[str], on_progress: Callable[[int], None] | None = None
    ) -> np.ndarray:
        self.calls += 1
        self.texts_embedded += len(texts)
        rows = np.zeros((len(texts), self._dimension), dtype=np.float32)
        for row, text in zip(rows, texts, strict=True):
            for word in WORD.findall(text.lower()):
                digest = hashlib.blake2b(word.encode(), digest_size=8).digest()
                row[int.from_bytes(digest[:4], "little") % self._dimension] += 1.0
                row[int.from_bytes(digest[4:], "little") % self._dimension] += 0.5
            norm = float(np.linalg.norm(row))
            row[0 if norm == 0 else slice(None)] = 1.0 if norm == 0 else row / norm
        if on_progress:
            on_progress(len(texts))
        return rows


def install(monkeypatch: object, embedder: HashingEmbedder) -> None:
    """Make every build and query in this test use `embedder` instead of the real model."""
    from moviembed.embedding import backends

    def build_embedder(
        model_name: str,
        batch_size: int | None,
        device: str = "cpu",
        cache_root: Path | None = None,
    ) -> HashingEmbedder:
        embedder.model_name = model_name
        return embedder

    def start_query_embedder(
        model_name: str | None, cache_root: Path, *, on_notice: object = None
    ) -> Callable[[str], HashingEmbedder]:
        return lambda index_model: embedder

    setattr_ = monkeypatch.setattr  # type: ignore[attr-defined]
    setattr_(backends, "build_embedder", build_embedder)
    setattr_(backends, "start_query_embedder", start_query_embedder)
    setattr_(backends, "query_embedder", lambda model_name, cache_root, **options: embedder)
    setattr_(backends, "is_fast_query_embedder", lambda current: True)
    setattr_(backends, "needs_query_model", lambda model_name, cache_root: False)
