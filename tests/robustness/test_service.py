"""The service through a real uvicorn: only the Host names it serves are answered, and every
bad request is a 4xx JSON error of one line (never a 5xx that blames the index)."""

from __future__ import annotations

import http.client
import json
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from moviembed.config import Settings
from moviembed.serve import create_app
from tests import fakes
from tests.live_server import LiveServer

PROXIED = "movies.example.org"  # in MOVIEMBED_ALLOWED_HOSTS for this server


@pytest.fixture(scope="module")
def server(
    fake_built_index: Path, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[LiveServer]:
    root = tmp_path_factory.mktemp("hostile-service")
    shutil.copytree(fake_built_index, root / "index")
    settings = Settings(db_path=root / "index", cache_dir=root / "cache", allowed_hosts=(PROXIED,))
    with pytest.MonkeyPatch.context() as patch:
        fakes.install(patch, fakes.HashingEmbedder())
        with LiveServer(create_app(settings)) as live:
            yield live


def ask(
    server: LiveServer, path: str, host: str | None, method: str = "GET", body: bytes = b""
) -> tuple[int, str, bytes]:
    """(status, content type, body) for a raw request with this exact Host (None: none)."""
    connection = http.client.HTTPConnection("127.0.0.1", server.port, timeout=30)
    try:
        connection.putrequest(method, path, skip_host=True, skip_accept_encoding=True)
        if host is not None:
            connection.putheader("Host", host)
        if body:
            connection.putheader("Content-Type", "application/json")
        connection.putheader("Content-Length", str(len(body)))
        connection.endheaders(body)
        response = connection.getresponse()
        return response.status, response.getheader("Content-Type", ""), response.read()
    finally:
        connection.close()


def assert_json_error(status: int, kind: str, body: bytes, low: int = 400, high: int = 499) -> str:
    assert low <= status <= high, (status, body[:300])
    assert kind == "application/json", kind
    data = json.loads(body)
    assert list(data) in (["error"], ["error", "field"]), data
    assert data["error"] and "\n" not in data["error"]
    assert isinstance(data.get("field", ""), str)
    return data["error"]


PATHS = ["/", "/api/search?q=heist", "/openapi.json", "/api/movies/603"]
REFUSED_HOSTS = [
    "evil.example",
    "evil.example:8000",
    "attacker.com",
    "localhost.evil.com",
    "127.0.0.1.nip.io",
    "sub.movies.example.org",
    "movies.example.org.evil",
    "",
]
SERVED_HOSTS = [
    "127.0.0.1",
    "localhost",
    "LOCALHOST:1234",
    "[::1]:8000",
    "10.1.2.3",
    PROXIED,
    f"{PROXIED}.:443",
]


@pytest.mark.parametrize("path", PATHS)
@pytest.mark.parametrize("host", REFUSED_HOSTS)
def test_a_host_the_service_does_not_serve_is_refused(
    server: LiveServer, host: str, path: str
) -> None:
    message = assert_json_error(*ask(server, path, host), high=400)
    assert "MOVIEMBED_ALLOWED_HOSTS" in message


def test_a_request_without_host_is_refused(server: LiveServer) -> None:
    assert_json_error(*ask(server, "/api/search?q=heist", None))


@pytest.mark.parametrize("host", SERVED_HOSTS)
def test_the_names_it_serves_are_answered(server: LiveServer, host: str) -> None:
    status, kind, body = ask(server, "/api/search?q=heist", host)
    assert status == 200, body[:300]
    assert "results" in json.loads(body)


def recommend(**fields: Any) -> bytes:
    return json.dumps({"liked": ["603"], **fields}).encode()


BAD_BODIES = {
    "liked lone surrogate": recommend(liked=["\ud800"]),
    "liked cp1252 surrogate": recommend(liked=["caf\udce9"]),
    "disliked lone surrogate": recommend(disliked=["\udfff"]),
    "seen lone surrogate": recommend(seen=["\ud83d"]),
    "genre lone surrogate": recommend(genre=["\ud800"]),
    "director lone surrogate": recommend(director="\ud800x"),
    "year lone surrogate": recommend(year="\ud800"),
    "language lone surrogate": recommend(language="\ud800"),
    "runtime lone surrogate": recommend(runtime="\ud800"),
    "liked empty": recommend(liked=[]),
    "liked text": recommend(liked="603"),
    "liked a fraction": recommend(liked=[603.5]),
    "liked negative": recommend(liked=[-603]),
    "liked huge id": recommend(liked=[2**40]),
    "liked true": recommend(liked=[True]),
    "seen a list in a list": recommend(seen=[[603]]),
    "liked 101 movies": recommend(liked=[str(i) for i in range(1, 102)]),
    "n 0": recommend(n=0),
    "n 101": recommend(n=101),
    "n text": recommend(n="ten"),
    "n 1e30": recommend(n=1e30),
    "unknown field": recommend(evil=1),
    "not JSON": b"{oops",
    "a JSON list": b"[]",
    "JSON null": b"null",
    "deep JSON": b"[" * 5000 + b"]" * 5000,
    "non-UTF-8": b'{"liked": ["\xff"]}',
    "year bogus": recommend(year="soon"),
    "genre unknown": recommend(genre=["Bogus"]),
    "min_rating 11": recommend(min_rating=11),
}
BAD_GETS = {
    "search without q": "/api/search",
    "search empty q": "/api/search?q=",
    "search 10,000 chars": "/api/search?q=" + "a" * 10_000,
    "search n 0": "/api/search?q=x&n=0",
    "search n text": "/api/search?q=x&n=ten",
    "search year bogus": "/api/search?q=x&year=soon",
    "movie not an id": "/api/movies/abc",
    "movie huge id": "/api/movies/" + "9" * 30,
    "unknown route": "/api/nothing-here",
}


@pytest.mark.parametrize("body", list(BAD_BODIES.values()), ids=list(BAD_BODIES))
def test_a_bad_recommend_request_is_a_4xx_json_error(server: LiveServer, body: bytes) -> None:
    assert_json_error(*ask(server, "/api/recommend", "127.0.0.1", "POST", body))


@pytest.mark.parametrize("path", list(BAD_GETS.values()), ids=list(BAD_GETS))
def test_a_bad_get_is_a_4xx_json_error(server: LiveServer, path: str) -> None:
    assert_json_error(*ask(server, path, "127.0.0.1"))


def test_a_wrong_method_is_a_4xx_json_error(server: LiveServer) -> None:
    assert_json_error(*ask(server, "/api/search?q=x", "127.0.0.1", "DELETE"))
