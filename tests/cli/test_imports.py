"""Light commands must not pay for heavy imports: checked in a fresh interpreter via sys.modules."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

TORCH = ("torch", "sentence_transformers", "transformers")
WATCHED = (*TORCH, "onnxruntime", "chromadb", "requests", "fastapi", "uvicorn", "mcp")

PROBE = """
import json, sys
from moviembed.cli.app import app
try:
    app(sys.argv[1:], prog_name="moviembed")
except SystemExit:
    pass
loaded = [name for name in {watched!r} if name in sys.modules]
print("LOADED=" + json.dumps(loaded), file=sys.stderr)
"""


def run_probe(args: list[str], cwd: Path) -> tuple[list[str], str]:
    """Modules loaded by a CLI run in a fresh interpreter, and its stderr."""
    result = subprocess.run(
        [sys.executable, "-c", PROBE.format(watched=WATCHED), *args],
        capture_output=True,
        text=True,
        cwd=cwd,
        timeout=300,
        check=False,
    )
    marker = next(line for line in result.stderr.splitlines() if line.startswith("LOADED="))
    return json.loads(marker.removeprefix("LOADED=")), result.stderr


def test_importing_the_cli_is_light(tmp_path: Path) -> None:
    code = f"import sys, moviembed.cli; print([m for m in {WATCHED!r} if m in sys.modules])"
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=tmp_path
    ).stdout
    assert out.strip() == "[]"


def test_help_imports_nothing_heavy(tmp_path: Path) -> None:
    assert run_probe(["--help"], tmp_path)[0] == []
    assert run_probe(["query", "--help"], tmp_path)[0] == []
    assert run_probe(["serve", "--help"], tmp_path)[0] == []
    assert run_probe(["mcp", "--help"], tmp_path)[0] == []


@pytest.mark.parametrize("args", [["count"], ["inspect"], ["inspect", "603"]])
def test_count_and_inspect_need_only_chromadb(
    args: list[str], index_copy: Path, tmp_path: Path
) -> None:
    assert run_probe(args, tmp_path)[0] == ["chromadb"]


@pytest.mark.parametrize(
    "args", [["query", "space adventure"], ["similar", "603"], ["recommend", "603", "862"]]
)
def test_queries_run_without_torch(args: list[str], index_copy: Path, tmp_path: Path) -> None:
    loaded, _ = run_probe(args, tmp_path)
    assert not set(TORCH) & set(loaded)
    assert "chromadb" in loaded


def test_without_an_onnx_export_a_query_falls_back_once_then_saves_one(
    index_copy: Path, user_cache: Path, tmp_path: Path
) -> None:
    link = user_cache / "onnx"
    link.unlink()
    loaded, stderr = run_probe(["query", "space adventure"], tmp_path)
    assert "torch" in loaded
    assert "Note: Using sentence-transformers for this query (slower)" in stderr
    assert any(link.rglob("model.onnx"))
    loaded, stderr = run_probe(["query", "space adventure"], tmp_path)
    assert "torch" not in loaded and "Note:" not in stderr
    shutil.rmtree(link)
