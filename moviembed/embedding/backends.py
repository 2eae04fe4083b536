"""Which embedders moviembed uses, chosen in one place.

Builds embed with sentence-transformers (torch is fastest for batches on a CPU);
queries use the ONNX export, which starts without torch. The CLI, the service and
the build pipeline all call these functions through this module, so a deployment
(or the fast test tier, with a deterministic fake) can swap the models in one spot.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from moviembed.embedding.embedder import Embedder
from moviembed.errors import EmbedderError

NoticeCallback = Callable[[str], None]


def build_embedder(
    model_name: str,
    batch_size: int | None,
    device: str = "cpu",
    cache_root: Path | None = None,
) -> Embedder:
    """The embedder a build uses for `model_name` on `device` (auto, cpu, cuda, cuda:N,
    mps), `batch_size` texts at a time (None: what suits the device); a pinned model's files
    are assembled under `cache_root`. The model, and torch for `auto`, load on first use: a
    build with nothing to encode imports neither."""
    from moviembed.embedding.devices import resolve_device
    from moviembed.embedding.embedder import SentenceTransformerEmbedder

    if device not in ("auto", "cpu"):  # a device named but missing fails before any work
        device = resolve_device(device)
    return SentenceTransformerEmbedder(
        model_name, batch_size=batch_size, device=device, cache_root=cache_root
    )


def start_query_embedder(
    model_name: str | None, cache_root: Path, *, on_notice: NoticeCallback | None = None
) -> Callable[[str], Embedder]:
    """Start loading the query embedder; call the result with the index's model name."""
    from moviembed.embedding.onnx_embedder import start_loading_query_embedder

    return start_loading_query_embedder(model_name, cache_root, on_notice=on_notice)


def query_embedder(
    model_name: str,
    cache_root: Path,
    *,
    on_notice: NoticeCallback | None = None,
    threads: int | None = None,
) -> Embedder:
    """The query embedder for `model_name`, loaded now; `threads` caps its ONNX threads
    (a service whose requests run side by side wants 1)."""
    from moviembed.embedding.onnx_embedder import load_query_embedder

    return load_query_embedder(model_name, cache_root, on_notice=on_notice, threads=threads)


def is_fast_query_embedder(embedder: Embedder) -> bool:
    """True when `embedder` is the ONNX export (no export work is then needed)."""
    from moviembed.embedding.onnx_embedder import OnnxEmbedder

    return isinstance(embedder, OnnxEmbedder)


def wants_query_model(model_name: str, cache_root: Path, loaded: Embedder | None = None) -> bool:
    """The one rule for saving the fast query model: True when queries of `model_name` would
    not run on its ONNX export, because the query model `loaded` is not it (the export is
    damaged) or, with none loaded, no export is cached. `MovieIndex` asks it (a server before
    loading its model, the CLI after a query) and so does a build's last step."""
    if loaded is not None:
        return not is_fast_query_embedder(loaded)
    return needs_query_model(model_name, cache_root)


def needs_query_model(model_name: str, cache_root: Path) -> bool:
    """True when no ONNX export of `model_name` is cached yet."""
    from moviembed.embedding.onnx_files import has_onnx_export

    return not has_onnx_export(model_name, cache_root)


def prepare_query_model(model_name: str, cache_root: Path) -> str | None:
    """Export `model_name` to ONNX (or redo a damaged export); returns why queries stay
    slow when that fails, else None."""
    from moviembed.embedding.onnx_export import ensure_onnx

    try:
        ensure_onnx(model_name, cache_root)
    except (EmbedderError, OSError) as exc:
        return f"queries will keep using sentence-transformers (slower): {exc}"
    return None
