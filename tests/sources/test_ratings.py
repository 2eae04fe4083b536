"""Ratings exports read from the sample files in tests/data/ratings (written from the documented
Letterboxd and IMDb formats): formats told by the header, ratings on one 0-10 scale."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from moviembed.errors import InputError
from moviembed.sources.ratings import RatedFilm, parse_ratings, read_ratings

SAMPLES = Path(__file__).resolve().parents[1] / "data" / "ratings"


def letterboxd_zip(folder: Path, prefix: str = "") -> Path:
    """An export .zip as Letterboxd lays it out, from the sample CSVs."""
    path = folder / "letterboxd-someone-2024-06-01-12-00-utc.zip"
    with zipfile.ZipFile(path, "w") as archive:
        for part in ("ratings", "watched", "diary", "watchlist"):
            archive.write(SAMPLES / f"letterboxd-{part}.csv", f"{prefix}{part}.csv")
        archive.writestr(f"{prefix}profile.csv", "Date Joined,Username\n2020-01-01,someone\n")
        archive.write(SAMPLES / "letterboxd-ratings.csv", f"{prefix}lists/ratings.csv")
    return path


def test_letterboxd_ratings_are_doubled_to_ten_points() -> None:
    read = read_ratings(SAMPLES / "letterboxd-ratings.csv")
    assert read.kind == "Letterboxd"
    assert read.films[0] == RatedFilm(
        "Toy Story", 1995, rating=10.0, where="letterboxd-ratings.csv line 2"
    )
    by_title = {film.title: film for film in read.films}
    assert by_title["The Exorcist"].rating == 3.0
    assert by_title["WALL·E"].year == 2008 and by_title["Amélie"].rating == 7.0
    assert len(read.films) == 15 and read.skipped == []


def test_watched_has_no_ratings_and_diary_keeps_every_entry() -> None:
    watched = read_ratings(SAMPLES / "letterboxd-watched.csv")
    assert watched.kind == "Letterboxd"
    assert {film.rating for film in watched.films} == {None}
    diary = read_ratings(SAMPLES / "letterboxd-diary.csv")
    casino = [film.rating for film in diary.films if film.title == "Casino"]
    assert casino == [6.0, 9.0]  # first watch, then the rewatch


@pytest.mark.parametrize("prefix", ["", "letterboxd-someone/"])
def test_the_export_zip_reads_diary_watched_ratings_and_no_lists(
    tmp_path: Path, prefix: str
) -> None:
    read = read_ratings(letterboxd_zip(tmp_path, prefix))
    assert read.kind == "Letterboxd"
    sources = [film.where.removeprefix(prefix).split(" line ")[0] for film in read.films]
    assert list(dict.fromkeys(sources)) == ["diary.csv", "watched.csv", "ratings.csv"]
    assert "Dune: Part Two" not in {film.title for film in read.films}  # the watchlist


def test_imdb_in_windows_1252_keeps_movies_only() -> None:
    read = read_ratings(SAMPLES / "imdb-ratings.csv")
    assert read.kind == "IMDb"
    titles = [film.title for film in read.films]
    assert "Breaking Bad" not in titles and "Ozymandias" not in titles
    amelie = read.films[titles.index("Amélie")]
    assert amelie.rating == 7.0 and amelie.original_title == "Le fabuleux destin d'Amélie Poulain"
    assert read.films[0] == RatedFilm(
        "The Godfather",
        1972,
        rating=10.0,
        original_title="The Godfather",
        where="imdb-ratings.csv line 2",
    )


def test_a_plain_csv_with_a_bom_ids_titles_and_stars() -> None:
    read = read_ratings(SAMPLES / "plain.csv")
    assert read.kind == "CSV"
    assert read.films[0] == RatedFilm(
        "The Matrix", 1999, tmdb_id=603, rating=10.0, where="plain.csv line 2"
    )
    assert read.films[2].title == "TMDB id 348" and read.films[2].rating == 9.0
    assert read.skipped == ["plain.csv line 8: no title and no valid TMDB id ('abc')"]


def test_a_plain_csv_on_ten_points_keeps_its_numbers() -> None:
    read = parse_ratings(b"title,year,rating\nHeat,1995,9\nHitch,2005,3\n", "mine.csv")
    assert [film.rating for film in read.films] == [9.0, 3.0]


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", "mine.csv is empty"),
        (b"  \n", "mine.csv is empty"),
        (b"\x00\x01\x02", "mine.csv is a binary file"),
        (b"Foo,Bar\n1,2\n", "mine.csv is not a ratings export: expected Letterboxd's"),
        (b"PK\x03\x04garbage", "mine.csv is not a readable .zip file"),
    ],
)
def test_bad_files_get_one_clear_line(data: bytes, message: str) -> None:
    with pytest.raises(InputError) as caught:
        parse_ratings(data, "mine.csv")
    assert str(caught.value).startswith(message)
    assert "\n" not in str(caught.value)


def test_a_watchlist_is_refused_as_no_taste() -> None:
    with pytest.raises(InputError, match="letterboxd-watchlist.csv is a Letterboxd watchlist"):
        read_ratings(SAMPLES / "letterboxd-watchlist.csv")


def test_a_zip_without_letterboxd_files_says_what_it_wants() -> None:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("notes.txt", "hello")
    with pytest.raises(InputError, match="without ratings.csv, watched.csv or diary.csv"):
        parse_ratings(buffer.getvalue(), "export.zip")


HEADERS = [
    b"Date,Name,Year,Letterboxd URI,Rating\n",
    b"Const,Your Rating,Title,Title Type,Year\n",
    b"tmdb_id,title,year,rating\n",
    b"PK\x03\x04",
]


@settings(max_examples=80, suppress_health_check=[HealthCheck.too_slow], deadline=None)
@given(st.sampled_from(HEADERS), st.binary(max_size=300))
def test_any_bytes_read_or_fail_with_one_line(header: bytes, rest: bytes) -> None:
    try:
        read = parse_ratings(header + rest, "x.csv")
    except InputError as exc:
        assert "\n" not in str(exc)
        return
    for film in read.films:
        assert film.title and (film.rating is None or 0 <= film.rating <= 10)
        film.label.encode("utf-8")
