"""TmdbClient against a real HTTP server on 127.0.0.1 (tests/fake_tmdb.py)."""

from __future__ import annotations

import dataclasses
import logging
import socket
import time
import traceback
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import requests

from moviembed.config import Settings
from moviembed.errors import (
    ConfigError,
    TmdbAuthError,
    TmdbError,
    TmdbNotFoundError,
    UsageError,
)
from moviembed.movie import Movie
from moviembed.sources.tmdb.answers import MAX_RETRY_AFTER, retry_after
from moviembed.sources.tmdb.client import TmdbClient
from tests import fake_tmdb
from tests.fake_tmdb import FakeTmdb

# Distinctive secrets, so any leak is easy to find in text.
KEY = "k3y-SECRET-5f0c9a"
TOKEN = "tok3n-SECRET-77be21"

MakeClient = Callable[..., TmdbClient]


@pytest.fixture
def fake() -> Iterator[FakeTmdb]:
    with FakeTmdb(fake_tmdb.small_movies(), api_key=KEY, token=TOKEN) as server:
        yield server


@pytest.fixture
def make_client(fake: FakeTmdb) -> Iterator[MakeClient]:
    """Clients for `fake` with test-friendly defaults: no throttling, tiny backoff."""
    clients: list[TmdbClient] = []

    def make(**options: Any) -> TmdbClient:
        settings: dict[str, Any] = {
            "base_url": fake.url,
            "rate": 1000.0,
            "timeout": 2.0,
            "max_attempts": 3,
            "backoff": 0.01,
        }
        if "read_access_token" not in options:
            settings["api_key"] = KEY
        settings.update(options)
        client = TmdbClient(**settings)
        clients.append(client)
        return client

    yield make
    for client in clients:
        client.close()


def closed_port_url() -> str:
    """The URL of a port nothing listens on (bound, then released)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    return f"http://127.0.0.1:{port}/3"


def ranked_movies(count: int) -> dict[int, dict[str, Any]]:
    """Synthetic raw movies, most popular first, for paging through lists."""
    return {
        n: {"id": n, "title": f"Movie {n}", "popularity": float(count - n)}
        for n in range(1, count + 1)
    }


def test_movie_is_one_request_and_converted(fake: FakeTmdb, make_client: MakeClient) -> None:
    client = make_client()
    movie = client.movie(603)
    assert movie.title == "The Matrix"
    assert movie.year == 1999
    assert movie.director == "Lilly Wachowski, Lana Wachowski"
    assert movie.cast == ("Keanu Reeves", "Laurence Fishburne", "Carrie-Anne Moss")
    assert movie.genres == ("Action", "Science Fiction")
    assert "artificial intelligence" in movie.keywords
    assert fake.count == client.requests_sent == 1
    [seen] = fake.requests
    assert seen.path == "/3/movie/603"
    assert seen.params == {"append_to_response": "credits,keywords", "language": "en-US"}


def test_every_small_movie_matches_the_small_catalog(
    make_client: MakeClient, small_movies: list[Movie]
) -> None:
    """The raw fixtures and tests/data/movies_small.json describe the same movies."""
    client = make_client()
    for expected in small_movies:
        fetched = client.movie(expected.id)
        assert fetched.keywords, expected.title
        assert dataclasses.replace(fetched, keywords=()) == expected


def test_raw_movie_has_credits_and_keywords_only_when_asked(
    fake: FakeTmdb, make_client: MakeClient
) -> None:
    raw = make_client().movie_raw(862)
    assert raw["id"] == 862
    assert {"credits", "keywords"} <= raw.keys()
    plain = requests.get(f"{fake.url}/movie/862", params={"api_key": KEY}, timeout=5).json()
    assert plain["title"] == "Toy Story"
    assert "credits" not in plain and "keywords" not in plain


def test_api_key_goes_in_the_query(fake: FakeTmdb, make_client: MakeClient) -> None:
    make_client(api_key=KEY).movie(238)
    assert fake.requests[0].auth == "api_key"


def test_token_goes_in_a_bearer_header_and_wins_over_the_key(
    fake: FakeTmdb, make_client: MakeClient
) -> None:
    make_client(read_access_token=TOKEN).movie(238)
    make_client(read_access_token=TOKEN, api_key="unused-key").movie(578)
    assert [seen.auth for seen in fake.requests] == ["bearer", "bearer"]


def test_no_credentials_is_a_config_error() -> None:
    with pytest.raises(ConfigError, match="TMDB_API_KEY or TMDB_READ_ACCESS_TOKEN"):
        TmdbClient(api_key="", read_access_token=None)


@pytest.mark.parametrize(
    ("bad_value", "setting"),
    [
        ({"rate": 0}, "tmdb_rate"),
        ({"timeout": -1.0}, "tmdb_timeout"),
        ({"max_attempts": 0}, "tmdb_attempts"),
        ({"max_attempts": True}, "tmdb_attempts"),
        ({"base_url": "ftp://x/3"}, "tmdb_url"),
        ({"language": "english"}, "tmdb_language"),
    ],
)
def test_bad_options_are_config_errors_naming_the_setting(
    bad_value: dict[str, Any], setting: str
) -> None:
    """The client checks plain values with the settings' own declared checks."""
    with pytest.raises(ConfigError) as caught:
        TmdbClient(api_key=KEY, **bad_value)
    assert caught.value.field == setting and str(caught.value).startswith(f"{setting} must be")


def test_from_settings_takes_every_tmdb_setting(fake: FakeTmdb) -> None:
    environ = {
        "TMDB_READ_ACCESS_TOKEN": TOKEN,
        "MOVIEMBED_TMDB_URL": fake.url + "/",
        "TMDB_LANGUAGE": "fr",
        "MOVIEMBED_TMDB_RATE": "1000",
        "MOVIEMBED_TMDB_TIMEOUT": "3",
        "MOVIEMBED_TMDB_ATTEMPTS": "2",
    }
    with TmdbClient.from_settings(Settings.load(environ=environ)) as client:
        assert (client.base_url, client.language) == (fake.url, "fr")
        assert (client.rate, client.timeout, client.max_attempts) == (1000.0, 3.0, 2)
        client.movie_raw(603)
    [seen] = fake.requests
    assert seen.auth == "bearer" and seen.params["language"] == "fr"


def test_from_settings_without_credentials_says_how_to_add_them() -> None:
    with pytest.raises(ConfigError, match="TMDB_API_KEY or TMDB_READ_ACCESS_TOKEN"):
        TmdbClient.from_settings(Settings.load(environ={}))


@pytest.mark.parametrize(
    "credentials",
    [{"api_key": "wrong-key"}, {"read_access_token": "wrong-token"}, {"api_key": KEY}],
    ids=["wrong key", "wrong token", "rejected key"],
)
def test_rejected_credentials_fail_at_once(
    fake: FakeTmdb, make_client: MakeClient, credentials: dict[str, str]
) -> None:
    fake.reject_all_keys = credentials == {"api_key": KEY}
    client = make_client(**credentials)
    with pytest.raises(TmdbAuthError) as caught:
        client.movie(603)
    message = str(caught.value)
    assert message.startswith("TMDB rejected the API key (HTTP 401): Invalid API key")
    assert "Set TMDB_API_KEY or TMDB_READ_ACCESS_TOKEN in .env" in message
    assert fake.count == client.requests_sent == 1


def test_unknown_movie_is_not_found(fake: FakeTmdb, make_client: MakeClient) -> None:
    with pytest.raises(TmdbNotFoundError, match="TMDB has no movie 999999"):
        make_client().movie(999999)
    assert fake.count == 1


@pytest.mark.parametrize("bad_id", [0, -3, True, "603"])
def test_movie_ids_must_be_positive_integers(make_client: MakeClient, bad_id: Any) -> None:
    client = make_client()
    with pytest.raises(UsageError):
        client.movie(bad_id)
    assert client.requests_sent == 0


def test_server_errors_are_retried(fake: FakeTmdb, make_client: MakeClient) -> None:
    fake.fail_next(2, status=500)
    client = make_client(max_attempts=5)
    assert client.movie(603).title == "The Matrix"
    assert fake.count == client.requests_sent == 3


def test_retry_after_is_honoured(fake: FakeTmdb, make_client: MakeClient) -> None:
    fake.fail_next(1, status=429, retry_after="1")
    client = make_client(backoff=0.01)
    started = time.monotonic()
    assert client.movie(603).title == "The Matrix"
    assert time.monotonic() - started >= 1.0
    assert fake.count == 2


def test_retry_after_is_capped_and_tolerant() -> None:
    assert retry_after("2.5") == 2.5
    assert retry_after("86400") == MAX_RETRY_AFTER
    assert retry_after("Wed, 21 Oct 2015 07:28:00 GMT") == 0.0  # a date in the past
    assert retry_after("soon") is None
    assert retry_after(None) is None


@pytest.mark.parametrize("status", [500, 502, 503])
def test_server_errors_give_up_after_max_attempts(
    fake: FakeTmdb, make_client: MakeClient, status: int
) -> None:
    fake.fail_next(100, status=status)
    client = make_client(max_attempts=4)
    with pytest.raises(TmdbError) as caught:
        client.movie(603)
    assert str(caught.value) == (
        f"TMDB did not answer after 4 attempts (HTTP {status} for /movie/603). Try again later."
    )
    assert fake.count == client.requests_sent == 4


def test_rate_limiting_forever_gives_up(fake: FakeTmdb, make_client: MakeClient) -> None:
    fake.fail_next(100, status=429, retry_after="0")
    with pytest.raises(TmdbError, match="still limiting the request rate after 3 attempts"):
        make_client(max_attempts=3).movie(603)
    assert fake.count == 3


def test_connection_refused_names_the_url_only(make_client: MakeClient) -> None:
    url = closed_port_url()
    client = make_client(base_url=url, max_attempts=2)
    with pytest.raises(TmdbError) as caught:
        client.movie(603)
    assert str(caught.value) == (
        f"Cannot reach TMDB at {url}: connection refused (2 attempts). "
        "Check MOVIEMBED_TMDB_URL and your network."
    )
    assert client.requests_sent == 2


def test_slow_answers_time_out_and_are_retried(fake: FakeTmdb, make_client: MakeClient) -> None:
    fake.delay = 0.5
    client = make_client(timeout=0.1, max_attempts=2)
    with pytest.raises(TmdbError, match=r"did not answer within 0\.1 s \(2 attempts\)"):
        client.movie(603)
    assert fake.count == client.requests_sent == 2


@pytest.mark.parametrize("kind", ["html", "broken"])
def test_non_json_answers_are_retried_then_reported(
    fake: FakeTmdb, make_client: MakeClient, kind: str
) -> None:
    fake.garble_next(100, kind=kind)
    with pytest.raises(TmdbError, match="not a JSON object") as caught:
        make_client(max_attempts=2).movie(603)
    assert "/movie/603" in str(caught.value)
    assert fake.count == 2


@pytest.mark.parametrize("kind", ["html", "broken", "truncated"])
def test_one_garbled_answer_is_survived(fake: FakeTmdb, make_client: MakeClient, kind: str) -> None:
    fake.garble_next(1, kind=kind)
    assert make_client().movie(603).title == "The Matrix"
    assert fake.count == 2


def test_answers_that_break_off_are_retried_then_reported(
    fake: FakeTmdb, make_client: MakeClient
) -> None:
    fake.garble_next(100, kind="truncated")
    with pytest.raises(TmdbError, match=r"answer to /movie/603 broke off .*\(2 attempts\)"):
        make_client(max_attempts=2).movie(603)
    assert fake.count == 2


def test_list_ids_pages_until_the_limit() -> None:
    with FakeTmdb(ranked_movies(45), api_key=KEY) as fake:
        client = TmdbClient(api_key=KEY, base_url=fake.url, rate=1000)
        assert list(client.list_ids("popular", 25)) == list(range(1, 26))
        assert [seen.params["page"] for seen in fake.requests] == ["1", "2"]
        fake.reset()
        assert list(client.list_ids("top_rated", 1000)) == [
            m["id"] for m in fake.lists["top_rated"]
        ]
        assert fake.paths == ["/3/movie/top_rated"] * 3  # stops at total_pages


def test_list_ids_of_a_short_list(fake: FakeTmdb, make_client: MakeClient) -> None:
    ids = list(make_client().list_ids("now_playing", 5))
    assert ids == [m["id"] for m in fake.lists["now_playing"][:5]]
    assert fake.count == 1


@pytest.mark.parametrize(("name", "limit"), [("upcoming", 5), ("popular", 0)])
def test_list_ids_refuses_bad_arguments(make_client: MakeClient, name: str, limit: int) -> None:
    client = make_client()
    with pytest.raises(UsageError):
        client.list_ids(name, limit)
    assert client.requests_sent == 0


def test_rate_limit_spaces_requests(fake: FakeTmdb, make_client: MakeClient) -> None:
    client = make_client(rate=10.0)
    started = time.monotonic()
    client.movie(603)
    client.movie(862)
    list(client.list_ids("popular", 3))
    client.movie_raw(348)
    client.movie(238)
    assert time.monotonic() - started >= 0.4
    assert fake.count == 5


def test_secrets_never_leak(
    fake: FakeTmdb, make_client: MakeClient, caplog: pytest.LogCaptureFixture
) -> None:
    """Not in messages, tracebacks, repr or DEBUG logs, whatever goes wrong."""
    caplog.set_level(logging.DEBUG)
    key_client = make_client(api_key=KEY, max_attempts=2)
    token_client = make_client(read_access_token=TOKEN, max_attempts=2)
    impatient = [
        make_client(api_key=KEY, timeout=0.1, max_attempts=1),
        make_client(read_access_token=TOKEN, timeout=0.1, max_attempts=1),
    ]
    refused = make_client(api_key=KEY, base_url=closed_port_url(), max_attempts=2)
    errors: list[BaseException] = []

    def attempt(call: Callable[[], object]) -> None:
        try:
            call()
        except TmdbError as exc:
            errors.append(exc)

    for client, slow in zip((key_client, token_client), impatient, strict=True):
        attempt(lambda: client.movie(603))  # noqa: B023 (called at once)
        attempt(lambda: client.movie(999999))  # noqa: B023
        fake.fail_next(2, status=503)
        attempt(lambda: client.movie(603))  # noqa: B023
        fake.garble_next(2)
        attempt(lambda: list(client.list_ids("popular", 3)))  # noqa: B023
        fake.delay = 0.3
        attempt(lambda: slow.movie(603))  # noqa: B023
        fake.delay = 0.0
    fake.reject_all_keys = True
    attempt(lambda: key_client.movie(603))
    attempt(lambda: refused.movie(603))

    assert len(errors) == 10
    texts = [str(exc) for exc in errors] + [repr(exc) for exc in errors]
    texts += ["".join(traceback.format_exception(exc)) for exc in errors]
    texts += [repr(client) for client in (key_client, token_client, refused, *impatient)]
    texts += [caplog.text] + [record.getMessage() for record in caplog.records]
    for secret in (KEY, TOKEN):
        assert not [text for text in texts if secret in text]
    # The test can fail: urllib3 did log request URLs, with the key redacted.
    assert any(
        record.name.startswith("urllib3") and "api_key=***" in record.getMessage()
        for record in caplog.records
    )


@pytest.fixture(scope="module")
def dataset_tmdb(shared_data: Path) -> Iterator[FakeTmdb]:
    with FakeTmdb(fake_tmdb.dataset_movies(shared_data), api_key=KEY) as server:
        yield server


def test_dataset_movies_are_served(dataset_tmdb: FakeTmdb) -> None:
    fake = dataset_tmdb
    fake.reset()
    assert len(fake.movies) > 4500
    with TmdbClient(api_key=KEY, base_url=fake.url, rate=1000) as client:
        avatar = client.movie(19995)
        assert avatar.title == "Avatar"
        assert avatar.director == "James Cameron"
        assert avatar.year == 2009
        ids = list(client.list_ids("popular", 250))
        assert len(set(ids)) == 250
        fake.reset()
        movies = [client.movie(movie_id) for movie_id in ids]
    assert [movie.id for movie in movies] == ids
    assert fake.count == 250
    assert set(fake.paths) == {f"/3/movie/{movie_id}" for movie_id in ids}
