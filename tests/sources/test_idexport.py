"""TMDB's daily id export as an --ids file: gzip and JSON lines detected, chosen before fetching."""

from __future__ import annotations

import gzip
import json
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from moviembed.errors import InputError, UsageError
from moviembed.sources.idexport import IdSelection
from moviembed.sources.idfiles import read_id_file
from tests.fake_tmdb_data import write_id_export

MOVIES = [
    {"id": 550, "title": "Fight Club", "popularity": 61.4},
    {"id": 603, "title": "The Matrix", "popularity": 80.0},
    {"id": 13, "title": "Forrest Gump", "popularity": 45.5},
    {"id": 99901, "title": "Adult title", "popularity": 90.0, "adult": True},
    {"id": 27205, "title": "Inception", "popularity": 2.5},
]


def export(tmp_path: Path, movies: list[dict[str, Any]] = MOVIES) -> Path:
    return write_id_export(movies, tmp_path / "movie_ids_11_27_2026.json.gz")


def test_the_export_keeps_file_order_and_leaves_adult_titles_out(tmp_path: Path) -> None:
    ids = read_id_file(export(tmp_path))
    assert ids.ids == [550, 603, 13, 27205]
    assert ids.summary is not None and "4 of 5 movies kept" in ids.summary
    assert "1 adult title left out" in ids.summary
    adult = read_id_file(export(tmp_path), IdSelection(include_adult=True))
    assert 99901 in adult.ids


def test_limit_takes_the_most_popular_and_a_floor_applies_first(tmp_path: Path) -> None:
    ids = read_id_file(export(tmp_path), IdSelection(min_popularity=10, limit=2))
    assert ids.ids == [603, 550]  # most popular first
    assert ids.summary is not None and "1 below popularity 10" in ids.summary
    assert read_id_file(export(tmp_path), IdSelection(limit=10)).ids == [603, 550, 13, 27205]


def test_an_uncompressed_export_and_bad_lines(tmp_path: Path) -> None:
    path = tmp_path / "movie_ids.json"
    lines = [json.dumps(MOVIES[0]), "not json", "[1, 2]", '{"id": -4}', json.dumps(MOVIES[1])]
    path.write_text("\n".join(lines) + "\n")
    ids = read_id_file(path)
    assert ids.ids == [550, 603]
    assert ids.problems == [
        "line 2: not a JSON object (skipped)",
        "line 3: not a JSON object (skipped)",
        "line 4: no valid movie id (skipped)",
    ]


def test_nothing_left_is_an_error_that_says_why(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="leaves no movie to index.*below popularity 1000"):
        read_id_file(export(tmp_path), IdSelection(min_popularity=1000))


@pytest.mark.parametrize(
    ("name", "content", "expected"),
    [
        ("ids.txt.gz", "603\n550\n", [603, 550]),
        ("ids.json.gz", "[603, 550]", [603, 550]),
        ("ids.csv.gz", "id,title\n603,x\n", [603]),
    ],
)
def test_any_id_file_may_be_gzipped(
    tmp_path: Path, name: str, content: str, expected: list[int]
) -> None:
    path = tmp_path / name
    path.write_bytes(gzip.compress(content.encode()))
    assert read_id_file(path).ids == expected


def test_a_plain_list_takes_its_first_ids_and_has_no_popularity(tmp_path: Path) -> None:
    path = tmp_path / "ids.txt"
    path.write_text("603\n550\n13\n")
    limited = read_id_file(path, IdSelection(limit=2))
    assert limited.ids == [603, 550]
    assert limited.summary == "ids.txt: the first 2 of 3 ids kept."
    with pytest.raises(UsageError, match="no popularity to filter by"):
        read_id_file(path, IdSelection(min_popularity=5))


def test_a_truncated_gzip_is_one_clear_error(tmp_path: Path) -> None:
    path = tmp_path / "movie_ids.json.gz"
    path.write_bytes(export(tmp_path).read_bytes()[:40])
    with pytest.raises(InputError, match="not a complete gzip file"):
        read_id_file(path)


def test_a_line_too_long_for_an_export_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "movie_ids.json"
    path.write_text(json.dumps(MOVIES[0]) + "\n" + '{"id": 1, "pad": "' + "x" * 70_000 + '"}\n')
    with pytest.raises(InputError, match="line 2 is over 64 KiB"):
        read_id_file(path)


exports = st.lists(
    st.fixed_dictionaries(
        {
            "id": st.integers(1, 60),
            "popularity": st.floats(0, 100, allow_nan=False),
            "adult": st.booleans(),
        }
    ),
    min_size=1,
    max_size=40,
    unique_by=lambda movie: movie["id"],  # TMDB's export lists each id once
)


@given(movies=exports, limit=st.integers(1, 10), floor=st.floats(0, 100))
def test_a_limited_selection_is_the_most_popular_of_what_passes(
    tmp_path_factory: pytest.TempPathFactory,
    movies: list[dict[str, Any]],
    limit: int,
    floor: float,
) -> None:
    path = write_id_export(movies, tmp_path_factory.mktemp("export") / "movie_ids.json.gz")
    passing = {
        movie["id"]: movie["popularity"]
        for movie in movies
        if not movie["adult"] and movie["popularity"] >= floor
    }
    try:
        chosen = read_id_file(path, IdSelection(min_popularity=floor, limit=limit)).ids
    except InputError:
        assert not passing
        return
    assert len(chosen) == len(set(chosen)) == min(limit, len(passing))
    popularity = [passing[movie_id] for movie_id in chosen]
    assert popularity == sorted(popularity, reverse=True)
    left_out = set(passing) - set(chosen)
    assert all(passing[movie_id] <= popularity[-1] for movie_id in left_out)
