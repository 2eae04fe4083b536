"""The ONNX query embedder: sentence-transformers' vectors, no torch, never fatal when broken."""

from __future__ import annotations

import json
import os
import random
import shutil
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest

import moviembed
from moviembed.embedding.embedder import (
    DEFAULT_MODEL,
    SentenceTransformerEmbedder,
    bundled_model_path,
)
from moviembed.embedding.onnx_embedder import (
    OnnxEmbedder,
    load_query_embedder,
    start_loading_query_embedder,
)
from moviembed.embedding.onnx_export import ensure_onnx, export_onnx
from moviembed.embedding.onnx_files import (
    MANIFEST_FILE,
    ONNX_FILE,
    TOKENIZER_FILE,
    model_weights_sha256,
    onnx_cache_dir,
)
from moviembed.errors import EmbedderError

HEAVY = ("torch", "sentence_transformers", "transformers")
REPO_ROOT = Path(moviembed.__file__).resolve().parents[1]

WORDS = (
    "heist casino detective murder space robot love war western samurai ghost haunted house "
    "family comedy road trip zombie apocalypse courtroom drama jazz musician boxing champion "
    "submarine dragon wizard spy thriller noir vampire alien invasion time travel dinosaur"
).split()
FOREIGN = [
    "Un homme ordinaire devient un héros malgré lui à Paris.",
    "Ein Mann kämpft gegen die Zeit, um seine Familie zu retten.",
    "Una historia de amor en la Ciudad de México durante la revolución.",
    "東京で暮らす老夫婦が子供たちを訪ねる物語。",
    "一个年轻的武士为家族报仇。",
    "Молодой человек ищет смысл жизни в Санкт-Петербурге.",
    "قصة حب في القاهرة القديمة",
    "서울에서 벌어지는 가족의 비밀 이야기",
    "मुंबई में एक गरीब लड़के की कहानी",
    "Μια οδύσσεια στο Αιγαίο πέλαγος.",
    "Em São Paulo, três irmãos disputam a herança do pai.",
    "İstanbul'da geçen bir aşk hikâyesi.",
]
ODD = [
    "",
    "   ",
    "!!!",
    "...",
    "?!;:—–-«»",
    "🎬🍿😱👻🚀",
    "Amélie à Montmartre 🎬",
    "naïve café, crème brûlée, jalapeño",
    "DaRk ThRiLLeR",
    "SPACE OPERA",
    "1999",
    "3.14159 42 1e10 -7 0x1F 007",
    "tabs\tand\nnewlines\r\nand  double  spaces",
    "a" * 1000,
    "supercalifragilisticexpialidocious",
    "Ça va? Ñandú, Øresund, Łódź, Straße",
    "e\u0301 composed vs é precomposed",
    "zero\u200bwidth\u00a0spaces",
]


def varied_texts(count: int = 300, seed: int = 7) -> list[str]:
    """Short queries, single words, >256-token paragraphs, numbers, unicode, other languages."""
    rng = random.Random(seed)
    texts = list(ODD) + list(FOREIGN)
    makers: list[Callable[[], str]] = [
        lambda: " ".join(rng.choices(WORDS, k=rng.randint(1, 6))),  # a query
        lambda: rng.choice(WORDS),  # a single word
        lambda: rng.choice(WORDS).upper() + " " + rng.choice(WORDS).title(),  # mixed case
        lambda: f"{rng.choice(WORDS)} from {rng.randint(1900, 2030)}, {rng.random() * 100:.2f}%",
        lambda: " ".join(rng.choices(WORDS, k=rng.randint(20, 120))) + ".",  # a paragraph
        lambda: ". ".join(rng.choices(WORDS, k=rng.randint(300, 600))),  # > 256 tokens
        lambda: " ".join(rng.choices(FOREIGN + ODD[5:9], k=rng.randint(2, 8))),  # mixed
    ]
    while len(texts) < count:
        texts.append(rng.choice(makers)())
    return texts


def cosines(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    a = a / np.linalg.norm(a, axis=1, keepdims=True)
    b = b / np.linalg.norm(b, axis=1, keepdims=True)
    return np.sum(a * b, axis=1)


@pytest.fixture(scope="session")
def onnx_dir(onnx_cache: Path) -> Path:
    return onnx_cache_dir(onnx_cache, DEFAULT_MODEL, model_weights_sha256(DEFAULT_MODEL) or "")


@pytest.fixture(scope="session")
def onnx_embedder(onnx_dir: Path) -> OnnxEmbedder:
    return OnnxEmbedder(onnx_dir)


@pytest.fixture
def cache_copy(onnx_cache: Path, tmp_path: Path) -> Path:
    """A private, writable copy of the cache, to damage."""
    target = tmp_path / "cache-copy"
    shutil.copytree(onnx_cache, target)
    return target


# --------------------------------------------------------------------------- same vectors


def test_the_export_is_keyed_by_the_bundled_weights(onnx_dir: Path) -> None:
    assert sorted(path.name for path in onnx_dir.iterdir()) == [
        MANIFEST_FILE,
        ONNX_FILE,
        TOKENIZER_FILE,
    ]
    manifest = json.loads((onnx_dir / MANIFEST_FILE).read_text())
    assert manifest["model_name"] == DEFAULT_MODEL
    assert manifest["dimension"] == 384
    assert manifest["max_seq_length"] == 256
    assert manifest["pooling"] == "mean"
    assert manifest["moviembed_version"] == moviembed.__version__
    assert onnx_dir.name.endswith(manifest["weights_sha256"][:16])


def test_tokens_match_sentence_transformers(
    onnx_embedder: OnnxEmbedder, embedder: SentenceTransformerEmbedder
) -> None:
    texts = varied_texts()
    expected = embedder._load()[0].tokenizer(texts, truncation="longest_first")["input_ids"]
    actual = [encoding.ids for encoding in onnx_embedder._tokenizer.encode_batch(texts)]
    assert actual == expected
    assert max(len(ids) for ids in actual) == 256  # long texts were there, and truncated


def test_vectors_match_sentence_transformers(
    onnx_embedder: OnnxEmbedder, embedder: SentenceTransformerEmbedder
) -> None:
    texts = varied_texts()
    expected = embedder.embed(texts)
    actual = onnx_embedder.embed(texts)
    assert actual.shape == (len(texts), 384)
    assert actual.dtype == np.float32
    assert np.linalg.norm(actual, axis=1) == pytest.approx(np.ones(len(texts)), abs=1e-5)
    worst = float(cosines(actual, expected).min())
    assert worst >= 0.9999, f"min cosine {worst:.7f}"


def test_batches_of_mixed_lengths_equal_one_by_one(onnx_dir: Path) -> None:
    texts = varied_texts(60, seed=11)
    alone = np.vstack([OnnxEmbedder(onnx_dir, batch_size=1).embed([text]) for text in texts])
    for batch_size in (3, 32):
        batched = OnnxEmbedder(onnx_dir, batch_size=batch_size).embed(texts)
        assert cosines(batched, alone).min() >= 0.99999
        assert np.abs(batched - alone).max() < 1e-4


def test_progress_counts_every_text_and_empty_input_works(onnx_dir: Path) -> None:
    seen: list[int] = []
    small = OnnxEmbedder(onnx_dir, batch_size=2)
    small.embed([f"text {i}" for i in range(19)], on_progress=seen.append)
    assert seen == [8, 8, 3]  # 2-text batches, 4 batches per call, like the torch embedder
    assert small.embed([]).shape == (0, 384)


# --------------------------------------------------------------------------- no torch


def test_querying_with_onnx_does_not_import_torch(onnx_cache: Path, onnx_dir: Path) -> None:
    code = f"""
import json, sys
from pathlib import Path
from moviembed.embedding.onnx_embedder import OnnxEmbedder, load_query_embedder
notices = []
cache = Path({str(onnx_cache)!r})
loaded = load_query_embedder("all-MiniLM-L6-v2", cache, on_notice=notices.append)
direct = OnnxEmbedder(Path({str(onnx_dir)!r})).embed(["dark thriller"])[0]
vector = loaded.embed(["dark thriller"])[0]
print(json.dumps({{
    "kind": type(loaded).__name__,
    "notices": notices,
    "same": float(direct @ vector),
    "heavy": [name for name in {HEAVY!r} if name in sys.modules],
}}))
"""
    result = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
        env={**os.environ, "PYTHONPATH": str(REPO_ROOT)},
    )
    report = json.loads(result.stdout)
    assert report == {
        "kind": "OnnxEmbedder",
        "notices": [],
        "same": pytest.approx(1.0),
        "heavy": [],
    }


pytestmark = pytest.mark.slow  # these load torch and the real model


# --------------------------------------------------------------------------- broken exports


def flip_middle_byte(path: Path) -> None:
    data = bytearray(path.read_bytes())
    data[len(data) // 2] ^= 0xFF
    path.write_bytes(bytes(data))


def edit_manifest(**changes: object) -> Callable[[Path], None]:
    def edit(folder: Path) -> None:
        manifest = json.loads((folder / MANIFEST_FILE).read_text())
        manifest.update(changes)
        (folder / MANIFEST_FILE).write_text(json.dumps(manifest))

    return edit


def garbage_onnx_with_matching_manifest(folder: Path) -> None:
    """Checksums that agree with a file onnxruntime cannot parse."""
    from moviembed.files import file_sha256

    path = folder / ONNX_FILE
    path.write_bytes(b"not an onnx model" * 1000)
    stat = path.stat()
    edit_manifest(
        onnx_sha256=file_sha256(path), onnx_size=stat.st_size, onnx_mtime_ns=stat.st_mtime_ns
    )(folder)


DAMAGES: dict[str, Callable[[Path], None]] = {
    "missing folder": lambda folder: shutil.rmtree(folder),
    "missing manifest": lambda folder: (folder / MANIFEST_FILE).unlink(),
    "manifest not json": lambda folder: (folder / MANIFEST_FILE).write_text("{"),
    "manifest lacks keys": lambda folder: (folder / MANIFEST_FILE).write_text('{"format": 1}'),
    "newer format": edit_manifest(format=99),
    "other model": edit_manifest(model_name="BAAI/bge-small-en-v1.5"),
    "other weights": edit_manifest(weights_sha256="0" * 64),
    "other dimension": edit_manifest(dimension=768),
    "missing onnx": lambda folder: (folder / ONNX_FILE).unlink(),
    "truncated onnx": lambda folder: (folder / ONNX_FILE).write_bytes(
        (folder / ONNX_FILE).read_bytes()[:1_000_000]
    ),
    "corrupted onnx": lambda folder: flip_middle_byte(folder / ONNX_FILE),
    "unparseable onnx": garbage_onnx_with_matching_manifest,
    "corrupted tokenizer": lambda folder: (folder / TOKENIZER_FILE).write_text("{}"),
    "missing tokenizer": lambda folder: (folder / TOKENIZER_FILE).unlink(),
}


@pytest.mark.parametrize("damage", DAMAGES.values(), ids=DAMAGES.keys())
def test_a_broken_export_falls_back_to_sentence_transformers(
    damage: Callable[[Path], None], cache_copy: Path
) -> None:
    weights = model_weights_sha256(DEFAULT_MODEL) or ""
    folder = onnx_cache_dir(cache_copy, DEFAULT_MODEL, weights)
    damage(folder)
    if folder.exists():
        with pytest.raises(EmbedderError):
            OnnxEmbedder(folder, model_name=DEFAULT_MODEL, weights_sha256=weights)
    notices: list[str] = []
    loaded = load_query_embedder(DEFAULT_MODEL, cache_copy, batch_size=8, on_notice=notices.append)
    assert isinstance(loaded, SentenceTransformerEmbedder)
    assert loaded.model_name == DEFAULT_MODEL and loaded.batch_size == 8
    assert len(notices) == 1 and "\n" not in notices[0]
    assert "sentence-transformers" in notices[0]


def test_notices_about_a_wrongly_guessed_model_are_dropped(tmp_path: Path) -> None:
    notices: list[str] = []
    finish = start_loading_query_embedder(None, tmp_path, on_notice=notices.append)  # guess: MiniLM
    loaded = finish("someone/other-model")  # what the index turned out to be built with
    assert isinstance(loaded, SentenceTransformerEmbedder)
    assert loaded.model_name == "someone/other-model"
    assert len(notices) == 1 and "other-model" in notices[0]


def test_a_missing_cache_falls_back_without_a_callback(tmp_path: Path) -> None:
    assert isinstance(
        load_query_embedder("all-MiniLM-L6-v2", tmp_path), SentenceTransformerEmbedder
    )


def test_a_corruption_that_keeps_size_and_mtime_is_caught_by_the_full_check(
    cache_copy: Path,
) -> None:
    folder = onnx_cache_dir(cache_copy, DEFAULT_MODEL, model_weights_sha256(DEFAULT_MODEL) or "")
    path = folder / ONNX_FILE
    before = path.stat()
    flip_middle_byte(path)
    os.utime(path, ns=(before.st_atime_ns, before.st_mtime_ns))
    OnnxEmbedder(folder)  # the quick check trusts size + mtime, by design (~0.07 s saved)
    with pytest.raises(EmbedderError, match="damaged"):
        OnnxEmbedder(folder, full_check=True)


def test_a_copied_export_with_new_mtimes_still_loads(onnx_dir: Path, tmp_path: Path) -> None:
    copy = tmp_path / "copy"
    shutil.copytree(onnx_dir, copy, copy_function=shutil.copyfile)  # mtimes not kept
    assert OnnxEmbedder(copy).embed(["heist"]).shape == (1, 384)


# --------------------------------------------------------------------------- export and cache


def test_ensure_keeps_a_sound_export_and_redoes_a_broken_one(cache_copy: Path) -> None:
    folder = onnx_cache_dir(cache_copy, DEFAULT_MODEL, model_weights_sha256(DEFAULT_MODEL) or "")
    mtime = (folder / ONNX_FILE).stat().st_mtime_ns
    assert ensure_onnx("all-MiniLM-L6-v2", cache_copy) == folder
    assert (folder / ONNX_FILE).stat().st_mtime_ns == mtime
    flip_middle_byte(folder / ONNX_FILE)
    assert ensure_onnx(DEFAULT_MODEL, cache_copy) == folder
    OnnxEmbedder(folder, full_check=True)
    assert sorted(path.name for path in folder.parent.iterdir()) == [folder.name]


def test_export_replaces_an_existing_folder_and_leaves_no_temp_dirs(tmp_path: Path) -> None:
    target = tmp_path / "exports" / "minilm"
    target.mkdir(parents=True)
    (target / "stale.txt").write_text("from an older export")
    assert export_onnx(DEFAULT_MODEL, target) == target
    assert sorted(path.name for path in target.iterdir()) == [
        MANIFEST_FILE,
        ONNX_FILE,
        TOKENIZER_FILE,
    ]
    assert [path.name for path in target.parent.iterdir()] == ["minilm"]
    assert OnnxEmbedder(target).embed(["heist"]).shape == (1, 384)


def test_a_failed_export_keeps_the_old_folder_and_no_temp_dirs(
    onnx_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import moviembed.embedding.onnx_export as module

    target = tmp_path / "minilm"
    shutil.copytree(onnx_dir, target)
    before = (target / MANIFEST_FILE).read_text()

    def killed(*args: object) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr(module, "_check_against_sentence_transformers", killed)
    with pytest.raises(KeyboardInterrupt):
        export_onnx(DEFAULT_MODEL, target)
    assert [path.name for path in tmp_path.iterdir()] == ["minilm"]
    assert (target / MANIFEST_FILE).read_text() == before


def test_temp_dirs_left_by_a_killed_export_are_cleared(tmp_path: Path) -> None:
    target = tmp_path / "minilm"
    stale = tmp_path / ".minilm.tmp-killed"
    fresh = tmp_path / ".minilm.tmp-running"
    for folder in (stale, fresh):
        folder.mkdir()
        (folder / ONNX_FILE).write_bytes(b"half a model")
    old = time.time() - 7200
    os.utime(stale, (old, old))
    export_onnx(DEFAULT_MODEL, target)
    assert sorted(path.name for path in tmp_path.iterdir()) == [".minilm.tmp-running", "minilm"]


# --------------------------------------------------------------------------- other models


def local_model_copy(folder: Path, pooling: dict[str, object]) -> Path:
    """The bundled model as a local folder (weights linked) with another pooling config."""
    source = bundled_model_path()
    shutil.copytree(source, folder, ignore=shutil.ignore_patterns("model.safetensors"))
    (folder / "model.safetensors").symlink_to(source / "model.safetensors")
    (folder / "1_Pooling" / "config.json").write_text(
        json.dumps({"word_embedding_dimension": 384, **pooling})
    )
    return folder


def test_a_cls_pooling_model_exports_and_matches(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    model = str(local_model_copy(tmp_path / "cls-model", {"pooling_mode_cls_token": True}))
    cache = tmp_path / "cache"
    folder = ensure_onnx(model, cache)
    assert folder == onnx_cache_dir(cache, model, model_weights_sha256(model) or "")
    texts = varied_texts(40, seed=3)
    expected = SentenceTransformerEmbedder(model).embed(texts)
    loaded = load_query_embedder(model, cache)
    assert isinstance(loaded, OnnxEmbedder)
    assert json.loads((folder / MANIFEST_FILE).read_text())["pooling"] == "cls"
    assert cosines(loaded.embed(texts), expected).min() >= 0.9999
    mean = SentenceTransformerEmbedder().embed(texts)
    assert cosines(expected, mean).min() < 0.99  # cls really is a different vector


def test_an_unsupported_pooling_is_refused_clearly(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    model = str(local_model_copy(tmp_path / "max-model", {"pooling_mode_max_tokens": True}))
    with pytest.raises(EmbedderError, match="pooling 'max' is not supported"):
        export_onnx(model, tmp_path / "out")
    assert not (tmp_path / "out").exists()


def test_an_exporter_failure_is_an_embedder_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import torch

    def broken(*args: object, **kwargs: object) -> None:
        raise ModuleNotFoundError("No module named 'onnx'")

    monkeypatch.setattr(torch.onnx, "export", broken)
    with pytest.raises(EmbedderError, match="Cannot export .* to ONNX: No module named 'onnx'"):
        export_onnx(DEFAULT_MODEL, tmp_path / "out")
    assert list(tmp_path.iterdir()) == []
