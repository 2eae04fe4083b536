"""Every ```python example in docs/library.md runs, in order, on the bundled catalog's index
with the real model: the page shows what a user gets."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest

DOC = Path(__file__).resolve().parents[2] / "docs" / "library.md"


def examples() -> list[str]:
    return re.findall(r"```python\n(.*?)```", DOC.read_text(encoding="utf-8"), flags=re.DOTALL)


def test_the_page_opens_with_a_backend_in_at_most_ten_lines() -> None:
    first = examples()[0].strip().splitlines()
    assert len(first) <= 10
    for call in ("MovieIndex.open(", ".search(", ".recommend(", ".context("):
        assert any(call in line for line in first), call


def test_every_example_runs(
    bundled_index: Path, real_model: Path, isolated_env: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    shutil.copytree(bundled_index, isolated_env / "index")  # the default index (MOVIEMBED_DB)
    namespace: dict[str, object] = {}
    for number, code in enumerate(examples(), start=1):
        exec(compile(code, f"docs/library.md, example {number}", "exec"), namespace)
    printed = capsys.readouterr().out
    assert "because you liked Heat" in printed or "because you liked Casino" in printed
    assert "No movie with id or title 'A Film Nobody Made' in the index." in printed
    assert "sentence-transformers/all-MiniLM-L6-v2" in printed
    prompt = namespace["prompt"]
    assert isinstance(prompt, str) and "Heat (1995) | TMDB id 949" in prompt
