"""The real all-mpnet-base-v2, from its five part packages: skipped where they are not installed.

One small index is built with it and used the way a person would: build (which also
exports the model to ONNX), inspect, query without torch, the service, and a refused
model mix-up. About 100 s of CPU plus ~10 s to assemble the files (see benchmarks/README.md).
"""

from __future__ import annotations

import json
from pathlib import Path

import httpx
import pytest
from typer.testing import CliRunner

from moviembed.cli import app
from moviembed.config import Settings
from moviembed.embedding.pinned_model import MPNET, ensure_pinned_model, installed_parts
from moviembed.serve import create_app
from tests.conftest import SMALL_CATALOG
from tests.live_server import LiveServer

pytestmark = [pytest.mark.slow, pytest.mark.mpnet]


@pytest.fixture(scope="module")
def mpnet_files(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A cache root holding the checked model folder, assembled once from the extra's parts."""
    if installed_parts(MPNET) is None:
        pytest.skip("all-mpnet-base-v2's part packages are not installed")
    root = tmp_path_factory.mktemp("mpnet-cache")
    ensure_pinned_model(MPNET, root)
    return root


@pytest.fixture
def mpnet_cache(mpnet_files: Path, user_cache: Path) -> Path:
    """This test's cache, sharing the assembled model through a symlink."""
    (user_cache / "models").symlink_to(mpnet_files / "models", target_is_directory=True)
    return user_cache


def test_an_mpnet_index_is_built_queried_and_served_like_a_minilm_one(
    runner: CliRunner, mpnet_cache: Path
) -> None:
    built = runner.invoke(app, ["--model", "mpnet", "build", "-q", "--catalog", str(SMALL_CATALOG)])
    assert built.exit_code == 0, built.output
    shown = json.loads(runner.invoke(app, ["inspect", "--json"]).stdout)
    assert (shown["model"], shown["dimension"], shown["count"]) == (MPNET.name, 768, 12)
    assert list((mpnet_cache / "onnx").iterdir())  # the build exported it for queries
    assert runner.invoke(app, ["count"]).stdout.strip() == "12"

    found = runner.invoke(app, ["query", "a shark terrorizes a beach town", "--json", "-n", "3"])
    assert found.exit_code == 0, found.output
    assert json.loads(found.stdout)[0]["title"] == "Jaws"
    assert "slower" not in found.stderr  # the ONNX export answered, not sentence-transformers

    mixed = runner.invoke(app, ["--model", "all-MiniLM-L6-v2", "query", "heist"])
    assert mixed.exit_code == 2 and "mpnet" in mixed.stderr

    with LiveServer(create_app(Settings.load())) as server:
        answer = httpx.get(f"{server.url}/api/search", params={"q": "toys come alive", "n": 1})
    assert answer.status_code == 200, answer.text
    assert answer.json()["results"][0]["title"] == "Toy Story"
