"""`moviembed build` from TMDB, end to end against the fake TMDB server on 127.0.0.1."""

from __future__ import annotations

import json
import logging
import pickle
import time
from pathlib import Path

import pytest
from typer.testing import CliRunner

from moviembed.cli.app import app
from moviembed.index.store import EmbeddingStore

from ... import fake_tmdb as fake
from ...conftest import TMDB_KEY
from ...fake_tmdb_data import write_id_export


def write_ids(tmp_path: Path, ids: list[int]) -> Path:
    path = tmp_path / "ids.txt"
    path.write_text("\n".join(map(str, ids)) + "\n")
    return path


def index(path: Path) -> EmbeddingStore:
    return EmbeddingStore(path)


def test_250_ids_take_250_requests_and_a_rerun_takes_none(
    runner: CliRunner, monkeypatch: pytest.MonkeyPatch, tmp_path: Path, isolated_env: Path
) -> None:
    movies = fake.many_movies(250)
    with fake.FakeTmdb(movies, api_key=TMDB_KEY) as server:
        monkeypatch.setenv("MOVIEMBED_TMDB_URL", server.url)
        monkeypatch.setenv("TMDB_API_KEY", TMDB_KEY)
        monkeypatch.setenv("MOVIEMBED_TMDB_RATE", "1000")
        ids = write_ids(tmp_path, list(movies))
        first = runner.invoke(app, ["build", "--ids", str(ids), "-q"])
        assert first.exit_code == 0, first.output
        assert server.count == 250
        assert "250 added" in first.stderr
        again = runner.invoke(app, ["build", "--ids", str(ids), "-q"])
        assert again.exit_code == 0
        assert server.count == 250  # nothing fetched again
        assert "0 added, 0 updated, 250 unchanged" in again.stderr
    assert index(isolated_env / "index").count() == 250


def test_ids_already_indexed_are_not_fetched_even_without_a_cache(
    runner: CliRunner, fake_tmdb: fake.FakeTmdb, user_cache: Path
) -> None:
    assert runner.invoke(app, ["build", "--id", "603", "--id", "862", "-q"]).exit_code == 0
    assert fake_tmdb.count == 2
    for entry in (user_cache / "tmdb").rglob("*.json"):
        entry.unlink()
    again = runner.invoke(app, ["build", "--id", "603", "--id", "862", "-q"])
    assert "0 added, 0 updated, 2 unchanged" in again.stderr
    assert fake_tmdb.count == 2
    refreshed = runner.invoke(app, ["build", "--id", "603", "--id", "862", "--refresh", "-q"])
    assert refreshed.exit_code == 0
    assert "0 added, 0 updated, 2 unchanged" in refreshed.stderr
    assert fake_tmdb.count == 4


def test_offline_uses_only_the_cache(runner: CliRunner, fake_tmdb: fake.FakeTmdb) -> None:
    assert runner.invoke(app, ["build", "--id", "603", "-q"]).exit_code == 0
    result = runner.invoke(app, ["build", "--id", "603", "--id", "862", "--offline", "-q"])
    assert result.exit_code == 0
    assert "skipped 862: not in the TMDB cache" in result.stderr
    assert fake_tmdb.count == 1


def test_a_429_pause_is_honoured(
    runner: CliRunner, fake_tmdb: fake.FakeTmdb, isolated_env: Path
) -> None:
    fake_tmdb.fail_next(1, status=429, retry_after="1")
    started = time.monotonic()
    result = runner.invoke(app, ["build", "--id", "603", "-q"])
    assert result.exit_code == 0, result.output
    assert time.monotonic() - started >= 1.0
    assert fake_tmdb.count == 2
    assert index(isolated_env / "index").count() == 1


def test_an_invalid_key_stops_at_once_and_leaves_the_index_untouched(
    runner: CliRunner, fake_tmdb: fake.FakeTmdb, isolated_env: Path, tmp_path: Path
) -> None:
    assert runner.invoke(app, ["build", "--id", "603", "-q"]).exit_code == 0
    before = index(isolated_env / "index").get_by_ids(["603"])
    fake_tmdb.reject_all_keys = True
    ids = write_ids(tmp_path, [603, 862, 238])
    result = runner.invoke(app, ["build", "--ids", str(ids), "--refresh", "-q"])
    assert result.exit_code == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("Error: TMDB rejected the API key (HTTP 401)")
    assert index(isolated_env / "index").get_by_ids(["603", "862", "238"]) == before


def test_not_found_ids_are_skipped_and_listed(runner: CliRunner, fake_tmdb: fake.FakeTmdb) -> None:
    result = runner.invoke(app, ["build", "--id", "603", "--id", "999999", "-q"])
    assert result.exit_code == 0
    assert "1 added, 0 updated, 0 unchanged, 1 failed" in result.stderr
    assert "skipped 999999: TMDB has no movie with this id (404)" in result.stderr


def test_a_wrong_base_url_stops_instead_of_skipping_everything(
    runner: CliRunner, fake_tmdb: fake.FakeTmdb, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("MOVIEMBED_TMDB_URL", fake_tmdb.url.removesuffix("/3"))
    ids = write_ids(tmp_path, list(fake.small_movies()))
    result = runner.invoke(app, ["build", "--ids", str(ids), "-q"])
    assert result.exit_code == 1
    assert "TMDB found none of the first 10 movies" in result.stderr
    assert "has no API configuration either" in result.stderr


def test_ids_that_all_start_missing_do_not_stop_a_good_url(
    runner: CliRunner, fake_tmdb: fake.FakeTmdb, tmp_path: Path
) -> None:
    ids = write_ids(tmp_path, [*range(900_001, 900_013), 603])
    result = runner.invoke(app, ["build", "--ids", str(ids), "-q"])
    assert result.exit_code == 0, result.output
    assert "1 added, 0 updated, 0 unchanged, 12 failed" in result.stderr


def test_connection_refused_is_one_clear_line(
    runner: CliRunner, monkeypatch: pytest.MonkeyPatch
) -> None:
    closed = fake.FakeTmdb({}).start()
    url = closed.url
    closed.stop()
    monkeypatch.setenv("MOVIEMBED_TMDB_URL", url)
    monkeypatch.setenv("TMDB_API_KEY", TMDB_KEY)
    monkeypatch.setenv("MOVIEMBED_TMDB_ATTEMPTS", "2")  # one retry, not the default's 7.5 s
    result = runner.invoke(app, ["build", "--id", "603", "-q", "--rate", "1000"])
    assert result.exit_code == 1
    assert result.stderr.startswith(
        f"Error: Cannot reach TMDB at {url}: connection refused (2 attempts)"
    )
    assert "Traceback" not in result.stderr


def test_missing_credentials_say_what_to_set(runner: CliRunner) -> None:
    result = runner.invoke(app, ["build", "--id", "603"])
    assert result.exit_code == 2
    assert "set TMDB_READ_ACCESS_TOKEN or TMDB_API_KEY in .env" in result.stderr


def test_tmdb_list_takes_ids_from_pages(runner: CliRunner, fake_tmdb: fake.FakeTmdb) -> None:
    result = runner.invoke(
        app, ["build", "--tmdb-list", "top_rated", "--limit", "5", "--json", "-q"]
    )
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["added"] == 5
    assert fake_tmdb.paths.count("/3/movie/top_rated") == 1


def test_a_pickle_of_ids_and_a_malicious_one(
    runner: CliRunner, fake_tmdb: fake.FakeTmdb, tmp_path: Path
) -> None:
    good = tmp_path / "movie_ids.pkl"
    good.write_bytes(pickle.dumps([603, 862]))
    assert "2 added" in runner.invoke(app, ["build", "--ids", str(good), "-q"]).stderr

    class Evil:
        def __reduce__(self) -> tuple[object, tuple[str]]:
            return (print, ("pwned",))

    evil = tmp_path / "evil.pkl"
    evil.write_bytes(pickle.dumps(Evil()))
    result = runner.invoke(app, ["build", "--ids", str(evil)])
    assert result.exit_code == 2
    assert "refused without running it" in result.stderr
    assert "pwned" not in result.output


def test_the_key_never_reaches_output_logs_or_files(
    runner: CliRunner,
    fake_tmdb: fake.FakeTmdb,
    tmp_path: Path,
    isolated_env: Path,
    user_cache: Path,
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.DEBUG)
    ids = write_ids(tmp_path, [603, 862, 999999])
    fake_tmdb.fail_next(1, status=500)
    outputs = [
        runner.invoke(app, ["-vv", "build", "--ids", str(ids), "--json"]),
        runner.invoke(app, ["-vv", "query", "a robot in space", "--json"]),
        runner.invoke(app, ["-vv", "inspect", "603", "--json"]),
        runner.invoke(app, ["-vv", "inspect"]),
        runner.invoke(app, ["-vv", "export", str(isolated_env / "backup.jsonl")]),
    ]
    fake_tmdb.reject_all_keys = True
    outputs.append(runner.invoke(app, ["-vv", "build", "--id", "12", "--refresh"]))
    assert "api_key=***" in caplog.text  # urllib3 did log the URLs, redacted
    for result in outputs:
        assert TMDB_KEY not in result.stdout + result.stderr
    assert TMDB_KEY not in caplog.text
    written = [p for root in (isolated_env, user_cache) for p in root.rglob("*") if p.is_file()]
    assert any(p.suffix == ".json" for p in written)
    for path in written:
        assert TMDB_KEY.encode() not in path.read_bytes(), path


def test_an_id_export_is_narrowed_before_any_request(
    runner: CliRunner, fake_tmdb: fake.FakeTmdb, tmp_path: Path
) -> None:
    movies = list(fake_tmdb.movies.values())
    movies[0] = {**movies[0], "adult": True, "popularity": 10_000.0}
    path = write_id_export(movies, tmp_path / "movie_ids_11_27_2026.json.gz")
    by_popularity = sorted(movies[1:], key=lambda movie: -float(movie["popularity"]))
    result = runner.invoke(app, ["build", "--ids", str(path), "--limit", "3", "--json"])
    assert result.exit_code == 0, result.output
    assert sorted(fake_tmdb.paths) == sorted(
        f"/3/movie/{movie['id']}" for movie in by_popularity[:3]
    )
    assert "3 of 12 movies kept; 1 adult title left out" in result.stderr
    assert json.loads(result.stdout)["fetched"] == 3
