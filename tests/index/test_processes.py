"""Real processes against a real index: SIGKILL at random moments, Ctrl-C, two writers
at once with readers alongside. Builds fetch from the fake TMDB, slowly, so batches
are written while later movies still arrive."""

from __future__ import annotations

import hashlib
import json
import os
import random
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from .. import fake_tmdb as fake
from ..conftest import SMALL_CATALOG, TMDB_KEY
from ..fake_tmdb import many_movies

MOVIES = 160
RATE = "20"  # requests per second: eight seconds of fetching, so batches land along the way

pytestmark = pytest.mark.processes


@pytest.fixture(autouse=True)
def _subprocesses_use_the_real_model(real_model: Path) -> Path:
    """The builds run in subprocesses, where no fake reaches: give them the real model's
    ONNX export so they end without exporting it again."""
    return real_model


@pytest.fixture
def slow_tmdb(monkeypatch: pytest.MonkeyPatch) -> Iterator[fake.FakeTmdb]:
    with fake.FakeTmdb(many_movies(MOVIES), api_key=TMDB_KEY) as server:
        monkeypatch.setenv("MOVIEMBED_TMDB_URL", server.url)
        monkeypatch.setenv("TMDB_API_KEY", TMDB_KEY)
        monkeypatch.setenv("MOVIEMBED_TMDB_RATE", RATE)
        yield server


@pytest.fixture
def ids_file(tmp_path: Path) -> Path:
    path = tmp_path / "ids.txt"
    path.write_text("\n".join(str(100_000 + n) for n in range(MOVIES)) + "\n")
    return path


def start(*args: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "moviembed", *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=os.environ.copy(),
    )


def finish(process: subprocess.Popen[str], timeout: float = 240) -> tuple[int, str, str]:
    stdout, stderr = process.communicate(timeout=timeout)
    return process.returncode, stdout, stderr


def assert_sound() -> int:
    """The index opens, counts what it holds, and every movie is whole; returns the count.

    Checked through `moviembed export` in a fresh process: ChromaDB caches an index per
    process, so this test process must not hold one open while other processes write it.
    """
    code, stdout, stderr = finish(start("export", "-"))
    if code == 1 and "is empty" in stderr:
        return 0
    assert code == 0, stderr
    header, *lines = (json.loads(line) for line in stdout.splitlines())
    ids = [movie["id"] for movie in lines]
    assert len(ids) == len(set(ids)) == header["count"]
    for movie in lines:
        digest = hashlib.sha256(movie["document"].encode()).hexdigest()
        assert movie["metadata"]["doc_hash"] == digest and movie["metadata"]["title"]
        assert len(movie["embedding"]) == 384
    code, stdout, _ = finish(start("count"))
    assert int(stdout) == len(ids)
    return len(ids)


def stored_count() -> int:
    code, stdout, _ = finish(start("count"))
    return int(stdout) if code == 0 and stdout.strip() else 0


def wait_for(condition: object, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while not condition():  # type: ignore[operator]
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.05)


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_sigkill_at_any_moment_leaves_a_sound_index_that_a_rerun_completes(
    slow_tmdb: fake.FakeTmdb, ids_file: Path, seed: int
) -> None:
    build = start("build", "--ids", str(ids_file), "-q")
    time.sleep(random.Random(seed).uniform(4.0, 12.0))  # torch loads first, then batches land
    build.send_signal(signal.SIGKILL)
    build.wait()
    partial = assert_sound()
    code, _, stderr = finish(start("build", "--ids", str(ids_file), "-q"))
    assert code == 0, stderr
    assert f"{MOVIES - partial} added" in stderr
    assert assert_sound() == MOVIES


def test_ctrl_c_stops_after_the_batch_keeps_it_and_exits_130(
    slow_tmdb: fake.FakeTmdb, ids_file: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Slow enough to be still fetching when Ctrl-C comes, even on a loaded machine where
    # loading the model in the subprocess takes many seconds.
    monkeypatch.setenv("MOVIEMBED_TMDB_RATE", "2")
    build = start("build", "--ids", str(ids_file), "-q")
    wait_for(lambda: stored_count() > 0)
    build.send_signal(signal.SIGINT)
    code, _, stderr = finish(build)
    assert code == 130, stderr
    assert "Stopping after the current batch" in stderr
    assert "Interrupted: work so far is saved" in stderr
    kept = assert_sound()
    assert 0 < kept < MOVIES
    monkeypatch.setenv("MOVIEMBED_TMDB_RATE", RATE)
    code, _, stderr = finish(start("build", "--ids", str(ids_file), "-q"))
    assert code == 0 and assert_sound() == MOVIES


def test_one_writer_at_a_time_while_readers_carry_on(
    slow_tmdb: fake.FakeTmdb, ids_file: Path, isolated_env: Path, tmp_path: Path
) -> None:
    index = isolated_env / "index"
    seed = tmp_path / "seed.json"
    seed.write_text(SMALL_CATALOG.read_text())
    assert finish(start("build", "--catalog", str(seed), "-q"))[0] == 0

    first = start("build", "--ids", str(ids_file), "-q")
    wait_for(lambda: (index / "moviembed.lock.owner").exists())
    code, _, stderr = finish(start("build", "--ids", str(ids_file), "--no-wait"))
    assert code == 1
    assert f"moviembed (pid {first.pid}, `moviembed build`" in stderr
    assert "run again without --no-wait" in stderr

    waiting = start("build", "--catalog", str(seed), "-q")
    for reader in (["count"], ["query", "a shark", "--json"], ["inspect"], ["similar", "578"]):
        code, stdout, stderr = finish(start(*reader), timeout=120)
        assert code == 0, (reader, stderr)
    assert first.poll() is None, "the readers should have run while the first build was busy"

    assert finish(first)[0] == 0
    code, _, stderr = finish(waiting)
    assert code == 0
    assert "Waiting for moviembed (pid" in stderr
    assert assert_sound() == MOVIES + 12
