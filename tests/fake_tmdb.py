"""A fake TMDB v3 server on 127.0.0.1, real HTTP, for tests and offline demos.

It speaks the parts of the API moviembed uses (`/movie/{id}` with `append_to_response`,
the `top_rated`, `popular` and `now_playing` lists, `/movie/changes`), answers errors in
TMDB's shape, and can be told to fail, stall or send garbage. No pytest here, so it also
runs on its own:

    python -m tests.fake_tmdb --port 8765 --dataset ../shared/data/tmdb5000 --key demo-key
"""

from __future__ import annotations

import argparse
import copy
import json
import sys
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlsplit

from moviembed.movie import Skipped
from moviembed.sources.dataset import iter_api_records
from tests.fake_tmdb_data import ChangeLog, list_summary, ordered_lists, write_id_export

SMALL_MOVIES = Path(__file__).parent / "data" / "tmdb" / "movies_small.json"
PAGE_SIZE = 20
MAX_PAGE = 500
APPENDABLE = ("credits", "keywords")

# TMDB's documented status codes (https://developer.themoviedb.org/docs/errors).
INVALID_KEY = (401, 7, "Invalid API key: You must be granted a valid key.")
NOT_FOUND = (404, 34, "The resource you requested could not be found.")
RATE_LIMITED = (429, 25, "Your request count (#) is over the allowed limit of (40).")
INVALID_PAGE = (
    400,
    22,
    "Invalid page: Pages start at 1 and max at 500. They are expected to be an integer.",
)
SERVER_ERRORS = {
    500: (11, "Internal error: Something went wrong, contact TMDB."),
    503: (9, "Service offline: This service is temporarily offline, try again later."),
    504: (24, "Your request to the backend server timed out. Try again."),
}
# The part of /configuration's answer clients look at (image sizes), trimmed.
CONFIGURATION = {
    "images": {"secure_base_url": "https://image.tmdb.org/t/p/", "poster_sizes": ["w500"]},
    "change_keys": [],
}
HTML_PAGE = b"<!DOCTYPE html><html><head><title>502 Bad Gateway</title></head><body></body></html>"
BROKEN_JSON = b'{"id": 603, "title": "The Ma'


@dataclass(frozen=True)
class SeenRequest:
    """One request as the server saw it; the api_key value is never kept."""

    path: str
    params: dict[str, str]
    auth: str  # "api_key", "bearer" or "none"


@dataclass
class _Failure:
    remaining: int
    status: int = 503
    retry_after: str | None = None
    body: str = "tmdb"  # "tmdb" (TMDB's JSON error), "html", "broken", "truncated" or "json"
    payload: Any = None  # the JSON answered when `body` is "json"


@dataclass
class _State:
    lock: threading.Lock = field(default_factory=threading.Lock)
    seen: list[SeenRequest] = field(default_factory=list)
    failures: list[_Failure] = field(default_factory=list)
    in_flight: int = 0
    most_in_flight: int = 0


class FakeTmdb:
    """TMDB on a free 127.0.0.1 port in a daemon thread; use as a context manager.

    Switches: `fail_next()`, `garble_next()`, `answer_next()`, `delay` (seconds before each
    answer), `reject_all_keys` and `revise()` (change movies and list them in `/movie/changes`).
    `count` and `paths` report what was asked, thread-safely.
    """

    def __init__(
        self,
        movies: dict[int, dict[str, Any]],
        api_key: str = "test-key",
        token: str | None = None,
        port: int = 0,
    ) -> None:
        self.movies = movies
        self.api_key = api_key
        self.token = token
        self.port = port
        self.delay = 0.0
        self.reject_all_keys = False
        self.verbose = False  # print each request path to stderr (the demo)
        self.lists = ordered_lists(movies)
        self.changes = ChangeLog()
        self._state = _State()
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None

    @property
    def url(self) -> str:
        if self._server is None:
            raise RuntimeError("FakeTmdb is not started")
        return f"http://127.0.0.1:{self._server.server_port}/3"

    def start(self) -> FakeTmdb:
        server = _QuietServer(("127.0.0.1", self.port), _handler_for(self))
        server.daemon_threads = True
        self._server = server
        self._thread = threading.Thread(
            target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None

    def __enter__(self) -> FakeTmdb:
        return self.start()

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    def fail_next(self, count: int, status: int = 503, retry_after: str | None = None) -> None:
        """Answer the next `count` requests with `status` (TMDB's error body for 429/5xx)."""
        body = "html" if status == 502 else "tmdb"
        with self._state.lock:
            self._state.failures.append(_Failure(count, status, retry_after, body))

    def garble_next(self, count: int, kind: str = "html") -> None:
        """Answer the next `count` requests with HTTP 200 and garbage of this `kind`.

        "html": an HTML page; "broken": cut-off JSON with a matching Content-Length;
        "truncated": a body shorter than its Content-Length, then the connection closes.
        """
        if kind not in ("html", "broken", "truncated"):
            raise ValueError("kind is 'html', 'broken' or 'truncated'")
        with self._state.lock:
            self._state.failures.append(_Failure(count, 200, None, kind))

    def answer_next(self, count: int, payload: Any) -> None:
        """Answer the next `count` requests with HTTP 200 and `payload` as JSON (a
        malformed page, say), whatever they ask for."""
        with self._state.lock:
            self._state.failures.append(_Failure(count, 200, None, "json", payload))

    def revise(self, movie_ids: list[int], kind: str = "overview", day: Any = None) -> None:
        """Change these movies ("overview" or "votes") and list them as changed on `day`."""
        with self._state.lock:
            self.changes.revise(self.movies, movie_ids, day, kind)

    @property
    def count(self) -> int:
        with self._state.lock:
            return len(self._state.seen)

    @property
    def requests(self) -> list[SeenRequest]:
        with self._state.lock:
            return list(self._state.seen)

    @property
    def paths(self) -> list[str]:
        return [seen.path for seen in self.requests]

    def reset(self) -> None:
        """Forget the requests seen and any pending failures."""
        with self._state.lock:
            self._state.seen.clear()
            self._state.failures.clear()

    @property
    def most_in_flight(self) -> int:
        """The most requests the server was answering at one time."""
        with self._state.lock:
            return self._state.most_in_flight

    # Called from handler threads.
    def _wait(self, seconds: float) -> None:
        """The `delay` before an answer, counted as a request in flight."""
        state = self._state
        with state.lock:
            state.in_flight += 1
            state.most_in_flight = max(state.most_in_flight, state.in_flight)
        time.sleep(seconds)
        with state.lock:
            state.in_flight -= 1

    def _record(self, seen: SeenRequest) -> _Failure | None:
        with self._state.lock:
            self._state.seen.append(seen)
            while self._state.failures and self._state.failures[0].remaining <= 0:
                self._state.failures.pop(0)
            if not self._state.failures:
                return None
            failure = self._state.failures[0]
            failure.remaining -= 1
            return failure


class _QuietServer(ThreadingHTTPServer):
    """Says nothing when a client drops its connection (a killed build), as TMDB would not."""

    def handle_error(self, request: Any, client_address: Any) -> None:
        if not isinstance(sys.exc_info()[1], ConnectionError):
            super().handle_error(request, client_address)


def _handler_for(fake: FakeTmdb) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        server_version = "FakeTMDB/1.0"
        protocol_version = "HTTP/1.1"
        # Headers and body go out in one write: with Nagle and delayed ACKs, two small
        # writes on a keep-alive connection cost ~40 ms per request.
        disable_nagle_algorithm = True
        wbufsize = -1

        def do_GET(self) -> None:
            parts = urlsplit(self.path)
            params = dict(parse_qsl(parts.query))
            key = params.pop("api_key", None)
            header = self.headers.get("Authorization", "")
            auth = "bearer" if header else "api_key" if key is not None else "none"
            failure = fake._record(SeenRequest(parts.path, params, auth))
            if fake.delay:
                fake._wait(fake.delay)
            if failure is not None:
                self._fail(failure)
                return
            token_ok = fake.token is not None and header == f"Bearer {fake.token}"
            key_ok = not header and key == fake.api_key
            if fake.reject_all_keys or not (token_ok or key_ok):
                self._error(*INVALID_KEY)
                return
            self._route(parts.path, params)

        def _route(self, path: str, params: dict[str, str]) -> None:
            segments = path.strip("/").split("/")
            if segments == ["3", "configuration"]:
                self._json(200, CONFIGURATION)
                return
            if len(segments) != 3 or segments[:2] != ["3", "movie"]:
                self._error(*NOT_FOUND)
                return
            name = segments[2]
            if name == "changes":
                with fake._state.lock:
                    status, body = fake.changes.answer(params)
                self._json(status, body)
            elif name in fake.lists:
                self._list(fake.lists[name], params.get("page", "1"))
            elif name.isdigit() and int(name) in fake.movies:
                wanted = params.get("append_to_response", "").split(",")
                movie = fake.movies[int(name)]
                answer = {k: v for k, v in movie.items() if k not in APPENDABLE or k in wanted}
                self._json(200, answer)
            else:
                self._error(*NOT_FOUND)

        def _list(self, movies: list[dict[str, Any]], raw_page: str) -> None:
            if not raw_page.isdigit() or not 1 <= int(raw_page) <= MAX_PAGE:
                self._error(*INVALID_PAGE)
                return
            page = int(raw_page)
            chunk = movies[(page - 1) * PAGE_SIZE : page * PAGE_SIZE]
            self._json(
                200,
                {
                    "page": page,
                    "results": [list_summary(movie) for movie in chunk],
                    "total_pages": max(1, -(-len(movies) // PAGE_SIZE)),
                    "total_results": len(movies),
                },
            )

        def _fail(self, failure: _Failure) -> None:
            headers = {"Retry-After": failure.retry_after} if failure.retry_after else {}
            if failure.body == "json":
                self._json(failure.status, failure.payload, headers)
            elif failure.body == "html":
                self._send(failure.status, HTML_PAGE, "text/html; charset=utf-8", headers)
            elif failure.body == "broken":
                self._send(failure.status, BROKEN_JSON, "application/json", headers)
            elif failure.body == "truncated":
                self.close_connection = True
                promised = {"Content-Length": str(len(BROKEN_JSON) + 100)}
                self._send(failure.status, BROKEN_JSON, "application/json", headers, promised)
            elif failure.status == 429:
                self._error(*RATE_LIMITED, headers=headers)
            else:
                code, message = SERVER_ERRORS.get(failure.status, SERVER_ERRORS[500])
                self._error(failure.status, code, message, headers=headers)

        def _error(
            self, status: int, code: int, message: str, headers: dict[str, str] | None = None
        ) -> None:
            body = {"success": False, "status_code": code, "status_message": message}
            self._json(status, body, headers)

        def _json(self, status: int, body: Any, headers: dict[str, str] | None = None) -> None:
            data = json.dumps(body).encode()
            self._send(status, data, "application/json;charset=utf-8", headers or {})

        def _send(
            self,
            status: int,
            data: bytes,
            kind: str,
            headers: dict[str, str],
            length: dict[str, str] | None = None,
        ) -> None:
            try:
                self.send_response(status)
                self.send_header("Content-Type", kind)
                for name, value in (length or {"Content-Length": str(len(data))}).items():
                    self.send_header(name, value)
                for name, value in headers.items():
                    self.send_header(name, value)
                self.end_headers()
                self.wfile.write(data)
            except (BrokenPipeError, ConnectionResetError):
                pass  # the client gave up (a timeout test): nothing to answer

        def log_message(self, format: str, *args: Any) -> None:
            """Silent by default; the demo prints paths only, never the query string."""
            if fake.verbose:
                path = urlsplit(self.path).path
                sys.stderr.write(f"{self.command} {path} -> {args[1] if len(args) > 1 else ''}\n")

    return Handler


def small_movies() -> dict[int, dict[str, Any]]:
    """The 12 movies of `tests/data/movies_small.json` in TMDB's raw `/movie/{id}` shape."""
    records = json.loads(SMALL_MOVIES.read_text(encoding="utf-8"))
    return {record["id"]: record for record in records}


def many_movies(count: int) -> dict[int, dict[str, Any]]:
    """`count` distinct TMDB-shaped movies, varied from the small fixtures."""
    base = list(small_movies().values())
    movies = {}
    for number in range(count):
        movie = copy.deepcopy(base[number % len(base)])
        movie["id"] = 100_000 + number
        movie["title"] = f"{movie['title']} (take {number})"
        movie["overview"] = f"Variation {number}. {movie['overview']}"
        movies[movie["id"]] = movie
    return movies


def dataset_movies(folder: Path) -> dict[int, dict[str, Any]]:
    """The TMDB 5000 dataset in the same raw shape (malformed rows left out)."""
    return {record["id"]: record for record in _dataset_records(folder)}


def _dataset_records(folder: Path) -> Iterator[dict[str, Any]]:
    movies = folder / "tmdb_5000_movies.csv.gz"
    credits = folder / "tmdb_5000_credits.csv.gz"
    for record in iter_api_records(movies, credits if credits.is_file() else None):
        if not isinstance(record, Skipped):
            yield record


def main(argv: list[str] | None = None) -> None:
    """Serve until Ctrl-C, printing the settings that point moviembed at this server."""
    parser = argparse.ArgumentParser(prog="python -m tests.fake_tmdb", description=__doc__)
    parser.add_argument("--port", type=int, default=8765, help="port on 127.0.0.1 (0: any)")
    parser.add_argument("--dataset", type=Path, help="folder with the TMDB 5000 .csv.gz files")
    parser.add_argument("--key", default="demo-key", help="the API key to accept")
    parser.add_argument("--token", help="a read access token to accept as well")
    parser.add_argument("--verbose", action="store_true", help="print each request path")
    parser.add_argument(
        "--revise", type=int, default=0, metavar="N", help="change N movies today (a sync demo)"
    )
    parser.add_argument("--export", type=Path, help="write the daily id export (.json.gz) here")
    args = parser.parse_args(argv)
    movies = dataset_movies(args.dataset) if args.dataset else small_movies()
    fake = FakeTmdb(movies, api_key=args.key, token=args.token, port=args.port)
    fake.verbose = args.verbose
    if args.revise:
        fake.revise(sorted(movies)[: args.revise])
    if args.export:
        write_id_export(movies.values(), args.export)
        print(f"Wrote the id export of {len(movies)} movies to {args.export}")
    fake.start()
    print(f"Fake TMDB serving {len(movies)} movies at {fake.url}")
    print(f"  MOVIEMBED_TMDB_URL={fake.url}")
    print(f"  TMDB_API_KEY={args.key}")
    if args.token:
        print(f"  TMDB_READ_ACCESS_TOKEN={args.token}")
    print("Press Ctrl-C to stop.", flush=True)
    try:
        while True:
            time.sleep(3600)
    except KeyboardInterrupt:
        pass
    finally:
        fake.stop()


if __name__ == "__main__":
    main()
