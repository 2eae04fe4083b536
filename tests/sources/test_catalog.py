"""Catalog loading and validation: the bundled file, and every kind of bad record."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from moviembed.errors import InputError
from moviembed.movie import TMDB_GENRES, parse_movie_id
from moviembed.sources.catalog import load_catalog, validate_records

from ..conftest import SMALL_CATALOG

GOOD: dict[str, Any] = json.loads(SMALL_CATALOG.read_text(encoding="utf-8"))[0]


def test_bundled_catalog_is_valid() -> None:
    movies = load_catalog()
    assert movies
    assert len({movie.id for movie in movies}) == len(movies)
    assert all(set(movie.genres) <= TMDB_GENRES for movie in movies)


def test_bundled_catalog_carries_tmdb_signals_where_known() -> None:
    movies = {movie.id: movie for movie in load_catalog()}
    rated = [movie for movie in movies.values() if movie.vote_count is not None]
    assert len(rated) > len(movies) * 0.8  # the movies it shares with TMDB 5000
    assert all(0 < m.vote_average <= 10 and m.popularity > 0 for m in rated if m.vote_count)
    assert movies[603].vote_count > 5_000  # The Matrix: widely known


def test_signals_become_movie_fields_and_unknown_ones_stay_none() -> None:
    signals = {
        "popularity": 104.3,
        "vote_count": 9000,
        "vote_average": 7.9,
        "poster_path": "/p.jpg",
    }
    bare = {key: value for key, value in GOOD.items() if key not in signals}
    (movie, plain) = validate_records([dict(bare, **signals), dict(bare, id=2)])
    assert (movie.popularity, movie.vote_count, movie.vote_average) == (104.3, 9000, 7.9)
    assert movie.poster_path == "/p.jpg"
    assert (plain.popularity, plain.vote_count, plain.vote_average, plain.poster_path) == (
        None,
        None,
        None,
        None,
    )


def test_json_lines_are_accepted(tmp_path: Path) -> None:
    path = tmp_path / "movies.jsonl"
    path.write_text(json.dumps(GOOD) + "\n\n" + json.dumps(dict(GOOD, id=2)) + "\n")
    assert [movie.id for movie in load_catalog(path)] == [GOOD["id"], 2]


def test_record_fields_become_a_movie() -> None:
    (movie,) = validate_records([GOOD])
    assert movie.title == GOOD["title"]
    assert movie.genres == tuple(GOOD["genres"])
    assert movie.cast == tuple(GOOD["cast"])
    assert movie.year == int(GOOD["release_date"][:4])


def _without(name: str) -> dict[str, Any]:
    return {key: value for key, value in GOOD.items() if key != name}


@pytest.mark.parametrize(
    ("record", "message"),
    [
        ("not an object", "expected an object"),
        (_without("title"), "missing field(s) title"),
        (dict(GOOD, id="603"), "id must be a TMDB id"),
        (dict(GOOD, id=0), "id must be a TMDB id"),
        (dict(GOOD, id=True), "id must be a TMDB id"),
        (dict(GOOD, title="  "), "title must be a non-empty string"),
        (dict(GOOD, release_date="1999-13-01"), "is not a YYYY-MM-DD date"),
        (dict(GOOD, release_date="19990330"), "is not a YYYY-MM-DD date"),
        (dict(GOOD, release_date="1850-01-01"), "is outside"),
        (dict(GOOD, genres=["Sci-Fi"]), "unknown genre(s) Sci-Fi"),
        (dict(GOOD, genres=[]), "genres must be a non-empty list"),
        (dict(GOOD, cast=["Keanu Reeves", 7]), "cast must hold only non-empty strings"),
        (dict(GOOD, runtime=-5), "runtime must be 1 to 9999 minutes"),
        (dict(GOOD, original_language="english"), "two-letter ISO 639-1 code"),
        (dict(GOOD, overview=""), "overview must be a non-empty string"),
        (dict(GOOD, vote_average=11), "vote_average 11 is not usable"),
        (dict(GOOD, vote_count=-1), "vote_count -1 is not usable"),
        (dict(GOOD, popularity="high"), "popularity 'high' is not usable"),
        (dict(GOOD, poster_path="poster.jpg"), "poster_path 'poster.jpg' is not usable"),
    ],
)
def test_each_kind_of_bad_record_is_reported_with_its_position(record: Any, message: str) -> None:
    with pytest.raises(InputError) as caught:
        validate_records([GOOD, record], source="movies.json")
    assert str(caught.value).startswith("movies.json: record 2")
    assert message in str(caught.value)


def test_duplicate_ids_are_refused() -> None:
    with pytest.raises(InputError, match=r"record 2 \(id 603, 'The Matrix'\): duplicate id"):
        validate_records([GOOD, GOOD])


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("[", "is not valid JSON"),
        ("[]", "holds no movies"),
        ('{"id": 1}\n{oops', r"is not valid JSON \(line 2, column 2\)"),
    ],
)
def test_unreadable_files_say_why(tmp_path: Path, content: str, message: str) -> None:
    path = tmp_path / "movies.json"
    path.write_text(content)
    with pytest.raises(InputError, match=message):
        load_catalog(path)


def test_missing_and_binary_files_are_refused(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="does not exist"):
        load_catalog(tmp_path / "absent.json")
    binary = tmp_path / "binary.json"
    binary.write_bytes(b"\xff\xfe\x00garbage")
    with pytest.raises(InputError, match="is a binary file"):
        load_catalog(binary)


@pytest.mark.parametrize(("raw", "expected"), [("603", "603"), (" 0042 ", "42")])
def test_movie_ids_are_normalised(raw: str, expected: str) -> None:
    assert parse_movie_id(raw) == expected


@pytest.mark.parametrize("raw", ["", "abc", "-3", "0", "1.5", "٣"])
def test_bad_movie_ids_are_refused(raw: str) -> None:
    with pytest.raises(InputError, match="positive integers"):
        parse_movie_id(raw)
