"""stdout closed early or full, as in `moviembed export - | head` and `> /dev/full`, in a
real process; and text with lone surrogates accepted safely, replaced at the boundary."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from moviembed.cli.app import app

from ..conftest import SMALL_CATALOG

ROOT = Path(__file__).resolve().parents[2]


def run(argv: list[str], stdout: int) -> subprocess.CompletedProcess[bytes]:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    return subprocess.run(  # noqa: S603 - our own CLI
        [sys.executable, "-m", "moviembed", *argv],
        stdout=stdout,
        stderr=subprocess.PIPE,
        env=env,
        timeout=120,
        check=False,
    )


@pytest.mark.processes
def test_a_closed_stdout_ends_quietly_with_141(fake_index: Path) -> None:
    read, write = os.pipe()
    os.close(read)  # like `| head` that has already exited
    try:
        result = run(["export", "-"], stdout=write)
    finally:
        os.close(write)
    assert result.returncode == 141
    assert result.stderr == b""


@pytest.mark.processes
def test_a_full_stdout_is_one_error_line(fake_index: Path) -> None:
    with open("/dev/full", "wb") as full:
        result = run(["export", "-"], stdout=full.fileno())
    lines = result.stderr.decode().splitlines()
    assert result.returncode == 1
    assert lines == ["Error: Cannot write the output: No space left on device."]


@pytest.mark.parametrize("field", ["title", "overview", "director"])
def test_lone_surrogates_in_a_catalog_are_replaced(
    runner: CliRunner, isolated_env: Path, field: str
) -> None:
    records = json.loads(SMALL_CATALOG.read_text())[:2]
    records[0][field] = records[0][field] + "\ud800"
    path = isolated_env / "c.json"
    path.write_text(json.dumps(records))  # escapes the surrogate as \ud800
    built = runner.invoke(app, ["build", "--catalog", str(path), "-q"])
    assert built.exit_code == 0, built.output
    shown = runner.invoke(app, ["inspect", str(records[0]["id"]), "--json"])
    assert shown.exit_code == 0 and "\ufffd" in json.loads(shown.stdout)["document"]
