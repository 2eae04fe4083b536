"""The TMDB 5000 CSV reader and `build --tmdb-csv`: rows, credits, gzip and bad rows."""

from __future__ import annotations

import csv
import gzip
import io
import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from moviembed.cli.app import app
from moviembed.errors import InputError
from moviembed.index.store import EmbeddingStore
from moviembed.movie import Skipped, movie_from_tmdb
from moviembed.sources.dataset import count_rows, iter_api_records

MOVIE_HEADER = [
    "id",
    "title",
    "genres",
    "keywords",
    "overview",
    "release_date",
    "runtime",
    "original_language",
    "popularity",
    "vote_count",
    "vote_average",
]


def genres(*names: str) -> str:
    return json.dumps([{"id": i, "name": n} for i, n in enumerate(names)])


def write_csv(path: Path, header: list[str], rows: list[list[object]]) -> Path:
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer)
    writer.writerow(header)
    writer.writerows(rows)
    data = buffer.getvalue().encode("utf-8")
    path.write_bytes(gzip.compress(data) if path.suffix == ".gz" else data)
    return path


@pytest.fixture
def tiny_dataset(tmp_path: Path) -> tuple[Path, Path]:
    movies = write_csv(
        tmp_path / "movies.csv.gz",
        MOVIE_HEADER,
        [
            [
                11,
                "Lighthouse Keepers",
                genres("Drama"),
                genres("island", "storm"),
                "Two keepers wait out a winter storm on a rock far from shore.",
                "1999-04-01",
                "101.0",
                "en",
                "21.5",
                "340",
                "6.8",
            ],
            [12, "Broken Row", "[{not json", "[]", "Text", "2001-01-01", "90", "en"],
            ["x13", "Bad Id", genres("Comedy"), "[]", "Text", "2001-01-01", "90", "en"],
            [14, "No Date", genres("Comedy"), "[]", "", "", "", "fr", "", "0", "0.0"],
        ],
    )
    credits = write_csv(
        tmp_path / "credits.csv",
        ["movie_id", "title", "cast", "crew"],
        [
            [
                11,
                "Lighthouse Keepers",
                json.dumps([{"name": "B Actor", "order": 1}, {"name": "A Actor", "order": 0}]),
                json.dumps(
                    [
                        {"name": "Some Director", "job": "Director"},
                        {"name": "Some Editor", "job": "Editor"},
                    ]
                ),
            ],
            [14, "No Date", "[]", "[]"],
        ],
    )
    return movies, credits


def test_rows_become_tmdb_shaped_records(tiny_dataset: tuple[Path, Path]) -> None:
    movies_csv, credits_csv = tiny_dataset
    assert count_rows(movies_csv) == 4
    items = list(iter_api_records(movies_csv, credits_csv))
    skipped = [item for item in items if isinstance(item, Skipped)]
    assert [s.id for s in skipped] == ["12", "x13"]
    assert "genres is not valid JSON" in skipped[0].reason
    keeper = movie_from_tmdb(items[0])  # type: ignore[arg-type]
    assert keeper.director == "Some Director"
    assert keeper.cast == ("A Actor", "B Actor")
    assert keeper.keywords == ("island", "storm")
    assert keeper.runtime == 101 and keeper.year == 1999
    assert (keeper.popularity, keeper.vote_count, keeper.vote_average) == (21.5, 340, 6.8)
    undated = movie_from_tmdb(items[3])  # type: ignore[arg-type]
    assert (undated.year, undated.runtime, undated.director, undated.overview) == (
        None,
        None,
        None,
        "",
    )
    assert (undated.popularity, undated.vote_count, undated.vote_average) == (None, 0, None)


def test_odd_values_in_rows_are_skipped_or_ignored_never_fatal(tmp_path: Path) -> None:
    movies_csv = write_csv(
        tmp_path / "odd.csv",
        MOVIE_HEADER,
        [
            [21, "Endless", genres("Drama"), "[]", "x", "2000-01-01", "inf", "en"],
            [22, "Plain Genres", '["Drama", 7]', '[{"id": 1}]', "x", "2000-01-01", "90", "en"],
            [23, "Odd Runtime", genres("Drama"), "[]", "x", "2000-01-01", "ninety", "en"],
        ],
    )
    credits_csv = write_csv(
        tmp_path / "odd-credits.csv",
        ["movie_id", "title", "cast", "crew"],
        [[21, "Endless", '["not a person", 3]', '{"job": "Director"}']],
    )
    items = list(iter_api_records(movies_csv, credits_csv))
    endless, plain = (movie_from_tmdb(item) for item in items[:2])  # type: ignore[arg-type]
    assert (endless.runtime, endless.cast, endless.director) == (None, (), None)
    assert plain.genres == () and plain.keywords == ()
    assert isinstance(items[2], Skipped) and "runtime 'ninety' is not a number" in items[2].reason


def test_a_file_that_is_not_the_dataset_is_refused(tmp_path: Path) -> None:
    other = write_csv(tmp_path / "other.csv", ["name", "value"], [["a", 1]])
    with pytest.raises(InputError, match="missing column"):
        list(iter_api_records(other))
    with pytest.raises(InputError, match="does not exist"):
        count_rows(tmp_path / "absent.csv")
    broken = tmp_path / "broken.csv.gz"
    broken.write_bytes(b"not gzip at all")
    with pytest.raises(InputError, match="damaged|not a readable"):
        count_rows(broken)


def test_build_from_the_csv_reports_bad_rows(
    runner: CliRunner, tiny_dataset: tuple[Path, Path], isolated_env: Path
) -> None:
    movies_csv, credits_csv = tiny_dataset
    args = ["build", "--tmdb-csv", str(movies_csv), "--credits", str(credits_csv)]
    result = runner.invoke(app, args)
    assert result.exit_code == 0, result.output
    assert "2 added, 0 updated, 0 unchanged, 2 failed" in result.stderr
    assert "skipped 12: malformed row: genres is not valid JSON" in result.stderr
    assert EmbeddingStore(isolated_env / "index").count() == 2


def test_build_without_credits_warns(runner: CliRunner, tiny_dataset: tuple[Path, Path]) -> None:
    result = runner.invoke(app, ["build", "--tmdb-csv", str(tiny_dataset[0]), "-q"])
    assert result.exit_code == 0
    assert "Warning: no --credits file" in result.stderr


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--credits", "c.csv"], "--credits goes with the TMDB 5000 CSVs"),
        (["--tmdb-csv", "m.csv", "--catalog", "c.json"], "Give one source at a time"),
        (["--refresh"], "--refresh goes with an ids file, ids given one by one"),
        (["--limit", "5"], "--limit goes with an ids file or a TMDB list"),
        (["--id", "603", "--refresh", "--offline"], "contradict each other"),
    ],
)
def test_conflicting_source_options_are_usage_errors(
    runner: CliRunner, args: list[str], message: str
) -> None:
    result = runner.invoke(app, ["build", *args])
    assert result.exit_code == 2
    assert message in result.stderr


def test_the_full_dataset_parses(shared_data: Path) -> None:
    movies_csv = shared_data / "tmdb_5000_movies.csv.gz"
    items = list(iter_api_records(movies_csv, shared_data / "tmdb_5000_credits.csv.gz"))
    assert count_rows(movies_csv) == len(items) == 4803
    movies = {m.id: m for m in map(movie_from_tmdb, items)}  # type: ignore[arg-type]
    assert movies[19995].title == "Avatar" and movies[19995].director == "James Cameron"
    assert movies[19995].vote_count > 10_000 and 7 < movies[19995].vote_average < 8
    assert sum(1 for m in movies.values() if m.director) > 4700
