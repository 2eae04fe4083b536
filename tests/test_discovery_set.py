"""The discovery query set (benchmarks/discovery_queries.json) and the check that guards it."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

from moviembed.movie import Movie

BENCHMARKS = Path(__file__).resolve().parents[1] / "benchmarks"
sys.path.insert(0, str(BENCHMARKS))

from check_discovery import DEFAULT_QUERIES, check_entry, check_file, validate, vocabulary  # noqa: E402
from check_queries import load_movies  # noqa: E402
from discovery_conditions import is_sequel, meets  # noqa: E402

MOVIES = [
    Movie(id=1, title="Iron Man 2", release_date="2010-04-28", genres=("Action",), runtime=124),
    Movie(id=2, title="District 9", release_date="2009-08-05", genres=("Science Fiction",)),
    Movie(
        id=3,
        title="Amélie",
        release_date="2001-04-25",
        genres=("Comedy", "Romance"),
        runtime=122,
        original_language="fr",
    ),
]


def entry(condition: dict, **fields: str) -> dict:
    return {"id": "disc-001", "kind": "language", "query": "french", "split": "tune"} | {
        "condition": condition,
        **fields,
    }


def test_the_shipped_set_passes_its_check(shared_data: Path) -> None:
    entries = json.loads(DEFAULT_QUERIES.read_text(encoding="utf-8"))
    problems, _ = validate(entries, load_movies(shared_data))
    assert problems == []


@pytest.mark.parametrize(
    ("condition", "problem"),
    [
        ({"language": "fr", "mood": "dark"}, "unknown condition key 'mood'"),
        ({"genres_any": ["Film Noir"]}, "unknown genre 'Film Noir' in genres_any"),
        ({"year": [2000, 1990]}, "year range is empty"),
        ({"runtime": [None, None]}, "runtime must be [from, to]"),
        ({"exclude_ids": ["99"]}, "excluded id '99' is not in the dataset"),
        ({"not_sequel": False}, "not_sequel must be true"),
        ({"min_rating": "high"}, "min_rating must be a non-negative number"),
    ],
)
def test_a_malformed_condition_is_a_problem(condition: dict, problem: str) -> None:
    found = check_entry(entry(condition), vocabulary(MOVIES), {"1", "2", "3"})
    assert any(text.startswith(problem) for text in found), found


def test_a_condition_no_movie_meets_is_a_problem() -> None:
    problems, _ = validate([entry({"language": "fr", "genres_all": ["Action"]})], MOVIES)
    assert "disc-001: no catalog movie meets the condition" in problems


def test_unbalanced_halves_and_missing_kinds_are_problems() -> None:
    entries = [entry({"language": "fr"}, id=f"disc-{i:03d}", query=f"q{i}") for i in range(3)]
    problems = check_file(entries)
    assert "language halves are unbalanced: tune 3, test 0" in problems
    assert "only 3 language requests, want >= 18" in problems
    assert "only 0 era requests, want >= 18" in problems


def test_conditions_combine_every_key() -> None:
    condition = {"language": ["fr", "it"], "genres_all": ["Romance"], "runtime": [None, 125]}
    assert [m.title for m in MOVIES if meets(condition, m)] == ["Amélie"]
    assert not meets({"min_votes": 10}, MOVIES[0])  # an unknown vote count fails


@pytest.mark.parametrize(
    ("title", "sequel"),
    [
        ("Iron Man 2", True),
        ("Rocky IV", True),
        ("Star Wars: Episode II - Attack of the Clones", True),
        ("The Godfather: Part II", True),
        ("Insidious: Chapter 2", True),
        ("District 9", False),
        ("Apollo 13", False),
        ("3:10 to Yuma", False),
        ("The Number 23", False),
        ("History of the World: Part I", False),
        ("Malcolm X", False),
    ],
)
def test_a_sequel_is_told_by_its_title(title: str, sequel: bool) -> None:
    assert is_sequel(Movie(id=1, title=title)) is sequel
