"""Fetching with several requests in flight: order kept, memory bounded, stops cleanly."""

from __future__ import annotations

import threading
import time
from pathlib import Path

import pytest

from moviembed.errors import TmdbError
from moviembed.movie import Movie
from moviembed.sources.tmdb.cache import ResponseCache
from moviembed.sources.tmdb.client import TmdbClient
from moviembed.sources.tmdb.fetcher import TmdbFetcher
from moviembed.sources.tmdb.parallel import ordered_map
from tests.fake_tmdb import FakeTmdb, many_movies


class Recorder:
    """A slow call that remembers how many ran at once and how many started."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.running = self.most = self.started = 0

    def __call__(self, item: int) -> int:
        with self.lock:
            self.started += 1
            self.running += 1
            self.most = max(self.most, self.running)
        time.sleep(0.002 * (item % 5))  # finish out of order
        with self.lock:
            self.running -= 1
        if item == 13:
            raise ValueError("unlucky")
        return item * 10


def test_results_come_back_in_order_from_several_threads() -> None:
    call = Recorder()
    assert list(ordered_map(call, range(12), workers=4)) == [i * 10 for i in range(12)]
    assert 1 < call.most <= 4


def test_an_error_arrives_at_its_turn_after_the_results_before_it() -> None:
    results = ordered_map(Recorder(), range(20), workers=3)
    assert [next(results) for _ in range(13)] == [i * 10 for i in range(13)]
    with pytest.raises(ValueError, match="unlucky"):
        next(results)


def test_work_stays_a_bounded_window_ahead_and_stops_with_the_consumer() -> None:
    call = Recorder()
    results = ordered_map(call, range(10_000), workers=4)
    for _ in range(5):
        next(results)
    time.sleep(0.05)  # give the threads every chance to run ahead
    assert call.started <= 5 + 2 * 4
    results.close()
    time.sleep(0.05)
    assert call.started <= 5 + 2 * 4 + 4  # at most the calls already running finish


def test_one_worker_is_a_plain_loop_in_this_thread() -> None:
    threads: set[str] = set()

    def call(item: int) -> int:
        threads.add(threading.current_thread().name)
        return item

    assert list(ordered_map(call, range(3), workers=1)) == [0, 1, 2]
    assert threads == {threading.current_thread().name}


def test_the_fetcher_keeps_several_requests_in_flight_and_the_order(tmp_path: Path) -> None:
    movies = many_movies(24)
    with FakeTmdb(movies, api_key="key") as fake:
        fake.delay = 0.02
        client = TmdbClient(api_key="key", base_url=fake.url, rate=1000)
        fetcher = TmdbFetcher(client, ResponseCache(tmp_path), connections=4)
        fetched = list(fetcher.movies(sorted(movies)))
        assert [item.id for item in fetched] == sorted(movies)
        assert all(isinstance(item, Movie) for item in fetched)
        assert fetcher.fetched == client.requests_sent == fake.count == 24
        assert 1 < fake.most_in_flight <= 4


def test_a_failure_in_flight_stops_the_fetch_with_its_own_message(tmp_path: Path) -> None:
    movies = many_movies(40)
    with FakeTmdb(movies, api_key="key") as fake:
        client = TmdbClient(api_key="key", base_url=fake.url, rate=1000, max_attempts=1)
        fetcher = TmdbFetcher(client, ResponseCache(tmp_path), connections=4)
        fake.fail_next(100, status=503)
        with pytest.raises(TmdbError, match="HTTP 503"):
            list(fetcher.movies(sorted(movies)))
        assert fake.count <= 2 * 4 + 4
