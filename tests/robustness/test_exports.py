"""Exports: `import` checks every record against what a build writes before writing any,
and `export` refuses targets it would silently replace."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from moviembed.documents import content_hash

from .conftest import DEEP, DEVICES, Case, export_of, fifo, folder, params, symlink, write

MODEL = "sentence-transformers/all-MiniLM-L6-v2"
HEADER = {"moviembed_export": 1, "model": MODEL, "dimension": 384, "count": 1}
RECORD = {
    "id": "603",
    "document": "The Matrix (1999)",
    "metadata": {
        "title": "The Matrix",
        "doc_hash": content_hash("The Matrix (1999)"),
        "year": 1999,
    },
    "embedding": [0.05] * 384,
}


def export(name: str, message: str, *lines: Any, header: dict[str, Any] | None = None) -> Case:
    body = [
        json.dumps(HEADER if header is None else header),
        *(line if isinstance(line, str) else json.dumps(line) for line in lines),
    ]
    return Case(
        f"import: {name}",
        ["import", "{file}"],
        2,
        message,
        write("e.jsonl", "\n".join(body) + "\n"),
    )


def record(**changes: Any) -> dict[str, Any]:
    return {**RECORD, **changes}


def metadata(**changes: Any) -> dict[str, Any]:
    return record(metadata={**RECORD["metadata"], **changes})


def hashed(name: str, message: str, document: str) -> Case:
    """An import of `document` with its own, matching doc_hash."""
    meta = {**RECORD["metadata"], "doc_hash": content_hash(document)}
    return export(name, message, record(document=document, metadata=meta))


IMPORTS = [
    export("not an export", "is not a moviembed export", header={"id": 1}),
    export("empty header", "is not a moviembed export", header={}),
    Case(
        "import: deep header",
        ["import", "{file}"],
        2,
        "not a moviembed export",
        write("e.jsonl", DEEP + "\n"),
    ),
    export(
        "3-d vectors labelled MiniLM",
        "which makes 384-d",
        record(embedding=[1, 0, 0]),
        header={**HEADER, "dimension": 3},
    ),
    export("count mismatch", "the file is incomplete", RECORD, header={**HEADER, "count": 2}),
    export("damaged count", "damaged header", header={**HEADER, "count": -1}),
    export("deep record", "nested deeper than", DEEP),
    export("not JSON", "line 2", "{oops"),
    export("record a list", "not a JSON object", [1]),
    export("id int", "is not a TMDB id", record(id=603)),
    export("id 0603", "is not a TMDB id", record(id="0603")),
    export("id 1e30", "is not a TMDB id", record(id="1" + "0" * 30)),
    export("document missing", "document is not text", record(document=None)),
    export("year as text", "metadata year", metadata(year="nineteen")),
    export("year huge", "metadata year", metadata(year=10**30)),
    export("runtime 1e30", "metadata runtime", metadata(runtime=1e30)),
    export("director_keys ints", "metadata director_keys", metadata(director_keys=[1, 2])),
    export("genre_list text", "metadata genre_list", metadata(genre_list="Action")),
    export("title missing", "metadata has no title", record(metadata={"doc_hash": "x"})),
    export("unknown key", "unknown key", metadata(evil="x")),
    export("metadata list", "metadata is not an object", record(metadata=[1])),
    export("short embedding", "embedding has 10 values", record(embedding=[0.1] * 10)),
    export("NaN embedding", "not a finite float32", record(embedding=[float("nan")] * 384)),
    export("1e308 embedding", "not a finite float32", record(embedding=[1e308] * 384)),
    export("text embedding", "not a finite float32", record(embedding=["x"] * 384)),
    export("doc_hash of another text", "doc_hash does not match", metadata(doc_hash="0" * 64)),
    export("document edited", "doc_hash does not match", record(document="The Matrix (2099)")),
    export("zero vector", "all zeros", record(embedding=[0.0] * 384)),
    export("negative zeros", "all zeros", record(embedding=[-0.0] * 384)),
    export("vanishing vector", "all zeros", record(embedding=[1e-20] * 384)),
    export("zero ints", "all zeros", record(embedding=[0] * 384)),
    hashed("document 10 MB", "document is 10,485,760 characters", "d" * 10 * 2**20),
    hashed("document one too long", "document is 10,001 characters", "d" * 10_001),
    export("title 10,000", "metadata title is 10,000", metadata(title="t" * 10_000)),
    export("title one too long", "metadata title is 501", metadata(title="t" * 501)),
    export("director 20,000", "metadata director is 20,000", metadata(director="x" * 20_000)),
    export("doc_hash 65", "metadata doc_hash is 65", metadata(doc_hash="a" * 65)),
    export("poster 10,000", "metadata poster_path is 10,000", metadata(poster_path="/" * 10_000)),
    export("duplicate id", "appears twice", RECORD, RECORD, header={**HEADER, "count": 2}),
    Case(
        "import: other model",
        ["--model", "BAAI/bge-small-en-v1.5", "import", "{file}"],
        2,
        "not of BAAI",
        write("e.jsonl", json.dumps(HEADER) + "\n" + json.dumps(RECORD) + "\n"),
    ),
    Case("import: missing", ["import", "absent.jsonl"], 2, "does not exist"),
    Case("import: folder", ["import", "{file}"], 2, "is a folder", folder("d")),
    Case("import: fifo", ["import", "{file}"], 2, "pipe", fifo("e.jsonl")),
    *[Case(f"import: {d}", ["import", d], 2, "device") for d in DEVICES],
    Case("import: stdin binary", ["import", "-"], 2, "stdin is not UTF-8", stdin=b"\xff\xfe"),
    Case("import: stdin deep", ["import", "-"], 2, "not a moviembed export", stdin=DEEP.encode()),
]

EXPORTS = [
    Case("export: symlink", ["export", "{file}"], 2, "is a symlink", symlink("s.jsonl")),
    Case("export: fifo", ["export", "{file}"], 2, "named pipe", fifo("p.jsonl")),
    Case("export: folder", ["export", "{file}"], 2, "is a folder", folder("d")),
    Case("export: /dev/full", ["export", "/dev/full"], 2, "device"),
    Case("export: unwritable", ["export", "/proc/x.jsonl"], 1, "Cannot write"),
]


@pytest.mark.parametrize("case", params(IMPORTS + EXPORTS))
def test_bad_exports_change_nothing(check_refused: Callable[[Case], None], case: Case) -> None:
    check_refused(case)


def test_a_refused_import_into_a_new_index_creates_nothing(
    fake_index: Path, isolated_env: Path, check_refused: Callable[[Case], None]
) -> None:
    new = isolated_env / "new"
    bad = export("year as text", "metadata year", metadata(year="nineteen"))
    check_refused(Case(bad.name, ["--db", str(new), *bad.argv], 2, bad.message, bad.make))
    assert not new.exists()
    assert export_of(fake_index).count("\n") == 12
