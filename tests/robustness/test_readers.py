"""Readers change no movie: every reader command leaves the index's movies as they were and
touches only what ChromaDB rewrites on every open (the lock row it records in
`chroma.sqlite3`, the vector index it saves again); and every reader works on an index it
may not write to (a read-only bind mount, or another user's folder), through a snapshot."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner

from moviembed.cli.app import app

from ..conftest import SMALL_CATALOG

ROOT = Path(__file__).resolve().parents[2]
READERS = {
    "count": ["count"],
    "count --json": ["count", "--json"],
    "inspect": ["inspect"],
    "inspect a movie": ["inspect", "603"],
    "inspect --json": ["inspect", "--json"],
    "export -": ["export", "-"],
    "query": ["query", "a heist in a dream"],
    "query --json": ["query", "space travel", "--json", "-n", "3"],
    "query --format context": ["query", "space", "--format", "context"],
    "query a filter": ["query", "love", "--genre", "Comedy", "--year", "1980..2000"],
    "similar": ["similar", "603"],
    "similar a title": ["similar", "The Matrix", "--json"],
    "recommend": ["recommend", "603"],
}
# Run inside the subprocess: the same commands through CliRunner, with the fake model.
SCRIPT = """
import json, sys
import pytest
from typer.testing import CliRunner
from tests import fakes
fakes.install(pytest.MonkeyPatch(), fakes.HashingEmbedder())
from moviembed.cli.app import app
results = []
for argv in json.loads(sys.argv[1]):
    result = CliRunner().invoke(app, argv)
    results.append([result.exit_code, result.stderr[-400:]])
print(json.dumps(results))
"""


def snapshot(index: Path) -> dict[str, tuple[bytes, int]]:
    """Every entry under `index` (the folder too): its bytes (files) and modification time."""
    found = {".": (b"", os.stat(index).st_mtime_ns)}
    for folder, names, files in os.walk(index):
        for name in names + files:
            path = Path(folder, name)
            content = path.read_bytes() if path.is_file() else b""
            found[str(path.relative_to(index))] = (content, os.stat(path).st_mtime_ns)
    return found


# What ChromaDB itself rewrites when it opens a folder, even to read it: the lock row in its
# SQLite file and the vector index it saves again on closing (with the same vectors).
BOOKKEEPING = {"chroma.sqlite3", "length.bin", "header.bin", "data_level0.bin"}


def changed(before: dict[str, tuple[bytes, int]], after: dict[str, tuple[bytes, int]]) -> set[str]:
    """The files added, removed or with other bytes (ChromaDB rewrites its vector files as
    they were, so their times may move)."""
    paths = set(before) ^ set(after)
    return paths | {p for p in before if p in after and before[p][0] != after[p][0]}


@pytest.mark.parametrize("argv", list(READERS.values()), ids=list(READERS))
def test_a_reader_changes_no_movie(fake_index: Path, argv: list[str]) -> None:
    before, movies = snapshot(fake_index), exported(fake_index)
    result = CliRunner().invoke(app, argv)
    assert result.exit_code == 0, result.output
    assert {Path(path).name for path in changed(before, snapshot(fake_index))} <= BOOKKEEPING
    assert exported(fake_index) == movies


def exported(index: Path) -> list[str]:
    """Every movie as `export` writes it (the header line, which holds its time, aside)."""
    result = CliRunner().invoke(app, ["--db", str(index), "export", "-"])
    assert result.exit_code == 0, result.output
    return result.stdout.splitlines()[1:]


def test_export_to_a_file_changes_no_movie(fake_index: Path, tmp_path: Path) -> None:
    before = snapshot(fake_index)
    assert CliRunner().invoke(app, ["export", str(tmp_path / "backup.jsonl")]).exit_code == 0
    assert {Path(path).name for path in changed(before, snapshot(fake_index))} <= BOOKKEEPING


def _can(command: list[str]) -> bool:
    try:
        return subprocess.run(command, capture_output=True, timeout=30).returncode == 0
    except (OSError, subprocess.SubprocessError):
        return False


@pytest.fixture(params=["read-only bind mount", "another user"])
def unwritable(request: pytest.FixtureRequest, fake_built_index: Path) -> Iterator[list[str]]:
    """A command prefix that runs what follows over a copy of the index at $INDEX that it
    cannot write to; skipped where this machine allows neither way."""
    folder = Path(tempfile.mkdtemp(prefix="moviembed-ro-"))
    try:
        os.chmod(folder, 0o755)
        shutil.copytree(fake_built_index, folder / "index")
        (folder / "cache").mkdir(mode=0o777)
        os.chmod(folder / "cache", 0o777)
        for path in (folder / "index").rglob("*"):
            os.chmod(path, 0o755 if path.is_dir() else 0o644)
        if request.param == "read-only bind mount":
            (folder / "ro").mkdir()
            mount = (
                f'mount --bind "{folder}/index" "{folder}/ro" && '
                f'mount -o remount,bind,ro "{folder}/ro" && exec "$@"'
            )
            prefix = ["unshare", "--mount", "--propagation", "private", "sh", "-c", mount, "-"]
            index = folder / "ro"
            if not _can([*prefix, "true"]) or _can([*prefix, "touch", str(index / "probe")]):
                pytest.skip("this machine allows no read-only bind mount (needs root)")
        else:
            prefix = ["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups"]
            index = folder / "index"
            if os.geteuid() != 0 or not _can(
                [*prefix, "env", sys.executable, "-c", "import moviembed"]
            ):
                pytest.skip("cannot run this Python as another user here")
            if _can([*prefix, "touch", str(index / "probe")]):
                pytest.skip("the other user can write here")
        yield [*prefix, "env", f"MOVIEMBED_DB={index}", f"MOVIEMBED_CACHE_DIR={folder}/cache"]
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def test_every_reader_works_on_an_index_it_cannot_write(unwritable: list[str]) -> None:
    commands = [*READERS.values(), ["remove", "603"], ["build", "--catalog", str(SMALL_CATALOG)]]
    env = {k: v for k, v in os.environ.items() if not k.startswith(("MOVIEMBED_", "TMDB_"))}
    done = subprocess.run(
        [*unwritable, sys.executable, "-c", SCRIPT, json.dumps(commands)],
        capture_output=True,
        text=True,
        cwd=ROOT,
        env={**env, "NO_COLOR": "1", "COLUMNS": "200"},
        timeout=300,
    )
    assert done.returncode == 0, done.stderr
    results = json.loads(done.stdout.splitlines()[-1])
    for argv, (code, stderr) in zip(commands[: len(READERS)], results, strict=False):
        assert code == 0, f"{argv}: {stderr}"
    for code, stderr in results[len(READERS) :]:  # writers: one line naming the permission
        errors = [line for line in stderr.splitlines() if line.startswith("Error:")]
        assert code == 1 and len(errors) == 1, stderr
        assert "Read-only file system" in errors[0] or "Permission denied" in errors[0]
        assert "damaged" not in errors[0]
