"""`build --device`: auto picks what torch sees, a missing device is one line, CPU works."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest
from typer.testing import CliRunner

from moviembed.cli.app import app
from moviembed.embedding.devices import batch_size_for
from moviembed.index.store import EmbeddingStore

SMALL = Path(__file__).resolve().parents[1] / "data" / "movies_small.json"


def test_batch_size_suits_the_device_unless_given() -> None:
    assert [batch_size_for(device, None) for device in ("cpu", "cuda", "cuda:1", "mps")] == [
        32,
        512,
        512,
        128,
    ]
    assert batch_size_for("cuda", 64) == 64


def test_a_device_name_torch_does_not_know_is_a_config_error(runner: CliRunner) -> None:
    result = runner.invoke(app, ["build", "--device", "gpu"])
    assert result.exit_code == 2
    assert (
        result.stderr.strip()
        == "Error: --device must be auto, cpu, cuda, cuda:N or mps, got 'gpu'."
    )


def torch_sees(kind: str) -> bool:
    import torch

    return torch.cuda.is_available() if kind == "cuda" else torch.backends.mps.is_available()


@pytest.mark.parametrize("device", ["cuda", "cuda:0", "mps"])
def test_a_device_the_machine_lacks_is_one_line_before_any_work(
    runner: CliRunner, real_model: Path, device: str
) -> None:
    if torch_sees(device.partition(":")[0]):
        pytest.skip(f"this machine has {device}")
    result = runner.invoke(app, ["build", "--catalog", str(SMALL), "--device", device])
    assert result.exit_code == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith(f"Error: --device {device}: torch")
    assert "use --device cpu" in lines[0]
    assert EmbeddingStore(Path("index")).count() == 0


@pytest.mark.skipif(importlib.util.find_spec("torch") is None, reason="needs torch")
@pytest.mark.parametrize("device", ["cpu", "auto"])
def test_a_build_on_the_cpu_or_auto(runner: CliRunner, real_model: Path, device: str) -> None:
    result = runner.invoke(app, ["-v", "build", "--catalog", str(SMALL), "--device", device])
    assert result.exit_code == 0, result.output
    gpu = "cuda" if torch_sees("cuda") else "mps" if torch_sees("mps") else "cpu"
    expected = "cpu" if device == "cpu" else gpu
    batch = {"cpu": 32, "cuda": 512, "mps": 128}[expected]
    assert f"Encoding on {expected}, {batch} texts per batch." in result.stderr
    assert EmbeddingStore(Path("index")).count() == 12
