"""Export a sentence-transformers model to ONNX once, where torch is loaded anyway.

The export folder holds `model.onnx` (transformer + pooling + L2 normalisation),
`tokenizer.json` configured like sentence-transformers, and `manifest.json`. It is
written in a temp folder, checked against sentence-transformers, and only then
renamed into place, so a killed export never leaves a half-written one behind.
`onnx_embedder` reads it without torch.
"""

from __future__ import annotations

import json
import logging
import time
import warnings
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from moviembed.embedding.embedder import (
    SentenceTransformerEmbedder,
    canonical_model_name,
    load_sentence_transformer,
)
from moviembed.embedding.onnx_embedder import OnnxEmbedder, encodings_to_arrays
from moviembed.embedding.onnx_files import (
    MANIFEST_FILE,
    MANIFEST_FORMAT,
    ONNX_FILE,
    OUTPUT_NAME,
    TOKENIZER_FILE,
    WEIGHT_FILES,
    model_weights_sha256,
    onnx_cache_dir,
)
from moviembed.errors import EmbedderError, first_line
from moviembed.files import file_sha256, published_folder

log = logging.getLogger(__name__)

OPSET_VERSION = 17
SUPPORTED_POOLING = ("mean", "cls")
# The export is checked against sentence-transformers before it is published.
EXPORT_MIN_COSINE = 0.9999


def export_onnx(model_name: str, target_dir: Path, cache_root: Path | None = None) -> Path:
    """Export a sentence-transformers model to `target_dir`, atomically; returns `target_dir`.

    Loads the model with torch (seconds), traces transformer + pooling + normalisation into
    `model.onnx`, checks the result against sentence-transformers, and only then renames the
    finished folder into place, so a killed export never leaves a half-written one behind.
    `cache_root` is where a pinned model's checked files are (default: the user's cache).
    """
    name = canonical_model_name(model_name)
    weights_sha256 = _weights_sha256_after_load(name, cache_root)
    return _export(name, Path(target_dir), weights_sha256, cache_root)


def ensure_onnx(model_name: str, cache_root: Path) -> Path:
    """The cached export of this model, made (or redone) if missing or damaged; its folder."""
    name = canonical_model_name(model_name)
    weights_sha256 = _weights_sha256_after_load(name, cache_root)
    target = onnx_cache_dir(cache_root, name, weights_sha256)
    try:
        OnnxEmbedder(target, model_name=name, weights_sha256=weights_sha256, full_check=True)
        return target
    except EmbedderError as exc:
        log.info("Exporting %s to ONNX at %s (%s)", name, target, exc)
    return _export(name, target, weights_sha256, cache_root)


def _weights_sha256_after_load(model_name: str, cache_root: Path | None) -> str:
    """The weights' sha256, loading the model first if it has not been downloaded yet."""
    weights_sha256 = model_weights_sha256(model_name)
    if weights_sha256 is None:
        load_sentence_transformer(model_name, cache_root=cache_root)
        weights_sha256 = model_weights_sha256(model_name)
    if weights_sha256 is None:
        raise EmbedderError(
            f"Cannot export {model_name!r} to ONNX: none of {', '.join(WEIGHT_FILES)} was "
            "found for it, so the export could not be tied to its weights."
        )
    return weights_sha256


def _export(model_name: str, target: Path, weights_sha256: str, cache_root: Path | None) -> Path:
    model = load_sentence_transformer(model_name, cache_root=cache_root)
    spec = _export_spec(model_name, model)
    started = time.perf_counter()
    with published_folder(target) as work:
        tokenizer = _configured_tokenizer(spec)
        tokenizer.save(str(work / TOKENIZER_FILE))
        _trace_to_onnx(spec, tokenizer, work / ONNX_FILE)
        _write_manifest(work, spec, weights_sha256)
        _check_against_sentence_transformers(work, model_name, cache_root)
    log.info("Exported %s to %s in %.1f s", model_name, target, time.perf_counter() - started)
    return target


@dataclass(frozen=True)
class _ExportSpec:
    """What `_export_spec` read from a loaded sentence-transformers model."""

    model_name: str
    transformer: Any  # the Hugging Face model inside sentence-transformers' Transformer
    hf_tokenizer: Any
    input_names: list[str]
    pooling: str
    model_normalizes: bool
    max_seq_length: int
    dimension: int


def _export_spec(model_name: str, model: Any) -> _ExportSpec:
    """What to export, read from the model's modules; refuses what the graph cannot match."""
    modules = list(model)
    kinds = [type(module).__name__ for module in modules]
    if kinds[:2] != ["Transformer", "Pooling"] or kinds[2:] not in ([], ["Normalize"]):
        raise EmbedderError(
            f"Cannot export {model_name!r} to ONNX: its modules are {' -> '.join(kinds)}; "
            "only Transformer -> Pooling (-> Normalize) is supported."
        )
    transformer, pooling = modules[0], modules[1]
    mode = getattr(pooling, "pooling_mode", None)
    if mode is None and hasattr(pooling, "get_pooling_mode_str"):  # sentence-transformers 5
        mode = pooling.get_pooling_mode_str()
    if mode not in SUPPORTED_POOLING:
        raise EmbedderError(
            f"Cannot export {model_name!r} to ONNX: pooling {mode!r} is not supported "
            f"(only {' and '.join(SUPPORTED_POOLING)})."
        )
    prompt_name = getattr(model, "default_prompt_name", None)
    if prompt_name and (getattr(model, "prompts", None) or {}).get(prompt_name):
        raise EmbedderError(
            f"Cannot export {model_name!r} to ONNX: it adds a default prompt to every text."
        )
    if getattr(model, "truncate_dim", None):
        raise EmbedderError(f"Cannot export {model_name!r} to ONNX: it truncates its vectors.")
    hf_tokenizer = transformer.tokenizer
    backend = getattr(hf_tokenizer, "backend_tokenizer", None)
    if backend is None:
        raise EmbedderError(
            f"Cannot export {model_name!r} to ONNX: it has no fast (tokenizers) tokenizer."
        )
    input_names = [
        name
        for name in ("input_ids", "attention_mask", "token_type_ids")
        if name in hf_tokenizer.model_input_names
    ]
    if "attention_mask" not in input_names:
        raise EmbedderError(f"Cannot export {model_name!r} to ONNX: it takes no attention mask.")
    positions = getattr(transformer.auto_model.config, "max_position_embeddings", None)
    max_seq_length = model.max_seq_length
    if not max_seq_length or (positions and max_seq_length > positions):
        max_seq_length = positions  # longer inputs would overflow the position table
    if not max_seq_length:
        raise EmbedderError(f"Cannot export {model_name!r} to ONNX: its maximum length is unknown.")
    # Lowercasing (do_lower_case) needs nothing here: sentence-transformers 6 puts it in the
    # tokenizer's normalizer, which tokenizer.json keeps; the export check catches any gap.
    return _ExportSpec(
        model_name=model_name,
        transformer=transformer.auto_model,
        hf_tokenizer=hf_tokenizer,
        input_names=input_names,
        pooling=mode,
        model_normalizes=kinds[2:] == ["Normalize"],
        max_seq_length=int(max_seq_length),
        dimension=int(model.get_embedding_dimension()),
    )


def _configured_tokenizer(spec: _ExportSpec) -> Any:
    """The model's fast tokenizer set up like sentence-transformers: truncate, pad to longest.

    The tokenizer.json shipped with a model may carry other settings (MiniLM's pads and
    truncates to 128), so both are set explicitly from what sentence-transformers uses.
    """
    from tokenizers import Tokenizer

    hf_tokenizer = spec.hf_tokenizer
    tokenizer = Tokenizer.from_str(hf_tokenizer.backend_tokenizer.to_str())
    tokenizer.enable_truncation(
        max_length=spec.max_seq_length,
        strategy="longest_first",
        direction=hf_tokenizer.truncation_side,
    )
    pad_id = hf_tokenizer.pad_token_id
    tokenizer.enable_padding(
        direction=hf_tokenizer.padding_side,
        pad_id=pad_id if pad_id is not None else 0,
        pad_type_id=getattr(hf_tokenizer, "pad_token_type_id", 0) or 0,
        pad_token=hf_tokenizer.pad_token or "[PAD]",
    )
    return tokenizer


def _trace_to_onnx(spec: _ExportSpec, tokenizer: Any, path: Path) -> None:
    """Trace the model on a padded two-text batch, so the padding mask stays in the graph."""
    import torch

    class SentenceEncoder(torch.nn.Module):
        """Transformer + pooling + L2 norm; keyword arguments, as transformers 5 requires."""

        def __init__(self, transformer: Any, input_names: list[str], pooling: str) -> None:
            super().__init__()
            self.transformer = transformer
            self.input_names = input_names
            self.pooling = pooling

        def forward(self, *inputs: torch.Tensor) -> torch.Tensor:
            features = dict(zip(self.input_names, inputs, strict=True))
            hidden = self.transformer(**features).last_hidden_state
            mask = features["attention_mask"]
            if self.pooling == "cls":  # the first attended token, as sentence-transformers does
                first = mask.to(torch.int32).argmax(dim=1)
                index = first.view(-1, 1, 1).expand(-1, 1, hidden.shape[-1])
                pooled = torch.gather(hidden, 1, index).squeeze(1)
            else:
                weights = mask.unsqueeze(-1).to(hidden.dtype)
                pooled = (hidden * weights).sum(dim=1) / weights.sum(dim=1).clamp(min=1e-9)
            return torch.nn.functional.normalize(pooled.float(), p=2, dim=1)

    import numpy as np

    encoder = SentenceEncoder(spec.transformer, spec.input_names, spec.pooling).eval()
    sample = tokenizer.encode_batch(["a short text", "a longer text, so that the batch is padded"])
    arrays = encodings_to_arrays(sample, spec.input_names)
    example = tuple(torch.from_numpy(np.asarray(arrays[name])) for name in spec.input_names)
    axes = {name: {0: "batch", 1: "sequence"} for name in spec.input_names}
    axes[OUTPUT_NAME] = {0: "batch"}
    try:
        with torch.no_grad(), warnings.catch_warnings():
            warnings.simplefilter("ignore")  # tracer and deprecation chatter, not actionable
            torch.onnx.export(
                encoder,
                example,
                str(path),
                input_names=spec.input_names,
                output_names=[OUTPUT_NAME],
                dynamic_axes=axes,
                opset_version=OPSET_VERSION,
                dynamo=False,  # the TorchScript exporter traces BERT-style models reliably
            )
    except Exception as exc:  # torch raises many kinds; the `onnx` package may be missing
        raise EmbedderError(
            f"Cannot export {spec.model_name!r} to ONNX: {first_line(exc)}"
        ) from None


def _write_manifest(work: Path, spec: _ExportSpec, weights_sha256: str) -> None:
    import sentence_transformers
    import torch
    import transformers

    from moviembed import __version__

    onnx_stat = (work / ONNX_FILE).stat()
    manifest = {
        "format": MANIFEST_FORMAT,
        "model_name": spec.model_name,
        "dimension": spec.dimension,
        "max_seq_length": spec.max_seq_length,
        "pooling": spec.pooling,
        "normalize": True,  # always: the Embedder protocol promises unit vectors
        "model_normalizes": spec.model_normalizes,
        "inputs": spec.input_names,
        "output": OUTPUT_NAME,
        "opset": OPSET_VERSION,
        "weights_sha256": weights_sha256,
        "onnx_sha256": file_sha256(work / ONNX_FILE),
        "onnx_size": onnx_stat.st_size,
        "onnx_mtime_ns": onnx_stat.st_mtime_ns,
        "tokenizer_sha256": file_sha256(work / TOKENIZER_FILE),
        "moviembed_version": __version__,
        "exported_with": {
            "torch": torch.__version__,
            "transformers": transformers.__version__,
            "sentence_transformers": sentence_transformers.__version__,
        },
    }
    (work / MANIFEST_FILE).write_text(json.dumps(manifest, indent=2) + "\n", encoding="utf-8")


def _check_against_sentence_transformers(
    work: Path, model_name: str, cache_root: Path | None
) -> None:
    """Refuse to publish an export whose vectors differ from the model's own."""
    import numpy as np

    texts = [
        "moviembed",
        "A heist in a casino, planned by eleven friends.",
        "Ünïcödé, émojis 🎬 and 数字 123.",
        " ".join(["a very long text that must be truncated exactly like the model does"] * 60),
    ]
    reference = SentenceTransformerEmbedder(model_name, cache_root=cache_root).embed(texts)
    exported = OnnxEmbedder(work, model_name=model_name, full_check=True).embed(texts)
    cosine = float(np.min(np.sum(reference * exported, axis=1)))
    if cosine < EXPORT_MIN_COSINE:
        raise EmbedderError(
            f"The ONNX export of {model_name!r} does not match sentence-transformers "
            f"(cosine {cosine:.6f} < {EXPORT_MIN_COSINE}); it was not saved."
        )
