"""The hostile-input table's harness: a small index built with the fake model, copied per
test, and one check that every refused input leaves a single line and changes nothing.

The check is cheap because every copy starts byte-identical to the one built index: its
files are compared with a digest, and only when Chroma has touched them is what they
store read back and compared with what the built index stores (read once per run)."""

from __future__ import annotations

import hashlib
import io
import json
import os
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from typer.testing import CliRunner

from moviembed.cli.app import app
from moviembed.index.backup import export_index
from moviembed.index.lock import LOCK_NAME, OWNER_NAME
from moviembed.index.store import EmbeddingStore

Maker = Callable[[Path], str]
MAX_LINE = 400  # characters in an error line: bad values are quoted shortened


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


@dataclass(frozen=True)
class Stored:
    """What an index holds: the digest of its files and its export."""

    digest: str
    export: str


@pytest.fixture(scope="session")
def fake_stored(fake_built_index: Path) -> Stored:
    """The built fake index's export, and the digest of its files once Chroma has read it."""
    export = export_of(fake_built_index)
    return Stored(files_digest(fake_built_index), export)


def export_of(index: Path) -> str:
    """Everything stored, as an export without its timestamp."""
    out = io.StringIO()
    export_index(EmbeddingStore(index), out)
    header, _, rest = out.getvalue().partition("\n")
    return json.dumps({k: v for k, v in json.loads(header).items() if k != "exported_at"}) + rest


def files_digest(index: Path) -> str:
    """A digest of the names and bytes of every file in the `index` folder but the lock's
    (a refused build may take the lock; it holds no movies)."""
    digest = hashlib.blake2b()
    for folder, _, files in sorted(os.walk(index)):
        for name in sorted(set(files) - {LOCK_NAME, OWNER_NAME}):
            content = Path(folder, name).read_bytes()
            digest.update(f"{Path(folder, name).relative_to(index)}\0{len(content)}\0".encode())
            digest.update(content)
    return digest.hexdigest()


def assert_unchanged(index: Path, stored: Stored) -> None:
    """The index at `index` holds what `stored` describes: the same files, or, once Chroma
    has opened it (which rewrites some bytes), the same export."""
    if files_digest(index) != stored.digest:
        assert export_of(index) == stored.export, "the index changed"


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
    fake_index: Path, fake_stored: Stored, isolated_env: Path, monkeypatch: pytest.MonkeyPatch
) -> Callable[[Case], None]:
    """Run a case; assert its exit code, exactly one `Error:` line holding the message, no
    traceback or "This is a bug", the index as built and nothing written beside it."""

    def check(case: Case) -> None:
        file = case.make(isolated_env) if case.make else ""
        for name, value in case.env.items():
            monkeypatch.setenv(name, value.replace("{file}", file))
        files = files_outside(isolated_env, fake_index)
        argv = [arg.replace("{file}", file) for arg in case.argv]
        result = CliRunner().invoke(app, argv, input=case.stdin)
        errors = [line for line in result.stderr.splitlines() if line.startswith("Error:")]
        assert result.exit_code == case.code, result.output
        assert len(errors) == 1, result.stderr
        assert case.message in errors[0], errors[0]
        assert len(errors[0]) <= MAX_LINE, f"{len(errors[0])} characters: {errors[0][:300]}"
        assert "Traceback" not in result.output and "This is a bug" not in result.output
        assert_unchanged(fake_index, fake_stored)
        assert files_outside(isolated_env, fake_index) == files, "a file changed beside the index"

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
