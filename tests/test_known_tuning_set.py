"""The known-item tuning supplement (benchmarks/known_tuning_queries.json): tuning only, valid."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

BENCHMARKS = Path(__file__).resolve().parents[1] / "benchmarks"
sys.path.insert(0, str(BENCHMARKS))

from check_queries import main  # noqa: E402

SUPPLEMENT = BENCHMARKS / "known_tuning_queries.json"


def test_the_supplement_passes_its_check(shared_data: Path, capsys: pytest.CaptureFixture) -> None:
    status = main(
        ["--supplement", "--quiet", "--queries", str(SUPPLEMENT), "--data", str(shared_data)]
    )
    assert status == 0, capsys.readouterr().out


def test_a_test_half_entry_is_a_problem_in_a_supplement(
    shared_data: Path, tmp_path: Path, capsys: pytest.CaptureFixture
) -> None:
    tested = tmp_path / "tested.json"
    tested.write_text(SUPPLEMENT.read_text().replace('"split": "tune"', '"split": "test"', 1))
    assert (
        main(["--supplement", "--quiet", "--queries", str(tested), "--data", str(shared_data)]) == 1
    )
    assert "a supplement holds tuning queries only" in capsys.readouterr().out
