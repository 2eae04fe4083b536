"""The same CLI against a real Chroma server (`chroma run`, started by a fixture)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner

from moviembed.cli.app import app
from moviembed.index.store import EmbeddingStore

from .. import fake_tmdb as fake
from ..chroma_server import ChromaServer, free_port
from ..conftest import SMALL_CATALOG, TMDB_KEY
from ..fake_tmdb import many_movies

SMALL = ["build", "--catalog", str(SMALL_CATALOG), "-q"]
TOKEN = "t0ken-of-the-server-tests"

pytestmark = pytest.mark.server


@pytest.fixture
def on_server(chroma_server: ChromaServer, monkeypatch: pytest.MonkeyPatch) -> str:
    """Point moviembed at the session's server, in a collection of this test's own."""
    collection = f"movies-{uuid.uuid4().hex[:10]}"
    monkeypatch.setenv("MOVIEMBED_CHROMA_URL", chroma_server.url)
    monkeypatch.setenv("MOVIEMBED_CHROMA_TOKEN", TOKEN)
    monkeypatch.setenv("MOVIEMBED_COLLECTION", collection)
    return collection


def json_of(runner: CliRunner, *args: str) -> object:
    result = runner.invoke(app, [*args, "--json"])
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def test_every_command_works_against_the_server(
    runner: CliRunner,
    on_server: str,
    chroma_server: ChromaServer,
    tmp_path: Path,
    real_model: Path,  # the ranking checks below need the real vectors
) -> None:
    built = runner.invoke(app, SMALL)
    assert built.exit_code == 0, built.output
    assert f"writing to the Chroma server at {chroma_server.url}" in built.stderr
    assert not (tmp_path / "index").exists()  # nothing local
    assert runner.invoke(app, ["count"]).stdout == "12\n"
    assert json_of(runner, "query", "a shark attacks a beach town", "-n", "1")[0]["title"] == "Jaws"
    assert json_of(runner, "query", "Fishburne", "-n", "1")[0]["title"] == "The Matrix"
    assert "Interstellar" in {
        hit["title"] for hit in json_of(runner, "similar", "Alien", "-n", "3")
    }
    info = json_of(runner, "inspect")
    assert info["location"] == chroma_server.url and info["collection"] == on_server
    assert (info["count"], info["dimension"], info["distance"]) == (12, 384, "cosine")
    assert json_of(runner, "inspect", "603")["metadata"]["title"] == "The Matrix"
    removed = runner.invoke(app, ["remove", "603"])
    assert removed.exit_code == 0 and runner.invoke(app, ["count"]).stdout == "11\n"
    backup = tmp_path / "server.jsonl"
    assert runner.invoke(app, ["export", str(backup)]).exit_code == 0
    local = tmp_path / "local"
    imported = runner.invoke(app, ["--db", str(local), "--chroma-url", "", "import", str(backup)])
    assert imported.exit_code == 0, imported.output
    assert EmbeddingStore(local, on_server).count() == 11
    for result in (built, removed, imported):
        assert TOKEN not in result.output


def test_server_and_local_index_give_the_same_top_results(
    runner: CliRunner, on_server: str, index_copy: Path
) -> None:
    assert runner.invoke(app, SMALL).exit_code == 0
    local_env = {"MOVIEMBED_CHROMA_URL": "", "MOVIEMBED_COLLECTION": "movies"}
    for query in ("space crew", "romance in a nightclub during the war", "Spielberg dinosaurs"):
        server = json_of(runner, "query", query, "-n", "5")
        result = runner.invoke(app, ["query", query, "-n", "5", "--json"], env=local_env)
        assert result.exit_code == 0, result.output
        local = json.loads(result.stdout)
        assert [hit["id"] for hit in server] == [hit["id"] for hit in local]


def test_an_unreachable_server_is_one_line_without_the_token(
    runner: CliRunner, monkeypatch: pytest.MonkeyPatch
) -> None:
    url = f"http://127.0.0.1:{free_port()}"
    monkeypatch.setenv("MOVIEMBED_CHROMA_URL", url)
    monkeypatch.setenv("MOVIEMBED_CHROMA_TOKEN", TOKEN)
    for args in (["count"], ["query", "x"], SMALL):
        result = runner.invoke(app, args)
        assert result.exit_code == 1
        assert (
            result.stderr.strip()
            .splitlines()[-1]
            .startswith(f"Error: Cannot reach the Chroma server at {url}")
        )
        assert TOKEN not in result.output and "Traceback" not in result.output


@pytest.mark.parametrize(
    "url",
    [
        "localhost:8000",
        "ftp://host",
        "http://host:8000/api",
        "http://user:s3cret@host:8000",
        "http://host:8000/?token=s3cret",
    ],
)
def test_a_malformed_server_url_is_a_usage_error_that_hides_credentials(
    runner: CliRunner, monkeypatch: pytest.MonkeyPatch, url: str
) -> None:
    monkeypatch.setenv("MOVIEMBED_CHROMA_URL", url)
    result = runner.invoke(app, ["count"])
    assert result.exit_code == 2 and "MOVIEMBED_CHROMA_URL must be" in result.stderr
    assert "s3cret" not in result.output


@pytest.fixture
def own_server(tmp_path: Path) -> Iterator[ChromaServer]:
    with ChromaServer(tmp_path / "server-data") as server:
        yield server


def test_a_server_killed_mid_build_and_restarted_lets_a_rerun_finish(
    own_server: ChromaServer, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    total = 160
    ids = tmp_path / "ids.txt"
    ids.write_text("\n".join(str(100_000 + n) for n in range(total)) + "\n")
    with fake.FakeTmdb(many_movies(total), api_key=TMDB_KEY) as tmdb:
        env = dict(
            os.environ,
            MOVIEMBED_CHROMA_URL=own_server.url,
            MOVIEMBED_TMDB_URL=tmdb.url,
            TMDB_API_KEY=TMDB_KEY,
            MOVIEMBED_TMDB_RATE="40",
        )
        command = [sys.executable, "-m", "moviembed", "build", "--ids", str(ids), "-q"]
        build = subprocess.Popen(command, env=env, stderr=subprocess.PIPE, text=True)
        store = EmbeddingStore(chroma_url=own_server.url)
        deadline = time.monotonic() + 120
        while store.count() == 0:  # the first batch has landed
            assert time.monotonic() < deadline and build.poll() is None
            time.sleep(0.1)
        own_server.kill()
        _, stderr = build.communicate(timeout=120)
        assert build.returncode == 1
        assert f"at {own_server.url}" in stderr and "Traceback" not in stderr
        own_server.restart()
        rerun = subprocess.run(command, env=env, capture_output=True, text=True, timeout=300)
        assert rerun.returncode == 0, rerun.stderr
    final = EmbeddingStore(chroma_url=own_server.url)
    assert final.count() == len(final.all_ids()) == total
