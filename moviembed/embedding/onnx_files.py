"""Where a model's ONNX export lives and which weights it was made from, found without torch.

The export folder is keyed by the sha256 of the model's weights, so a new
checkpoint gets a new export and a stale one is never used.
"""

from __future__ import annotations

import re
from pathlib import Path

from moviembed.embedding.embedder import (
    BUNDLED_WEIGHTS_SHA256,
    DEFAULT_MODEL,
    canonical_model_name,
)
from moviembed.embedding.pinned_model import PINNED_MODELS
from moviembed.files import file_sha256

ONNX_FILE = "model.onnx"
TOKENIZER_FILE = "tokenizer.json"
MANIFEST_FILE = "manifest.json"
# Bumped whenever the export recipe or the manifest changes, so older exports are redone.
MANIFEST_FORMAT = 1
OUTPUT_NAME = "sentence_embedding"
# Weight files looked for (in this order) to key the cache by the model's exact weights.
WEIGHT_FILES = ("model.safetensors", "pytorch_model.bin")


def onnx_cache_dir(cache_root: Path, model_name: str, weights_sha256: str) -> Path:
    """Where the export of these exact weights lives: a new checkpoint gets a new folder."""
    slug = re.sub(r"[^A-Za-z0-9._-]+", "-", canonical_model_name(model_name)).strip("-.")
    return Path(cache_root) / "onnx" / f"{slug[-80:] or 'model'}-{weights_sha256[:16]}"


def model_weights_sha256(model_name: str) -> str | None:
    """sha256 of the model's weights without importing torch; None if they are not on disk.

    The bundled and pinned models' hashes are constants (their weights are verified when
    torch loads them); other models are looked up as a local folder, then in the Hugging
    Face cache.
    """
    name = canonical_model_name(model_name)
    if name == DEFAULT_MODEL:
        return BUNDLED_WEIGHTS_SHA256
    if name in PINNED_MODELS:
        return PINNED_MODELS[name].weights_sha256
    weights = _weights_file(name)
    if weights is None:
        return None
    try:
        return file_sha256(weights)
    except OSError:
        return None


def has_onnx_export(model_name: str, cache_root: Path) -> bool:
    """Whether an export of this model's weights is cached (cheap: no file is verified)."""
    weights_sha256 = model_weights_sha256(model_name)
    if weights_sha256 is None:
        return False
    return (onnx_cache_dir(cache_root, model_name, weights_sha256) / MANIFEST_FILE).is_file()


def _weights_file(model_name: str) -> Path | None:
    local = Path(model_name).expanduser()
    if local.is_dir():
        candidates = [local / name for name in WEIGHT_FILES]
    else:
        candidates = []
        try:
            from huggingface_hub import try_to_load_from_cache
        except ImportError:
            return None
        # sentence-transformers also resolves a bare name under its own organisation.
        repos = (
            [model_name]
            if "/" in model_name
            else [model_name, f"sentence-transformers/{model_name}"]
        )
        for repo in repos:
            for filename in WEIGHT_FILES:
                try:
                    found = try_to_load_from_cache(repo, filename)
                except Exception:  # an invalid repo id, an unreadable cache: not found
                    found = None
                if isinstance(found, str):
                    candidates.append(Path(found))
    return next((path for path in candidates if path.is_file()), None)
