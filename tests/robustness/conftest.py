"""The hostile-input table's harness: a small index built with the fake model, copied per
test, and one check that every refused input leaves a single line and changes nothing."""

from __future__ import annotations

import io
import json
import os
import shutil
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from typer.testing import CliRunner

from moviembed.cli.app import app
from moviembed.index.backup import export_index
from moviembed.index.builder import build_index
from moviembed.index.store import EmbeddingStore
from moviembed.sources.catalog import load_catalog

from ..conftest import SMALL_CATALOG
from ..fakes import HashingEmbedder

Maker = Callable[[Path], str]


@dataclass(frozen=True)
class Case:
    """One hostile input: `argv` ({file} is replaced by what `make` returns), the exit code
    and a piece of the one `Error:` line expected."""

    name: str
    argv: list[str]
    code: int
    message: str
    make: Maker | None = None
    env: dict[str, str] = field(default_factory=dict)
    stdin: bytes | None = None


def params(cases: list[Case]) -> list[object]:
    return [pytest.param(case, id=case.name) for case in cases]


@pytest.fixture(scope="session")
def fake_built_index(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The small catalog indexed once with the fake model."""
    path = tmp_path_factory.mktemp("fake-built") / "index"
    build_index(load_catalog(SMALL_CATALOG), store=EmbeddingStore(path), embedder=HashingEmbedder())
    return path


@pytest.fixture
def fake_index(fake_built_index: Path, isolated_env: Path) -> Path:
    """A private copy of the fake index where MOVIEMBED_DB points."""
    target = isolated_env / "index"
    shutil.copytree(fake_built_index, target)
    return target


def export_of(index: Path) -> str:
    """Everything stored, as an export without its timestamp."""
    out = io.StringIO()
    export_index(EmbeddingStore(index), out)
    header, _, rest = out.getvalue().partition("\n")
    return json.dumps({k: v for k, v in json.loads(header).items() if k != "exported_at"}) + rest


def files_outside(root: Path, index: Path) -> dict[str, tuple[int, int, int]]:
    """(mode, size, mtime) of every entry under `root` except the index folder."""
    found = {}
    for folder, names, files in os.walk(root):
        names[:] = [name for name in names if Path(folder, name) != index]
        for name in names + files:
            info = os.lstat(Path(folder, name))
            found[os.path.relpath(Path(folder, name), root)] = (
                info.st_mode,
                info.st_size,
                info.st_mtime_ns,
            )
    return found


@pytest.fixture
def check_refused(
    fake_index: Path, isolated_env: Path, monkeypatch: pytest.MonkeyPatch
) -> Callable[[Case], None]:
    """Run a case; assert its exit code, exactly one `Error:` line holding the message, no
    traceback or "This is a bug", the index unchanged and nothing written beside it."""

    def check(case: Case) -> None:
        file = case.make(isolated_env) if case.make else ""
        for name, value in case.env.items():
            monkeypatch.setenv(name, value.replace("{file}", file))
        before, files = export_of(fake_index), files_outside(isolated_env, fake_index)
        argv = [arg.replace("{file}", file) for arg in case.argv]
        result = CliRunner().invoke(app, argv, input=case.stdin)
        errors = [line for line in result.stderr.splitlines() if line.startswith("Error:")]
        assert result.exit_code == case.code, result.output
        assert len(errors) == 1, result.stderr
        assert case.message in errors[0], errors[0]
        assert "Traceback" not in result.output and "This is a bug" not in result.output
        assert export_of(fake_index) == before
        assert files_outside(isolated_env, fake_index) == files

    return check


# -- makers: files a case points at ----------------------------------------------------------


def write(name: str, content: bytes | str) -> Maker:
    """A file `name` in the test's folder holding `content`."""

    def make(folder: Path) -> str:
        path = folder / name
        path.write_bytes(content.encode() if isinstance(content, str) else content)
        return str(path)

    return make


def fifo(name: str) -> Maker:
    def make(folder: Path) -> str:
        os.mkfifo(folder / name)
        return str(folder / name)

    return make


def folder(name: str) -> Maker:
    def make(root: Path) -> str:
        (root / name).mkdir()
        return str(root / name)

    return make


def sparse(name: str, size: int) -> Maker:
    def make(root: Path) -> str:
        with (root / name).open("wb") as handle:
            handle.truncate(size)
        return str(root / name)

    return make


def symlink(name: str) -> Maker:
    def make(root: Path) -> str:
        (root / name).symlink_to(root / "elsewhere.jsonl")
        return str(root / name)

    return make


DEEP = "[" * 100_000 + "]" * 100_000
DEVICES = ("/dev/urandom", "/dev/zero", "/dev/null")
