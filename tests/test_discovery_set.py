"""The discovery query set (benchmarks/discovery_queries.json) and the check that guards it."""

from __future__ import annotations

import io
import json
import sys
from pathlib import Path

import pytest

from moviembed.movie import Movie
from moviembed.search.query import SearchHit

BENCHMARKS = Path(__file__).resolve().parents[1] / "benchmarks"
sys.path.insert(0, str(BENCHMARKS))

from check_discovery import DEFAULT_QUERIES, check_entry, check_file, validate, vocabulary  # noqa: E402
from check_queries import load_movies  # noqa: E402
from discovery import evaluate, rows  # noqa: E402
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


def hits_of(*movies: Movie) -> list[SearchHit]:
    return [SearchHit(rank, str(m.id), 0.5, "", {}) for rank, m in enumerate(movies, start=1)]


def test_precision_is_over_the_best_the_catalog_allows() -> None:
    french = entry({"language": "fr"})  # one catalog movie: the best top 10 holds 1 of 10
    action = entry({"genres_all": ["Action"]}, id="disc-002", query="action", split="test")
    answers = {"french": hits_of(MOVIES[2], MOVIES[0]), "action": hits_of(MOVIES[2])}
    out = io.StringIO()
    summary, per_query = evaluate(
        [french, action], MOVIES, {"today": answers.__getitem__}, {"disc-001"}, out
    )
    assert per_query == {"disc-001": {"today": 1.0}, "disc-002": {"today": 0.0}}
    assert summary["today"]["tune"] == {"language": 1.0, "overall": 1.0}
    assert summary["today"]["all"] == {"language": 0.5, "overall": 0.5}
    assert "✓ Amélie" in out.getvalue() and "✗ Iron Man 2" in out.getvalue()


def test_both_rows_are_run_once_search_can_take_the_text_literally() -> None:
    def understanding(text: str, *, literal: bool = False) -> list[SearchHit]:
        return []

    assert list(rows(understanding)) == ["literal", "understood"]
    assert list(rows(lambda text: [])) == ["today"]
