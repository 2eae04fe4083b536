"""`query`, `similar` and `recommend` answered by a running service on the same index.

A real uvicorn server runs the app in this process (the fake model, real Chroma) and is
registered as `moviembed serve` registers itself; the CLI runs through CliRunner, and once
in a fresh interpreter to see what it imports.
"""

from __future__ import annotations

import json
import os
import shutil
import stat
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from moviembed.cli.app import app
from moviembed.config import Settings
from moviembed.serve import create_app, registry
from tests.chroma_server import free_port
from tests.cli.test_imports import run_probe
from tests.live_server import LiveServer

ANSWERED = "Answered by the service at"
LOCAL = "Searching the local index"
COMMANDS = [
    ["query", "space adventure", "-n", "5", "--genre", "science fiction"],
    ["query", "heist", "--mode", "dense", "--rank", "year", "--explain"],
    ["query", "robots", "--format", "context"],
    ["similar", "603", "-n", "4", "--year", "1970.."],
    ["recommend", "603", "862", "--not", "578", "--method", "mmr", "-n", "4"],
]


def settings() -> Settings:
    return Settings.load()


def register(port: int, **changes: Any) -> Path:
    """Write a registration as `moviembed serve` does (this process, this test's index and
    cache), with `changes`."""
    found = settings()
    me = registry.Registration(os.getpid(), "127.0.0.1", port, registry.index_identity(found))
    return registry.write(registry.folder_for(found), replace(me, **changes))


@pytest.fixture
def service(fake_index: Path) -> Iterator[LiveServer]:
    """The app on this test's index, registered; the registration is removed after."""
    with LiveServer(create_app(settings(), recheck_seconds=0)) as server:
        path = register(server.port)
        yield server
        path.unlink(missing_ok=True)


def run(runner: CliRunner, args: list[str]) -> tuple[str, str]:
    result = runner.invoke(app, ["-v", *args])
    assert result.exit_code == 0, result.output
    return result.stdout, result.stderr


@pytest.mark.parametrize(
    "args",
    [*COMMANDS, *([*args, "--json"] for args in COMMANDS if "--format" not in args)],
    ids=" ".join,
)
def test_the_service_answers_as_the_local_index_would(
    service: LiveServer, runner: CliRunner, args: list[str]
) -> None:
    served, notes = run(runner, args)
    assert ANSWERED in notes and LOCAL not in notes
    here, notes = run(runner, [*args, "--local"])
    assert "Searching the local index (--local)." in notes and ANSWERED not in notes
    assert served == here and served.strip()


def test_a_token_travels_with_the_registration(fake_index: Path, runner: CliRunner) -> None:
    with LiveServer(create_app(Settings.load(serve_token="s3cret-t0ken"))) as server:
        register(server.port, token="s3cret-t0ken")
        served, notes = run(runner, ["similar", "603", "--json"])
        assert ANSWERED in notes and "s3cret" not in notes
        wrong = register(server.port, token="wr0ng")
        assert stat.S_IMODE(wrong.stat().st_mode) == 0o600
        here, notes = run(runner, ["similar", "603", "--json"])
        assert "answered 401 (Wrong token.)" in notes
    assert served == here


def test_a_dead_process_is_ignored_and_its_file_removed(
    fake_index: Path, runner: CliRunner
) -> None:
    ended = subprocess.run(
        [sys.executable, "-c", "import os; print(os.getpid())"],
        capture_output=True,
        text=True,
        check=True,
    )
    path = register(free_port(), pid=int(ended.stdout))
    stdout, notes = run(runner, ["similar", "603", "--json"])
    assert "no running service serves it" in notes and json.loads(stdout)
    assert not path.exists()


def test_a_refused_connection_falls_back(fake_index: Path, runner: CliRunner) -> None:
    register(free_port())  # this process is alive, but nothing listens there
    stdout, notes = run(runner, ["recommend", "603", "--json"])
    assert "did not answer" in notes and json.loads(stdout)


def test_a_service_on_another_index_is_not_used(
    fake_index: Path, runner: CliRunner, tmp_path: Path
) -> None:
    other = tmp_path / "other"
    shutil.copytree(fake_index, other)
    elsewhere = Settings.load(db_path=other)
    with LiveServer(create_app(elsewhere, recheck_seconds=0)) as server:
        register(server.port, index=registry.index_identity(elsewhere))
        _, notes = run(runner, ["similar", "603", "--json"])
        assert "no running service serves it" in notes
        served, notes = run(runner, ["--db", str(other), "similar", "603", "--json"])
        assert ANSWERED in notes
        register(server.port)  # a stale file naming this index, its port now another's
        here, notes = run(runner, ["similar", "603", "--json"])
        assert "serves another one" in notes and ANSWERED not in notes
    assert json.loads(here) == json.loads(served)  # copies of one index


def test_files_others_may_read_are_ignored(service: LiveServer, runner: CliRunner) -> None:
    for path in registry.folder_for(settings()).glob("*.json"):
        path.chmod(0o644)
    _, notes = run(runner, ["similar", "603"])
    assert ANSWERED not in notes and "no running service serves it" in notes


def test_the_fast_path_imports_neither_chroma_nor_torch(
    service: LiveServer, tmp_path: Path
) -> None:
    for args in (COMMANDS[0], COMMANDS[3], COMMANDS[4]):
        loaded, stderr = run_probe(["-v", *args], tmp_path)
        assert ANSWERED in stderr
        assert not {"chromadb", "torch", "onnxruntime", "numpy"} & set(loaded), args


def test_another_model_named_gets_the_local_error(service: LiveServer, runner: CliRunner) -> None:
    args = ["--model", "sentence-transformers/paraphrase-MiniLM-L3-v2", "-v", "similar", "603"]
    served = runner.invoke(app, args)
    assert "it was built with another model than --model" in served.stderr
    here = runner.invoke(app, [*args, "--local"])
    assert (served.exit_code, served.stdout) == (here.exit_code, here.stdout)
    assert served.exit_code == 2 and served.stderr.splitlines()[-1] == here.stderr.splitlines()[-1]
