"""`moviembed build --changes`: refresh what TMDB changed, end to end against the fake TMDB."""

from __future__ import annotations

import datetime as dt
import json
import threading
from pathlib import Path

import pytest
from typer.testing import CliRunner

from moviembed.cli.app import app
from moviembed.config import Settings
from moviembed.index.pipeline import run_build
from moviembed.index.records import SyncState
from moviembed.index.store import EmbeddingStore
from moviembed.sources.request import SourceRequest
from tests.fake_tmdb import FakeTmdb

INDEXED = [12, 238, 274, 289, 329, 348, 578, 603]  # of the fake's 12 movies
NOT_INDEXED = 862
LONG_AGO = (dt.date.today() - dt.timedelta(days=30)).isoformat()


@pytest.fixture
def indexed(runner: CliRunner, fake_tmdb: FakeTmdb, isolated_env: Path) -> EmbeddingStore:
    """An index of eight of the fake's movies, with the requests that built it forgotten."""
    args = [arg for movie_id in INDEXED for arg in ("--id", str(movie_id))]
    assert runner.invoke(app, ["build", *args, "-q"]).exit_code == 0
    fake_tmdb.reset()
    return EmbeddingStore(isolated_env / "index")


def movie_requests(fake: FakeTmdb) -> list[str]:
    return [path for path in fake.paths if path.startswith("/3/movie/") and path[9:].isdigit()]


def sync(runner: CliRunner, *args: str) -> tuple[int, dict, str]:
    result = runner.invoke(app, ["build", "--changes", *args, "--json"])
    data = json.loads(result.stdout) if result.exit_code in (0, 130) else {}
    return result.exit_code, data, result.stderr


def test_a_sync_refetches_only_the_changed_indexed_movies(
    runner: CliRunner, fake_tmdb: FakeTmdb, indexed: EmbeddingStore
) -> None:
    fake_tmdb.revise([603, 12], kind="overview")
    fake_tmdb.revise([238], kind="votes")
    fake_tmdb.revise([NOT_INDEXED], kind="overview")
    before = {movie["id"]: movie for movie in indexed.get_by_ids(["603", "238", "274"])}
    code, report, stderr = sync(runner, "--since", LONG_AGO)
    assert code == 0, stderr
    assert sorted(movie_requests(fake_tmdb)) == ["/3/movie/12", "/3/movie/238", "/3/movie/603"]
    assert (report["sync"]["listed"], report["sync"]["in_index"]) == (4, 3)
    assert "4 listed, 3 in the index and fetched again, 2 re-embedded, 1 with new" in stderr
    assert (report["fetched"], report["reembedded"], report["updated"]) == (3, 2, 3)
    assert report["sync"]["next_start"] == dt.datetime.now(dt.timezone.utc).date().isoformat()
    assert f"Synced TMDB's changes from {LONG_AGO}" in stderr
    store = EmbeddingStore(indexed.persist_dir)
    assert store.count() == len(INDEXED)  # the unindexed change was not added
    after = {movie["id"]: movie for movie in store.get_by_ids(["603", "238", "274"])}
    assert "restored and re-cut" in after["603"]["document"]
    assert after["238"]["document"] == before["238"]["document"]
    assert after["238"]["metadata"]["vote_count"] > before["238"]["metadata"]["vote_count"]
    assert after["274"] == before["274"]
    assert store.sync_state().pending is None
    info = json.loads(runner.invoke(app, ["inspect", "--json"]).stdout)
    assert info["next_sync"] == report["sync"]["next_start"]


def test_the_next_sync_starts_where_the_last_one_ended(
    runner: CliRunner, fake_tmdb: FakeTmdb, indexed: EmbeddingStore
) -> None:
    fake_tmdb.revise([603])
    assert sync(runner, "--since", LONG_AGO)[0] == 0
    fake_tmdb.changes.record([12], dt.date.today() - dt.timedelta(days=10))  # before the record
    fake_tmdb.reset()
    code, report, _ = sync(runner)
    assert code == 0
    today = dt.datetime.now(dt.timezone.utc).date().isoformat()
    assert report["sync"]["start"] == today
    assert movie_requests(fake_tmdb) == ["/3/movie/603"]  # the overlapping day, not 12
    assert (report["reembedded"], report["unchanged"]) == (0, 1)


def test_a_first_sync_asks_for_since_and_bad_combinations_are_usage_errors(
    runner: CliRunner, fake_tmdb: FakeTmdb, indexed: EmbeddingStore
) -> None:
    code, _, stderr = sync(runner)
    assert code == 2 and "add --since YYYY-MM-DD" in stderr
    tomorrow = (dt.date.today() + dt.timedelta(days=2)).isoformat()
    for args, message in [
        (["--since", tomorrow], "is in the future"),
        (["--since", "2026-13-01"], "YYYY-MM-DD"),
        (["--prune", "--yes"], "--prune cannot go with a sync of TMDB's changes"),
        (["--offline"], "--offline cannot go with a sync of TMDB's changes: it needs TMDB"),
        (["--id", "603"], "one source at a time"),
    ]:
        result = runner.invoke(app, ["build", "--changes", *args])
        assert result.exit_code == 2, (args, result.output)
        assert message in result.stderr and "Traceback" not in result.stderr
    result = runner.invoke(app, ["build", "--since", "2026-01-01", "--id", "603"])
    assert result.exit_code == 2 and "--since goes with a sync of TMDB's changes" in result.stderr
    assert fake_tmdb.count == 0 and indexed.sync_state() == SyncState()


def test_a_sync_of_an_empty_index_says_to_build_first(
    runner: CliRunner, fake_tmdb: FakeTmdb
) -> None:
    code, _, stderr = sync(runner, "--since", LONG_AGO)
    assert code == 1 and "is empty" in stderr and "Build it first" in stderr
    assert fake_tmdb.count == 0


def test_tmdb_failing_mid_sync_records_nothing_and_keeps_the_index(
    runner: CliRunner,
    fake_tmdb: FakeTmdb,
    indexed: EmbeddingStore,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("MOVIEMBED_TMDB_ATTEMPTS", "1")
    fake_tmdb.revise(INDEXED)
    fake_tmdb.fail_next(50, status=503)
    result = runner.invoke(app, ["build", "--changes", "--since", LONG_AGO, "-q"])
    assert result.exit_code == 1
    assert result.stderr.count("\n") == 1 and "HTTP 503" in result.stderr
    store = EmbeddingStore(indexed.persist_dir)
    assert store.count() == len(INDEXED)
    assert store.sync_state().synced is None  # the same window is asked for next time


def test_an_interrupted_sync_resumes_without_asking_tmdb_again(
    fake_tmdb: FakeTmdb, indexed: EmbeddingStore
) -> None:
    fake_tmdb.revise(INDEXED)
    settings = Settings.load()
    request = SourceRequest(changes=True, since=dt.date.fromisoformat(LONG_AGO))
    stopped = run_build(request, settings=settings, should_stop=lambda: True)
    assert stopped.report.interrupted and stopped.sync is None
    for thread in threading.enumerate():  # its source and fetch threads cache what they fetch
        if thread.name.startswith(("moviembed-source", "moviembed-fetch")):
            thread.join(timeout=30)
    state = EmbeddingStore(indexed.persist_dir).sync_state()
    assert state.synced is None and state.pending is not None
    fetched_before = len(movie_requests(fake_tmdb))
    assert fetched_before >= 1
    resumed = run_build(request, settings=settings)
    assert resumed.sync is not None and resumed.sync.next_start == state.pending.date()
    # Only the movies the interrupted run never reached are asked for.
    assert resumed.fetched == len(INDEXED) - fetched_before
    assert len(movie_requests(fake_tmdb)) == len(INDEXED)
    assert resumed.report.added == 0
    assert resumed.report.reembedded + stopped.report.reembedded == len(INDEXED)
    assert EmbeddingStore(indexed.persist_dir).sync_state().pending is None
