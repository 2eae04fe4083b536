"""Embed queries with onnxruntime + tokenizers: sentence-transformers' vectors without torch.

Importing torch and sentence-transformers costs seconds, which dominates `moviembed query`.
The model is therefore exported once (`moviembed.onnx_export`, where torch is already loaded,
e.g. after a build) to a folder holding `model.onnx` (transformer + pooling + L2 normalisation),
`tokenizer.json` (truncation and padding configured like sentence-transformers) and
`manifest.json` (what was exported, from which weights, and checksums). Queries then load that
folder with onnxruntime, tokenizers and numpy only. A missing or damaged export is never fatal:
`load_query_embedder` falls back to sentence-transformers and says so once.
"""

from __future__ import annotations

import json
import logging
import os
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from moviembed.embedding.embedder import (
    TEXTS_PER_CALL_FACTOR,
    Embedder,
    ProgressCallback,
    SentenceTransformerEmbedder,
    canonical_model_name,
)
from moviembed.embedding.onnx_files import (
    MANIFEST_FILE,
    MANIFEST_FORMAT,
    ONNX_FILE,
    TOKENIZER_FILE,
    model_weights_sha256,
    onnx_cache_dir,
)
from moviembed.errors import EmbedderError, first_line
from moviembed.files import file_sha256

if TYPE_CHECKING:
    import numpy as np

log = logging.getLogger(__name__)

NoticeCallback = Callable[[str], None]


def encodings_to_arrays(encodings: Sequence[Any], input_names: Sequence[str]) -> dict[str, Any]:
    """int64 matrices from tokenizers' encodings, which must already share one length."""
    import numpy as np

    fields = {"input_ids": "ids", "attention_mask": "attention_mask", "token_type_ids": "type_ids"}
    return {
        name: np.array([getattr(e, fields[name]) for e in encodings], dtype=np.int64)
        for name in input_names
    }


def _default_threads() -> int:
    """All the cores this process may use: a batch of 32 runs ~1.8x faster on 2 than on 1."""
    try:
        available = len(os.sched_getaffinity(0))
    except (AttributeError, OSError):
        available = os.cpu_count() or 1
    return max(1, min(available, 8))


class OnnxEmbedder:
    """Embeds with an exported model folder, importing onnxruntime, tokenizers and numpy only.

    The folder is checked on load: manifest, tokenizer hash, the ONNX file's size, and its
    sha256 when its size or mtime differ from the manifest's (or always, with `full_check`);
    then one probe text is embedded. Any problem raises EmbedderError.
    """

    def __init__(
        self,
        model_dir: Path,
        *,
        batch_size: int = 32,
        model_name: str | None = None,
        weights_sha256: str | None = None,
        full_check: bool = False,
        threads: int | None = None,
    ) -> None:
        self.model_dir = Path(model_dir)
        self.batch_size = max(1, batch_size)
        manifest = _read_manifest(self.model_dir)
        if model_name is not None and manifest["model_name"] != canonical_model_name(model_name):
            raise EmbedderError(
                f"The ONNX export at {self.model_dir} is of {manifest['model_name']!r}, "
                f"not {canonical_model_name(model_name)!r}."
            )
        if weights_sha256 is not None and manifest["weights_sha256"] != weights_sha256:
            raise EmbedderError(f"The ONNX export at {self.model_dir} is of other weights.")
        _verify_files(self.model_dir, manifest, full_check=full_check)
        self._manifest = manifest
        self.model_name: str = manifest["model_name"]
        self._inputs: list[str] = list(manifest["inputs"])
        self._tokenizer, self._padding = _load_tokenizer(self.model_dir, manifest)
        self._session = _load_session(self.model_dir, manifest, threads or _default_threads())
        self._probe()

    @property
    def dimension(self) -> int:
        """Length of the vectors this model produces."""
        return int(self._manifest["dimension"])

    def embed(
        self, texts: Sequence[str], on_progress: ProgressCallback | None = None
    ) -> np.ndarray:
        """Unit-length float32 vectors, one row per text; reports texts done as it goes."""
        import numpy as np

        result = np.zeros((len(texts), self.dimension), dtype=np.float32)
        step = self.batch_size * TEXTS_PER_CALL_FACTOR
        for start in range(0, len(texts), step):
            chunk = [str(text) for text in texts[start : start + step]]
            encodings = self._tokenizer.encode_batch(chunk)
            # Similar lengths share a batch, so little compute goes into padding.
            order = sorted(range(len(chunk)), key=lambda i: len(encodings[i].ids))
            for first in range(0, len(order), self.batch_size):
                rows = order[first : first + self.batch_size]
                batch = [encodings[i] for i in rows]
                result[[start + i for i in rows]] = self._run(batch)
            if on_progress:
                on_progress(len(chunk))
        return result

    def _run(self, encodings: list[Any]) -> np.ndarray:
        longest = max(len(e.ids) for e in encodings)
        for encoding in encodings:
            encoding.pad(longest, **self._padding)
        feeds = encodings_to_arrays(encodings, self._inputs)
        try:
            (vectors,) = self._session.run([self._manifest["output"]], feeds)
        except Exception as exc:  # onnxruntime's own exception types
            raise EmbedderError(
                f"The ONNX model at {self.model_dir} failed: {first_line(exc)}"
            ) from None
        if vectors.shape != (len(encodings), self.dimension):
            raise EmbedderError(
                f"The ONNX model at {self.model_dir} gave vectors of shape {vectors.shape}."
            )
        return vectors

    def _probe(self) -> None:
        """Run the graph once: a file that loads but cannot run is caught here, not mid-query."""
        import numpy as np

        vectors = self.embed(["moviembed", "probe text of a different length"])
        norms = np.linalg.norm(vectors, axis=1) if vectors.shape[1:] == (self.dimension,) else None
        if norms is None or not np.allclose(norms, 1.0, atol=1e-3):
            raise EmbedderError(
                f"The ONNX model at {self.model_dir} gives {vectors.shape[1]}-d vectors, "
                f"not unit {self.dimension}-d ones."
            )


def _read_manifest(model_dir: Path) -> dict[str, Any]:
    path = model_dir / MANIFEST_FILE
    try:
        manifest = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise EmbedderError(
            f"No ONNX export at {model_dir} ({MANIFEST_FILE} is missing)."
        ) from None
    except (OSError, ValueError) as exc:
        raise EmbedderError(f"Cannot read {path}: {first_line(exc)}") from None
    required = {
        "format": int,
        "model_name": str,
        "dimension": int,
        "max_seq_length": int,
        "inputs": list,
        "output": str,
        "weights_sha256": str,
        "onnx_sha256": str,
        "onnx_size": int,
        "onnx_mtime_ns": int,
        "tokenizer_sha256": str,
    }
    if not isinstance(manifest, dict):
        raise EmbedderError(f"{path} is not a manifest object.")
    wrong = [key for key, kind in required.items() if not isinstance(manifest.get(key), kind)]
    if wrong:
        raise EmbedderError(f"{path} lacks or has invalid {', '.join(wrong)}.")
    if manifest["format"] != MANIFEST_FORMAT:
        raise EmbedderError(
            f"The ONNX export at {model_dir} has format {manifest['format']}, "
            f"this moviembed writes format {MANIFEST_FORMAT}."
        )
    return manifest


def _verify_files(model_dir: Path, manifest: dict[str, Any], *, full_check: bool) -> None:
    """Cheap checks always; hashing the ~90 MB model only when its stat looks different.

    Hashing MiniLM's model.onnx costs ~0.07 s of a ~0.6 s query start, so a file with the
    recorded size and mtime is trusted, as make and pip's caches trust it; a copied or
    rewritten file gets the full sha256 comparison.
    """
    onnx_path = model_dir / ONNX_FILE
    try:
        stat = onnx_path.stat()
        if stat.st_size != manifest["onnx_size"]:
            raise EmbedderError(
                f"{onnx_path} has {stat.st_size} bytes, the export wrote {manifest['onnx_size']}."
            )
        if full_check or stat.st_mtime_ns != manifest["onnx_mtime_ns"]:
            if file_sha256(onnx_path) != manifest["onnx_sha256"]:
                raise EmbedderError(f"{onnx_path} is damaged (its sha256 differs).")
        if file_sha256(model_dir / TOKENIZER_FILE) != manifest["tokenizer_sha256"]:
            raise EmbedderError(f"{model_dir / TOKENIZER_FILE} is damaged (its sha256 differs).")
    except OSError as exc:
        raise EmbedderError(f"Cannot read the ONNX export at {model_dir}: {exc}") from None


def _load_tokenizer(model_dir: Path, manifest: dict[str, Any]) -> tuple[Any, dict[str, Any]]:
    """The tokenizer with truncation on and padding off: `embed` pads each batch itself."""
    try:
        from tokenizers import Tokenizer
    except ImportError:
        raise EmbedderError("tokenizers is not installed. Run: pip install tokenizers") from None
    try:
        tokenizer = Tokenizer.from_file(str(model_dir / TOKENIZER_FILE))
    except Exception as exc:  # tokenizers raises plain Exception on a bad file
        raise EmbedderError(
            f"Cannot load {model_dir / TOKENIZER_FILE}: {first_line(exc)}"
        ) from None
    truncation = tokenizer.truncation or {}
    padding = tokenizer.padding
    if truncation.get("max_length") != manifest["max_seq_length"] or padding is None:
        raise EmbedderError(f"{model_dir / TOKENIZER_FILE} is not configured as exported.")
    tokenizer.no_padding()
    pad = {
        "direction": padding["direction"],
        "pad_id": padding["pad_id"],
        "pad_type_id": padding["pad_type_id"],
        "pad_token": padding["pad_token"],
    }
    return tokenizer, pad


def _load_session(model_dir: Path, manifest: dict[str, Any], threads: int) -> Any:
    try:
        import onnxruntime
    except ImportError:
        raise EmbedderError("onnxruntime is not installed. Run: pip install onnxruntime") from None
    options = onnxruntime.SessionOptions()
    options.intra_op_num_threads = threads
    options.inter_op_num_threads = 1  # one graph, run sequentially: no use for a second pool
    options.log_severity_level = 3  # errors only; warnings would reach the user's terminal
    try:
        session = onnxruntime.InferenceSession(
            str(model_dir / ONNX_FILE), options, providers=["CPUExecutionProvider"]
        )
    except Exception as exc:  # onnxruntime's own exception types
        raise EmbedderError(f"Cannot load {model_dir / ONNX_FILE}: {first_line(exc)}") from None
    inputs = [node.name for node in session.get_inputs()]
    outputs = {node.name: node.shape for node in session.get_outputs()}
    width = outputs.get(manifest["output"], [None])[-1]
    # A symbolic width (cls pooling's gather leaves one) is checked by the probe run instead.
    wrong_width = width is None or (isinstance(width, int) and width != manifest["dimension"])
    if inputs != manifest["inputs"] or wrong_width:
        raise EmbedderError(
            f"{model_dir / ONNX_FILE} takes {inputs} and gives {outputs}, which is not what "
            f"its manifest describes."
        )
    return session


def load_query_embedder(
    model_name: str,
    cache_root: Path,
    *,
    batch_size: int = 32,
    on_notice: NoticeCallback | None = None,
    threads: int | None = None,
) -> Embedder:
    """The ONNX embedder if this model's export is cached and sound, else sentence-transformers.

    Never raises for a missing or broken export: it calls `on_notice` once with one line
    saying why the slower path is used and how to fix it. `threads` caps the ONNX session's
    threads (default: every core), e.g. 1 for a server whose requests run side by side.
    """
    name = canonical_model_name(model_name)
    try:
        weights_sha256 = model_weights_sha256(name)
        if weights_sha256 is None:
            raise EmbedderError(f"the weights of {name!r} are not on this machine")
        return OnnxEmbedder(
            onnx_cache_dir(cache_root, name, weights_sha256),
            batch_size=batch_size,
            model_name=name,
            weights_sha256=weights_sha256,
            threads=threads,
        )
    except EmbedderError as exc:
        reason = str(exc)
    except Exception as exc:  # a fast path must never cost the query itself
        reason = f"{type(exc).__name__}: {first_line(exc)}"
    log.info("ONNX query embedder unavailable: %s", reason)
    if on_notice:
        on_notice(
            f"Using sentence-transformers for this query (slower): no usable ONNX export "
            f"({reason.rstrip('.')})."
        )
    return SentenceTransformerEmbedder(name, batch_size=batch_size, cache_root=cache_root)


def start_loading_query_embedder(
    model_name: str | None,
    cache_root: Path,
    *,
    batch_size: int = 32,
    on_notice: NoticeCallback | None = None,
) -> Callable[[str], Embedder]:
    """Begin `load_query_embedder` in a thread; call the result with the index's model.

    Creating the ONNX session is native work, so it overlaps well with opening
    Chroma. The model is a guess (the setting, else the default); if the index
    turns out to use another, that one is loaded instead, and the guess's
    notices are dropped, since they are about a model this query does not use.
    """
    from concurrent.futures import ThreadPoolExecutor

    # Extension modules are imported here, in the calling thread: numpy fails when two
    # threads import it at once (Chroma's import pulls it in too). Only the session
    # creation, which is native work, runs in the background.
    try:
        import numpy  # noqa: F401
        import onnxruntime  # noqa: F401
        import tokenizers  # noqa: F401
    except ImportError:
        pass  # load_query_embedder reports it and falls back
    guess = canonical_model_name(model_name)
    pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="moviembed-model")
    guess_notices: list[str] = []
    pending = pool.submit(
        load_query_embedder,
        guess,
        cache_root,
        batch_size=batch_size,
        on_notice=guess_notices.append,
    )
    pool.shutdown(wait=False)

    def finish(index_model: str) -> Embedder:
        if canonical_model_name(index_model) != guess:
            return load_query_embedder(
                index_model, cache_root, batch_size=batch_size, on_notice=on_notice
            )
        embedder = pending.result()
        for message in guess_notices if on_notice else ():
            on_notice(message)
        return embedder

    return finish
