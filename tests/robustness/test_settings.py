"""Settings that were quietly wrong, and messages that were not one clear line: each is now
one `Error:` line (at most 80 characters of any bad value), the documented exit code, and
nothing changed."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest
from typer.testing import CliRunner

from moviembed.cli.app import app
from moviembed.embedding import backends

from ..conftest import SMALL_CATALOG
from .conftest import Case, params, write

REAL_BUILD_EMBEDDER = backends.build_embedder  # before any test puts the fake model in
LONG = "z" * 10_000
DIGITS = "9" * 5_000
ROOT = Path(__file__).resolve().parents[2]


def other_files(name: str) -> Callable[[Path], str]:
    """A folder that holds files, but no index."""

    def make(root: Path) -> str:
        (root / name).mkdir()
        (root / name / "notes.txt").write_text("not an index")
        return str(root / name)

    return make


READERS = {
    "count": ["count"],
    "inspect": ["inspect"],
    "query": ["query", "x"],
    "similar": ["similar", "603"],
    "export": ["export", "-"],
    "recommend": ["recommend", "603"],
}
QUIETLY_WRONG = [
    *[
        Case(f"--db /proc/1 {name}", ["--db", "/proc/1", *argv], 1, "is not a moviembed index")
        for name, argv in READERS.items()
    ],
    *[
        Case(
            f"--db other files {name}",
            ["--db", "{file}", *argv],
            1,
            "holds other files",
            other_files("o"),
        )
        for name, argv in list(READERS.items())[:3]
    ],
    *[
        Case(f"--db '' {name}", ["--db", "", *argv], 2, "--db must be a folder path")
        for name, argv in [*READERS.items(), ("build", ["build", "-q"])]
    ],
    *[
        Case(
            f"--include-adult with a {kind} list",
            ["build", "--ids", "{file}", "--include-adult"],
            2,
            "does not say which titles are adult",
            write(f"i.{kind}", content),
        )
        for kind, content in [("txt", "603\n"), ("csv", "id\n603\n"), ("json", "[603]")]
    ],
    *[
        Case(f"TMDB URL {name}", ["count"], 2, "(no spaces)", env={"MOVIEMBED_TMDB_URL": url})
        for name, url in [
            ("with a space", "http://api.themoviedb.org/3 x"),
            ("with a tab", "http://api.the\tmoviedb.org/3"),
            ("space in host", "http://api themoviedb.org/3"),
            ("broken IPv6", "http://[::1"),
            ("port not a number", "http://localhost:port/3"),
            ("newline", "http://localhost/3\nx"),
        ]
    ],
    *[
        Case(
            f"cache folder a file: {name}",
            argv,
            2,
            "is a file",
            write("c", "x"),
            env={"MOVIEMBED_CACHE_DIR": "{file}" + below},
        )
        for name, argv, below in [
            ("query", ["query", "x"], ""),
            ("count", ["count"], ""),
            ("under it", ["query", "x"], "/sub"),
        ]
    ],
]
MESSAGES = [
    *[
        Case(f".env {name}", ["count"], 2, "Line 2 of", write(".env", f"A=1\n{line}\n"))
        for name, line in [
            ("a sentence", "this is not a setting"),
            ("unterminated quote", 'B="never closed'),
            ("no name", "=value"),
            ("space in a name", "MY KEY=1"),
        ]
    ],
    *[
        Case(f"serve --host {name}", ["serve", "--host", host], 2, "Cannot listen on")
        for name, host in [
            ("with a space", "bad host"),
            ("not an address", "999.1.1.1"),
            ("10,000 characters", LONG),
            ("of another machine", "192.0.2.1"),
        ]
    ],
    Case(
        "ids of 5,000 digits",
        ["build", "--ids", "{file}"],
        2,
        "more than 4,300 digits",
        write("i.json", f"[{DIGITS}]"),
    ),
    Case(
        "catalog id of 5,000 digits",
        ["build", "--catalog", "{file}"],
        2,
        "more than 4,300 digits",
        write("c.json", f'[{{"id": {DIGITS}}}]'),
    ),
    Case(
        "import count of 5,000 digits",
        ["import", "{file}"],
        2,
        "not a moviembed export",
        write("e.jsonl", f'{{"moviembed_export": 1, "count": {DIGITS}}}\n'),
    ),
    *[
        Case(f"10,000 characters: {name}", argv, code, message)
        for name, argv, code, message in [
            ("inspect", ["inspect", LONG], 1, "(10,000 characters)"),
            ("remove", ["remove", LONG], 1, "characters)"),
            ("recommend", ["recommend", LONG], 1, "(10,000 characters)"),
            ("--genre", ["query", "x", "--genre", LONG], 2, "(10,000 characters)"),
            ("--language", ["query", "x", "--language", LONG], 2, "(10,000 characters)"),
            ("--director", ["query", "x", "--director", LONG], 1, "(10,000 characters)"),
            ("--runtime", ["query", "x", "--runtime", LONG], 2, "(10,000 characters)"),
            ("--format", ["query", "x", "--format", LONG], 2, "(10,000 characters)"),
            ("--tmdb-list", ["build", "--tmdb-list", LONG], 2, "(10,000 characters)"),
            ("--cors", ["serve", "--cors", LONG], 2, "(10,000 characters)"),
            ("--db", ["--db", f"/{LONG}", "count"], 1, "File name too long"),
            ("--ids", ["build", "--ids", f"/{LONG}"], 2, "File name too long"),
            ("export", ["export", f"/tmp/{LONG}"], 2, "File name too long"),
            ("a command", [LONG], 2, "(10,000 characters)"),
        ]
    ],
]


@pytest.mark.parametrize("case", params(QUIETLY_WRONG))
def test_settings_that_were_quietly_wrong_are_refused(
    check_refused: Callable[[Case], None], case: Case
) -> None:
    check_refused(case)


@pytest.mark.parametrize("case", params(MESSAGES))
def test_each_message_is_one_short_line(check_refused: Callable[[Case], None], case: Case) -> None:
    check_refused(case)


def test_a_model_that_does_not_load_leaves_no_index_folder(
    isolated_env: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(backends, "build_embedder", REAL_BUILD_EMBEDDER)
    new = isolated_env / "new-index"
    argv = ["--db", str(new), "--model", str(isolated_env / "no-such-model")]
    result = CliRunner().invoke(app, [*argv, "build", "--catalog", str(SMALL_CATALOG), "-q"])
    errors = [line for line in result.stderr.splitlines() if line.startswith("Error:")]
    assert result.exit_code == 1 and len(errors) == 1, result.output
    assert "Cannot load the embedding model" in errors[0]
    assert not new.exists()


@pytest.mark.processes
@pytest.mark.parametrize(
    "argv",
    [["--version"], ["--help"], ["query", "--help"], ["count"], ["inspect"], ["export", "-"]],
    ids=["--version", "--help", "query --help", "count", "inspect", "export"],
)
def test_a_full_disk_is_one_line(fake_index: Path, argv: list[str]) -> None:
    with open("/dev/full", "wb") as full:
        result = subprocess.run(  # noqa: S603 - our own CLI
            [sys.executable, "-m", "moviembed", *argv],
            stdout=full.fileno(),
            stderr=subprocess.PIPE,
            env={**os.environ, "PYTHONPATH": str(ROOT)},
            timeout=120,
            check=False,
        )
    assert result.returncode == 1
    assert result.stderr.decode().splitlines() == [
        "Error: Cannot write the output: No space left on device."
    ]
