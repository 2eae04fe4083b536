"""Limits on what is stored: a title, synopsis, name or whole document longer than its
documented maximum is refused, and said so, whichever source it comes from (a catalog and
an import are refused whole: see test_files.py and test_exports.py)."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from moviembed.cli.app import app
from moviembed.documents import MAX_DOCUMENT, build_document, check_document
from moviembed.index.store import EmbeddingStore
from moviembed.movie import MAX_NAME, MAX_OVERVIEW, MAX_TITLE, Movie, check_lengths
from tests.fake_tmdb import FakeTmdb

from ..sources.test_dataset import MOVIE_HEADER, genres, write_csv


def crew(*names: str) -> dict[str, Any]:
    return {"crew": [{"name": name, "job": "Director"} for name in names], "cast": []}


# (field, value) put into TMDB's answer for movie 603, and what the refusal says.
TMDB_ANSWERS: dict[str, tuple[dict[str, Any], str]] = {
    "overview 2 MB": ({"overview": "x " * 1_000_000}, "overview is 1,999,999 characters"),
    "overview one too long": ({"overview": "y" * (MAX_OVERVIEW + 1)}, "overview is 5,001"),
    "title 10,000": ({"title": "t" * 10_000}, "title is 10,000 characters"),
    "title one too long": ({"title": "t" * (MAX_TITLE + 1)}, "title is 501"),
    "director 201": ({"credits": crew("d" * (MAX_NAME + 1))}, "a name is 201"),
    "60 directors": ({"credits": crew(*(f"{i} " + "n" * 190 for i in range(60)))}, "document"),
    "cast 10,000": (
        {"credits": {"cast": [{"name": "c" * 10_000, "order": 0}], "crew": []}},
        "a name is 10,000",
    ),
    "keyword 1 MB": ({"keywords": {"keywords": [{"name": "k" * 2**20}]}}, "a name is 1,048,576"),
    "genre 300": ({"genres": [{"id": 1, "name": "g" * 300}]}, "a name is 300"),
}


@pytest.mark.parametrize(
    ("changes", "message"), list(TMDB_ANSWERS.values()), ids=list(TMDB_ANSWERS)
)
def test_a_tmdb_answer_over_a_limit_is_refused_and_said(
    fake_tmdb: FakeTmdb,
    isolated_env: Path,
    monkeypatch: pytest.MonkeyPatch,
    changes: dict[str, Any],
    message: str,
) -> None:
    monkeypatch.setenv("MOVIEMBED_TMDB_CONNECTIONS", "1")  # 603 is asked for first
    fake_tmdb.answer_next(1, {**copy.deepcopy(fake_tmdb.movies[603]), **changes})
    result = CliRunner().invoke(app, ["build", "--id", "603", "--id", "12"])
    assert result.exit_code == 0, result.output
    refusal = [line for line in result.stderr.splitlines() if "skipped 603: refused" in line]
    assert len(refusal) == 1 and message in refusal[0], result.stderr
    assert len(refusal[0]) < 200
    assert EmbeddingStore(isolated_env / "index").all_ids() == {"12"}


DATASET_ROWS = {
    "overview 1 MB": (["x" * 2**20, "Long Synopsis"], "overview is 1,048,576"),
    "title 10,000": (["Short.", "T" * 10_000], "title is 10,000"),
}


@pytest.mark.parametrize(("texts", "message"), list(DATASET_ROWS.values()), ids=list(DATASET_ROWS))
def test_a_dataset_row_over_a_limit_is_refused_and_said(
    isolated_env: Path, texts: list[str], message: str
) -> None:
    overview, title = texts
    row = [21, title, genres("Drama"), "[]", overview, "1999-04-01", "90", "en", "1", "1", "6"]
    good = [22, "Fine", genres("Drama"), "[]", "Fine.", "1999-04-01", "90", "en", "1", "1", "6"]
    movies = write_csv(isolated_env / "m.csv", MOVIE_HEADER, [row, good])
    result = CliRunner().invoke(app, ["build", "--tmdb-csv", str(movies)])
    assert result.exit_code == 0, result.output
    assert "skipped 21: refused: " + message in result.stderr
    assert EmbeddingStore(isolated_env / "index").all_ids() == {"22"}


def test_the_limits_themselves_are_allowed() -> None:
    longest = Movie(
        id=1,
        title="t" * MAX_TITLE,
        overview="o" * MAX_OVERVIEW,
        director="d" * MAX_NAME,
        cast=("c" * MAX_NAME,) * 3,
        keywords=("k" * MAX_NAME,) * 12,
        genres=("Drama",),
    )
    check_lengths(longest)
    check_document(build_document(longest))  # every field at its maximum still fits
    with pytest.raises(ValueError, match="more than the 10,000 stored"):
        check_document("x" * (MAX_DOCUMENT + 1))
