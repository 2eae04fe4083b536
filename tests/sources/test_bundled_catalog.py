"""The bundled catalog: the right size, facts that match TMDB, synopses in our own words,
and an index that answers everyday queries sensibly."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from moviembed.cli.app import app
from moviembed.movie import Movie, Skipped, movie_from_tmdb
from moviembed.sources.catalog import bundled_catalog_path, load_catalog
from moviembed.sources.dataset import iter_api_records

CATALOG = load_catalog()
BY_ID = {movie.id: movie for movie in CATALOG}


def test_size_and_spread() -> None:
    assert 240 <= len(CATALOG) <= 260
    decades = {movie.year // 10 * 10 for movie in CATALOG if movie.year}
    assert {1930, 1950, 1970, 1990, 2010} <= decades
    assert len({movie.original_language for movie in CATALOG}) >= 8
    raw = json.loads(bundled_catalog_path().read_text(encoding="utf-8"))
    assert all(2 <= entry["overview"].count(". ") + 1 <= 6 for entry in raw)


@pytest.fixture(scope="module")
def dataset(shared_data: Path) -> dict[int, Movie]:
    records = iter_api_records(
        shared_data / "tmdb_5000_movies.csv.gz", shared_data / "tmdb_5000_credits.csv.gz"
    )
    return {m.id: m for m in map(movie_from_tmdb, records) if not isinstance(m, Skipped)}


def test_facts_match_tmdb_where_the_dataset_has_the_movie(dataset: dict[int, Movie]) -> None:
    checked = 0
    for movie in CATALOG:
        reference = dataset.get(movie.id)
        if reference is None:
            continue
        checked += 1
        assert movie.title == reference.title, movie.id
        assert movie.release_date == reference.release_date, movie.id
        assert movie.director == reference.director, movie.id
        assert movie.cast == reference.cast, movie.id
        assert movie.genres == tuple(g for g in reference.genres if g != "Foreign"), movie.id
        assert (movie.runtime, movie.original_language) == (
            reference.runtime,
            reference.original_language,
        ), movie.id
    assert checked >= 230


def _runs(text: str, size: int = 6) -> set[tuple[str, ...]]:
    words = "".join(c.lower() if c.isalnum() else " " for c in text).split()
    return {tuple(words[i : i + size]) for i in range(len(words) - size + 1)}


def test_synopses_are_not_copied_from_tmdb(dataset: dict[int, Movie]) -> None:
    for movie in CATALOG:
        reference = dataset.get(movie.id)
        if reference is not None:
            assert not _runs(movie.overview) & _runs(reference.overview), movie.title


def top5(index: Path, text: str) -> list[Movie]:
    result = CliRunner().invoke(app, ["--db", str(index), "query", text, "-n", "5", "--json"])
    assert result.exit_code == 0, result.output
    return [BY_ID[int(hit["id"])] for hit in json.loads(result.stdout)]


def test_build_with_no_options_indexes_the_bundled_catalog(bundled_index: Path) -> None:
    result = CliRunner().invoke(app, ["--db", str(bundled_index), "count"])
    assert result.stdout.strip() == str(len(CATALOG))


@pytest.mark.parametrize(
    ("query", "fits", "at_least"),
    [
        ("dark thriller", lambda m: {"Thriller", "Crime", "Horror"} & set(m.genres), 5),
        ("feel-good animated family movie", lambda m: {"Animation", "Family"} & set(m.genres), 5),
        (
            "space exploration",
            lambda m: any(w in m.overview.lower() for w in ("space", "planet", "astronaut")),
            5,
        ),
        ("1990s crime drama", lambda m: "Crime" in m.genres and m.year // 10 == 199, 3),
        (
            "romantic comedy in New York",
            lambda m: (
                {"Romance", "Comedy"} <= set(m.genres)
                and "New York" in m.overview
                or "Manhattan" in m.overview
            ),
            4,
        ),
    ],
)
def test_everyday_queries_find_fitting_movies(
    bundled_index: Path, real_model: Path, query: str, fits: object, at_least: int
) -> None:
    hits = top5(bundled_index, query)
    fitting = [movie.title for movie in hits if fits(movie)]  # type: ignore[operator]
    assert len(fitting) >= at_least, [movie.title for movie in hits]
