"""Files from outside: ids files, catalogs, exports, env files, settings and index folders.
Each is refused with one line before anything is written."""

from __future__ import annotations

import json
import pickle
import sqlite3
from collections.abc import Callable
from pathlib import Path

import pytest

from ..conftest import SMALL_CATALOG
from .conftest import DEEP, DEVICES, Case, fifo, folder, params, sparse, write

GOOD = json.loads(SMALL_CATALOG.read_text())[0]


def ids(name: str, maker: Callable[[Path], str] | None, message: str, path: str = "") -> Case:
    return Case(f"ids: {name}", ["build", "--ids", path or "{file}"], 2, message, maker)


def catalog(name: str, message: str, content: str | None = None, **fields: object) -> Case:
    text = content if content is not None else json.dumps([{**GOOD, **fields}])
    return Case(
        f"catalog: {name}", ["build", "--catalog", "{file}"], 2, message, write("c.json", text)
    )


class _Evil:
    def __reduce__(self) -> tuple[object, tuple[str]]:
        return (print, ("pwned",))


IDS = [
    ids("missing", None, "does not exist", "absent.txt"),
    ids("empty", write("i.txt", ""), "is empty"),
    ids("blank lines", write("i.txt", "\n \n\t\n"), "is empty"),
    ids("binary", write("i.txt", b"1\x00\x02"), "binary file"),
    ids("latin-1", write("i.txt", b"caf\xe9\n"), "not UTF-8"),
    ids("utf-16", write("i.txt", "603\n".encode("utf-16")), "not"),
    ids("cesu surrogate", write("i.txt", b"\xed\xa0\x80\n"), "not UTF-8"),
    ids("over 64 MiB", sparse("i.txt", 65 * 2**20), "64 MiB limit"),
    ids("folder", folder("d"), "is a folder"),
    ids("fifo", fifo("i.txt"), "device, pipe or socket"),
    *[ids(f"device {d}", None, "device, pipe or socket", d) for d in DEVICES],
    ids("csv without id column", write("i.csv", "a,b\n1,2\n"), "no id column"),
    ids("csv all bad", write("i.csv", "id\nabc\n-1\n"), "holds no valid movie ids"),
    ids("csv header only", write("i.csv", "id\n"), "holds no valid movie ids"),
    ids("json broken", write("i.json", "[1, 2"), "is not valid JSON"),
    ids("json deep", write("i.json", DEEP), "nested deeper than"),
    ids("json deep objects", write("i.json", '{"a":' * 5000 + "1" + "}" * 5000), "nested"),
    ids("json object", write("i.json", '{"movies": [603]}'), "must hold a JSON list"),
    ids("json strings", write("i.json", '["abc", "x"]'), "holds no valid movie ids"),
    ids("json 1e30", write("i.json", "[1e30]"), "holds no valid movie ids"),
    ids("json 10**32", write("i.json", f"[{10**32}]"), "holds no valid movie ids"),
    ids("json NaN", write("i.json", "[NaN, Infinity]"), "holds no valid movie ids"),
    ids("json booleans", write("i.json", "[true, false]"), "holds no valid movie ids"),
    ids("json lone surrogate", write("i.json", '["\\ud800"]'), "holds no valid movie ids"),
    ids("text negatives", write("i.txt", "-3\nabc\n0\n"), "holds no valid movie ids"),
    ids("text 2**31", write("i.txt", f"{2**31}\n"), "holds no valid movie ids"),
    ids("text unicode digits", write("i.txt", "٦٠٣\n"), "holds no valid movie ids"),
    ids("pickle garbage", write("i.pkl", b"\x80\x05junk"), "not a readable pickle"),
    ids("pickle evil", write("i.pkl", pickle.dumps(_Evil())), "refused without running"),
    ids("pickle dict", write("i.pkl", pickle.dumps({"a": 1})), "holds a dict"),
    ids("pickle empty list", write("i.pkl", pickle.dumps([])), "holds no valid movie ids"),
]

CATALOGS = [
    Case("catalog: missing", ["build", "--catalog", "absent.json"], 2, "does not exist"),
    Case("catalog: folder", ["build", "--catalog", "{file}"], 2, "is a folder", folder("c")),
    Case("catalog: fifo", ["build", "--catalog", "{file}"], 2, "pipe", fifo("c.json")),
    *[Case(f"catalog: {d}", ["build", "--catalog", d], 2, "device") for d in DEVICES],
    catalog("empty", "holds no movies", ""),
    Case(
        "catalog: non-UTF-8",
        ["build", "--catalog", "{file}"],
        2,
        "not UTF-8",
        write("c.json", b"[\xff]"),
    ),
    catalog("not JSON", "is not valid JSON", "[{oops"),
    catalog("deep array", "nested deeper than", DEEP),
    catalog(
        "deep field",
        "nested deeper than",
        json.dumps(
            [
                {
                    **GOOD,
                    "cast": [[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[["x"]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]],
                }
            ]
        ),
    ),
    catalog("deep line", "nested deeper than", '{"a": ' + DEEP + "}\n"),
    catalog("object", "expected an object", "[1]"),
    catalog("missing field", "missing field(s) title", json.dumps([{"id": 5}])),
    catalog("runtime 1e30", "runtime must be", runtime=1e30),
    catalog("runtime 10**32", "runtime must be", runtime=10**32),
    catalog("runtime 0", "runtime must be", runtime=0),
    catalog("runtime text", "runtime must be", runtime="90"),
    catalog("runtime true", "runtime must be", runtime=True),
    catalog("id 1e30", "id must be a TMDB id", id=1e30),
    catalog("id 10**32", "id must be a TMDB id", id=10**32),
    catalog("id text", "id must be a TMDB id", id="603"),
    catalog("id 0", "id must be a TMDB id", id=0),
    catalog("title blank", "title must be", title="  "),
    catalog("title number", "title must be", title=5),
    catalog("genre unknown", "unknown genre", genres=["Bogus"]),
    catalog("genre surrogate", "unknown genre", genres=["\ud800"]),
    catalog("genres empty", "genres must be", genres=[]),
    catalog("cast not list", "cast must be", cast="x"),
    catalog("language", "original_language", original_language="english"),
    catalog("date", "release_date", release_date="1800-01-01"),
    catalog("date text", "release_date", release_date="yesterday"),
    catalog("duplicate", "duplicate id", json.dumps([GOOD, GOOD])),
    catalog("title 10,000", "title is 10,000 characters long", title="t" * 10_000),
    catalog("title one too long", "title is 501 characters long", title="t" * 501),
    catalog("overview 2 MB", "overview is 2,000,000 characters", overview="o" * 2_000_000),
    catalog("overview one too long", "overview is 5,001", overview="o" * 5_001),
    catalog("director 201", "a name is 201 characters", director="d" * 201),
    catalog("cast 10,000", "a name is 10,000 characters", cast=["c" * 10_000]),
    catalog("keyword 1 MB", "a name is 1,048,576 characters", keywords=["k" * 2**20]),
]

SETTINGS = {
    "MOVIEMBED_BATCH_SIZE": ["0", "abc", "1e9", "-1"],
    "MOVIEMBED_TMDB_RATE": ["1e-300", "0.001", "nan", "inf", "-5"],
    "MOVIEMBED_TMDB_TIMEOUT": ["0", "1e9"],
    "MOVIEMBED_TMDB_ATTEMPTS": ["0", "100", "two"],
    "TMDB_LANGUAGE": ["../../../../tmp/escape", "en_US", "english", "e/n"],
    "TMDB_API_KEY": ["ключ", "a b"],
    "MOVIEMBED_CHROMA_URL": ["http://[::1", "ftp://host", "http://", "http://u:p@host:8000"],
    "MOVIEMBED_CHROMA_TOKEN": ["tök\u20ac"],
}
ENV = [
    Case(f"env {name}={value}", ["count"], 2, name, env={name: value})
    for name, values in SETTINGS.items()
    for value in values
]
DOTENV = [
    Case(f".env {name}={value}", ["count"], 2, name, write(".env", f"{name}={value}\n"))
    for name, values in SETTINGS.items()
    for value in values[:2]
]
ENV_FILES = [
    Case(".env NUL in a path", ["count"], 2, "binary", write(".env", "MOVIEMBED_DB=/a\0b\n")),
    Case(".env latin-1", ["count"], 2, "not UTF-8", write(".env", b"X=caf\xe9\n")),
    Case("--env-file missing", ["--env-file", "absent.env", "count"], 2, "does not exist"),
    Case("--env-file folder", ["--env-file", "{file}", "count"], 2, "is a folder", folder("e")),
    Case("--env-file /dev/null", ["--env-file", "/dev/null", "count"], 2, "device"),
    Case("--env-file fifo", ["--env-file", "{file}", "count"], 2, "pipe", fifo("e.env")),
]


def foreign_db(name: str, content: bytes | None) -> Callable[[Path], str]:
    """An index folder whose chroma.sqlite3 is not Chroma's (None: another program's DB)."""

    def make(root: Path) -> str:
        (root / name).mkdir()
        path = root / name / "chroma.sqlite3"
        if content is None:
            with sqlite3.connect(path) as db:
                db.execute("CREATE TABLE notes (text)")
            db.close()
        else:
            path.write_bytes(content)
        return str(root / name)

    return make


STORES = [
    Case(f"--db {kind} {command}", ["--db", "{file}", *argv], 1, message, maker)
    for kind, maker, message in [
        ("empty sqlite", foreign_db("a", b""), "not a Chroma database"),
        ("other sqlite", foreign_db("b", None), "not a Chroma database"),
        ("garbage", foreign_db("c", b"\x00garbage" * 500), "not a Chroma database"),
        ("file", write("f", "x"), "is a file, not an index folder"),
    ]
    for command, argv in [
        ("count", ["count"]),
        ("inspect", ["inspect"]),
        ("query", ["query", "x"]),
        ("similar", ["similar", "603"]),
        ("export", ["export", "-"]),
        ("remove", ["remove", "603"]),
        ("build", ["build", "-q"]),
    ]
] + [
    Case("--db /proc/1", ["--db", "/proc/1", "build", "-q"], 1, "Cannot create the lock file"),
    Case("--db under /proc", ["--db", "/proc/x/index", "build", "-q"], 1, "Cannot write"),
]


@pytest.mark.parametrize("case", params(IDS + CATALOGS))
def test_sources_are_refused_in_one_line(check_refused: Callable[[Case], None], case: Case) -> None:
    check_refused(case)


@pytest.mark.parametrize("case", params(ENV + DOTENV + ENV_FILES))
def test_settings_are_refused_in_one_line(
    check_refused: Callable[[Case], None], case: Case
) -> None:
    check_refused(case)


@pytest.mark.parametrize("case", params(STORES))
def test_index_folders_that_are_not_indexes_are_left_alone(
    check_refused: Callable[[Case], None], case: Case
) -> None:
    check_refused(case)
