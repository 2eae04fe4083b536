"""ResponseCache on a real folder, fed with answers from the fake TMDB server."""

from __future__ import annotations

import datetime as dt
import json
import logging
import stat
import threading
from pathlib import Path
from typing import Any

import pytest

from moviembed.errors import MoviembedError, UsageError
from moviembed.sources.tmdb.cache import ResponseCache
from moviembed.sources.tmdb.client import TmdbClient
from tests import fake_tmdb
from tests.fake_tmdb import FakeTmdb

KEY = "k3y-SECRET-cache-41d2"
TOKEN = "tok3n-SECRET-cache-9e0a"


@pytest.fixture
def cache(tmp_path: Path) -> ResponseCache:
    return ResponseCache(tmp_path / "cache")


@pytest.fixture(scope="module")
def raw_movies() -> dict[int, dict[str, Any]]:
    return fake_tmdb.small_movies()


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_round_trip(cache: ResponseCache, raw_movies: dict[int, dict[str, Any]]) -> None:
    before = dt.datetime.now(dt.timezone.utc).replace(microsecond=0)
    cache.put(603, raw_movies[603])
    assert cache.get(603) == raw_movies[603]
    assert 603 in cache
    fetched = cache.fetched_at(603)
    assert fetched is not None and fetched.utcoffset() == dt.timedelta(0)
    assert before <= fetched <= dt.datetime.now(dt.timezone.utc)
    stored = json.loads((cache.folder / "movies" / "603.json").read_text(encoding="utf-8"))
    assert stored.keys() == {"fetched_at", "data"}
    assert stored["data"] == raw_movies[603]


def test_a_missing_movie_is_a_miss_and_reading_creates_nothing(cache: ResponseCache) -> None:
    assert cache.get(603) is None
    assert cache.fetched_at(603) is None
    assert 603 not in cache
    assert not cache.folder.exists()


def test_put_replaces_and_leaves_no_temp_files(
    cache: ResponseCache, raw_movies: dict[int, dict[str, Any]]
) -> None:
    for movie_id, raw in raw_movies.items():
        cache.put(movie_id, raw)
    newer = {**raw_movies[603], "title": "The Matrix (restored)"}
    cache.put(603, newer)
    assert cache.get(603) == newer
    names = sorted(path.name for path in (cache.folder / "movies").iterdir())
    assert names == sorted(f"{movie_id}.json" for movie_id in raw_movies)


def test_readers_never_see_a_partial_write(cache: ResponseCache) -> None:
    """A reader racing a writer gets the old or the new version, never a torn file."""
    versions = [{"id": 7, "title": f"v{n}", "overview": "x" * 200_000} for n in range(30)]
    cache.put(7, versions[0])
    seen: list[dict[str, Any] | None] = []
    done = threading.Event()

    def read() -> None:
        while not done.is_set():
            seen.append(cache.get(7))

    reader = threading.Thread(target=read)
    reader.start()
    try:
        for version in versions[1:]:
            cache.put(7, version)
    finally:
        done.set()
        reader.join()
    assert seen and all(entry in versions for entry in seen)


def test_files_and_folders_are_private(
    cache: ResponseCache, raw_movies: dict[int, dict[str, Any]]
) -> None:
    cache.put(862, raw_movies[862])
    assert mode(cache.folder) == 0o700
    assert mode(cache.folder / "movies") == 0o700
    assert mode(cache.path_for(862)) == 0o600


def test_an_existing_folder_keeps_its_mode(tmp_path: Path) -> None:
    tmp_path.chmod(0o755)
    ResponseCache(tmp_path).put(12, {"id": 12, "title": "Finding Nemo"})
    assert mode(tmp_path) == 0o755
    assert mode(tmp_path / "movies") == 0o700


@pytest.mark.parametrize(
    "content",
    [
        b'{"fetched_at": "2024-05-01T10:00:00+00:00", "data": {"id": 603, "tit',
        b"\xff\xfe\x00garbage",
        b"",
        b"[1, 2, 3]",
        b'{"fetched_at": "2024-05-01T10:00:00+00:00", "data": {"id": 604}}',
        b'{"fetched_at": "yesterday", "data": {"id": 603}}',
        b'{"fetched_at": "2024-05-01T10:00:00", "data": {"id": 603}}',
        b'{"id": 603, "title": "The Matrix"}',
    ],
    ids=[
        "truncated",
        "binary",
        "empty",
        "a list",
        "another movie",
        "bad time",
        "naive time",
        "bare response",
    ],
)
def test_a_damaged_or_foreign_file_is_a_miss(
    cache: ResponseCache, caplog: pytest.LogCaptureFixture, content: bytes
) -> None:
    caplog.set_level(logging.DEBUG, logger="moviembed.sources.tmdb.cache")
    path = cache.path_for(603)
    path.parent.mkdir(parents=True)
    path.write_bytes(content)
    assert cache.get(603) is None
    assert cache.fetched_at(603) is None
    assert 603 not in cache
    assert any("Ignoring" in record.getMessage() for record in caplog.records)
    cache.put(603, {"id": 603, "title": "The Matrix"})
    assert cache.get(603) == {"id": 603, "title": "The Matrix"}


@pytest.mark.parametrize("bad_id", [0, -1, True, "603", "../603", 6.03])
def test_only_positive_integer_ids_name_files(cache: ResponseCache, bad_id: Any) -> None:
    with pytest.raises(UsageError):
        cache.put(bad_id, {"id": bad_id})
    with pytest.raises(UsageError):
        cache.get(bad_id)
    assert bad_id not in cache
    assert not cache.folder.exists()


def test_data_must_be_that_movie_and_json(cache: ResponseCache) -> None:
    with pytest.raises(UsageError, match="not that movie"):
        cache.put(603, {"id": 604, "title": "The Matrix Reloaded"})
    with pytest.raises(UsageError, match="not JSON"):
        cache.put(603, {"id": 603, "release": dt.date(1999, 3, 30)})
    assert cache.get(603) is None


def test_an_unwritable_cache_says_so(tmp_path: Path) -> None:
    blocker = tmp_path / "cache"
    blocker.write_text("a file where the cache folder should be")
    with pytest.raises(MoviembedError, match="Cannot write the TMDB cache file"):
        ResponseCache(blocker).put(603, {"id": 603})


@pytest.mark.parametrize("credential", ["api_key", "read_access_token"])
def test_credentials_never_reach_the_cache(
    cache: ResponseCache, raw_movies: dict[int, dict[str, Any]], credential: str
) -> None:
    use_key = credential == "api_key"
    with FakeTmdb(raw_movies, api_key=KEY, token=TOKEN) as fake:
        with TmdbClient(
            api_key=KEY if use_key else None,
            read_access_token=None if use_key else TOKEN,
            base_url=fake.url,
            rate=1000.0,
        ) as client:
            for movie_id in raw_movies:
                cache.put(movie_id, client.movie_raw(movie_id))
        assert fake.requests[0].auth == ("api_key" if use_key else "bearer")
    cached = cache.get(603)
    assert cached is not None and "credits" in cached
    for path in cache.folder.rglob("*"):
        if path.is_file():
            content = path.read_bytes()
            assert KEY.encode() not in content and TOKEN.encode() not in content
