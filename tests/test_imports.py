"""Light commands must not pay for torch: checked in a fresh interpreter via sys.modules."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

HEAVY = ("torch", "sentence_transformers", "transformers")

PROBE = """
import json, sys
from moviembed.cli import app
try:
    app(sys.argv[1:], prog_name="moviembed")
except SystemExit:
    pass
heavy = [name for name in {heavy!r} if name in sys.modules]
print("HEAVY=" + json.dumps(heavy), file=sys.stderr)
"""


def loaded_heavy_modules(args: list[str], cwd: Path) -> list[str]:
    result = subprocess.run(
        [sys.executable, "-c", PROBE.format(heavy=HEAVY), *args],
        capture_output=True,
        text=True,
        cwd=cwd,
        timeout=120,
        check=False,
    )
    marker = next(line for line in result.stderr.splitlines() if line.startswith("HEAVY="))
    return json.loads(marker.removeprefix("HEAVY="))


def test_importing_the_cli_is_light(tmp_path: Path) -> None:
    code = f"import sys, moviembed.cli; print([m for m in {HEAVY!r} if m in sys.modules])"
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=tmp_path
    ).stdout
    assert out.strip() == "[]"


@pytest.mark.parametrize("args", [["--help"], ["count"], ["inspect"], ["inspect", "603"]])
def test_light_commands_do_not_import_torch(
    args: list[str], index_copy: Path, tmp_path: Path
) -> None:
    assert loaded_heavy_modules(args, tmp_path) == []


def test_the_probe_does_see_torch_when_a_query_loads_it(index_copy: Path, tmp_path: Path) -> None:
    assert "torch" in loaded_heavy_modules(["query", "space adventure"], tmp_path)
