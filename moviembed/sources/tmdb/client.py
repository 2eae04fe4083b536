"""A synchronous TMDB v3 client: one session, a rate limit, retries, readable errors.

Every failure becomes a `TmdbError` (or a subclass) whose message says what to do, and
the API key never leaves the request: not in messages, `repr`, logs or tracebacks.
"""

from __future__ import annotations

import datetime as dt
import logging
import math
import threading
import time
from collections.abc import Iterator
from typing import Any

import requests

from moviembed import __version__
from moviembed.choices import TmdbList
from moviembed.config import Settings, checked, default
from moviembed.errors import ConfigError, TmdbAuthError, TmdbError, TmdbNotFoundError, UsageError
from moviembed.files import parse_json
from moviembed.movie import Movie, is_tmdb_id, movie_from_tmdb
from moviembed.sources.tmdb.answers import (
    MAX_RETRY_AFTER,
    check_page_count,
    connection_reason,
    content_type,
    page_contents,
    retry_after,
    tmdb_status,
)
from moviembed.sources.tmdb.parallel import Throttle
from moviembed.sources.tmdb.redact import display_url, install_log_redaction, redact

log = logging.getLogger(__name__)

LISTS = tuple(choice.value for choice in TmdbList)
MAX_PAGE = 500  # TMDB refuses list pages above 500 with HTTP 400
CHANGES_WINDOW = dt.timedelta(days=14)  # the longest span one /movie/changes request covers
MAX_RETRY_WAIT = 120.0  # seconds of pauses between the attempts of one request, in all
MAX_BACKOFF = 30.0
AUTH_STATUS_CODES = frozenset({3, 7})  # "Authentication failed", "Invalid API key"
NOT_FOUND_STATUS_CODE = 34
CREDENTIALS_HINT = "Set TMDB_API_KEY or TMDB_READ_ACCESS_TOKEN in .env (see .env.example)."
URL_HINT = "Check MOVIEMBED_TMDB_URL and your network."
FEED_HINT = "Nothing was recorded; check MOVIEMBED_TMDB_URL, or try again later."


class _Retry(Exception):
    """One failed attempt worth repeating: the message to give up with, and the pause."""

    def __init__(self, message: str, pause: float | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.pause = pause


class TmdbClient:
    """TMDB v3 over one `requests.Session`; plain values in, dicts and `Movie`s out.

    `read_access_token` (v4, sent as a Bearer header) is preferred over `api_key`
    (v3, sent as a query parameter) because headers do not end up in URLs.
    """

    def __init__(
        self,
        *,
        api_key: str | None = None,
        read_access_token: str | None = None,
        base_url: str = default("tmdb_url"),
        language: str = default("tmdb_language"),
        rate: float = default("tmdb_rate"),
        timeout: float = default("tmdb_timeout"),
        max_attempts: int = default("tmdb_attempts"),
        backoff: float = 0.5,
    ) -> None:
        """Plain values, checked as the settings of the same names are (`config`)."""
        if not api_key and not read_access_token:
            raise ConfigError(f"No TMDB credentials. {CREDENTIALS_HINT}")
        if not (isinstance(backoff, (int, float)) and 0 <= backoff < math.inf):
            raise ConfigError(f"The TMDB backoff must be 0 seconds or more, not {backoff!r}.")
        self.base_url = checked("tmdb_url", base_url)
        self.language = checked("tmdb_language", language)
        self.rate = checked("tmdb_rate", rate)
        self.timeout = checked("tmdb_timeout", timeout)
        self.max_attempts = checked("tmdb_attempts", max_attempts)
        self.backoff = float(backoff)
        self.requests_sent = 0  # attempts made, retries included
        self.display_url = display_url(self.base_url)  # for messages: no credentials or query
        self._secrets = tuple(s for s in (api_key, read_access_token) if s)
        self._api_key = None if read_access_token else api_key
        self._throttle = Throttle(self.rate)
        self._headers = {"Accept": "application/json", "User-Agent": f"moviembed/{__version__}"}
        if read_access_token:
            self._headers["Authorization"] = f"Bearer {read_access_token}"
        self._local = threading.local()
        self._sessions: list[requests.Session] = []
        self._lock = threading.Lock()
        install_log_redaction()

    @classmethod
    def from_settings(cls, settings: Settings) -> TmdbClient:
        """A client with the TMDB settings: credentials, URL, language, rate and retries."""
        return cls(
            api_key=settings.tmdb_api_key,
            read_access_token=settings.tmdb_read_access_token,
            base_url=settings.tmdb_url,
            language=settings.tmdb_language,
            rate=settings.tmdb_rate,
            timeout=settings.tmdb_timeout,
            max_attempts=settings.tmdb_attempts,
        )

    def __repr__(self) -> str:
        auth = "read access token" if self._api_key is None else "api key"
        return (
            f"TmdbClient(base_url={self.display_url!r}, auth={auth!r}, language={self.language!r})"
        )

    def __enter__(self) -> TmdbClient:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def close(self) -> None:
        """Close the pooled connections of every thread that used the client."""
        with self._lock:
            sessions, self._sessions = self._sessions, []
        for session in sessions:
            session.close()

    def _session(self) -> requests.Session:
        """This thread's session: requests does not promise that one is safe to share."""
        session: requests.Session | None = getattr(self._local, "session", None)
        if session is None:
            session = requests.Session()
            session.headers.update(self._headers)
            self._local.session = session
            with self._lock:
                self._sessions.append(session)
        return session

    def movie_raw(self, movie_id: int) -> dict[str, Any]:
        """TMDB's movie details with credits and keywords, in one request.

        https://developer.themoviedb.org/reference/movie-details
        """
        if not is_tmdb_id(movie_id):
            raise UsageError(f"TMDB movie ids are positive integers, not {movie_id!r}.")
        data = self._get(
            f"/movie/{movie_id}",
            {"append_to_response": "credits,keywords", "language": self.language},
            what=f"movie {movie_id}",
        )
        if "id" not in data:
            raise TmdbError(
                f"TMDB's answer for movie {movie_id} is not a movie (no id). "
                "Check MOVIEMBED_TMDB_URL."
            )
        return data

    def configuration(self) -> dict[str, Any]:
        """TMDB's API configuration: a cheap request that shows the base URL and key work.

        https://developer.themoviedb.org/reference/configuration-details
        """
        return self._get("/configuration", {}, what="the API configuration")

    def movie(self, movie_id: int) -> Movie:
        """One movie as a `Movie` (director, top cast, genres, keywords).

        https://developer.themoviedb.org/reference/movie-details
        """
        return movie_from_tmdb(self.movie_raw(movie_id))

    def list_ids(self, name: str, limit: int) -> Iterator[int]:
        """The first `limit` movie ids of a TMDB list, fetched page by page as needed.

        Lists move while they are paged, so an id seen on an earlier page is not repeated.
        https://developer.themoviedb.org/reference/movie-top-rated-list
        https://developer.themoviedb.org/reference/movie-popular-list
        https://developer.themoviedb.org/reference/movie-now-playing-list
        """
        if name not in LISTS:
            raise UsageError(f"Unknown TMDB list {name!r}; use one of {', '.join(LISTS)}.")
        if isinstance(limit, bool) or not isinstance(limit, int) or limit < 1:
            raise UsageError(f"The number of movies must be a positive integer, not {limit!r}.")
        return self._list_pages(name, limit)

    def _list_pages(self, name: str, limit: int) -> Iterator[int]:
        seen: set[int] = set()
        params = {"language": self.language}
        for ids, _ in self._pages(f"/movie/{name}", params, f"the {name} list"):
            for movie_id in ids:
                if movie_id not in seen:
                    seen.add(movie_id)
                    yield movie_id
                    if len(seen) >= limit:
                        return

    def changed_ids(self, start: dt.date, end: dt.date) -> Iterator[int]:
        """Ids of the movies TMDB changed from `start` to `end` (both included), each once.

        TMDB answers 14 days per request, so the span is walked window by window and
        page by page; a window with more pages than TMDB serves is split in two.
        https://developer.themoviedb.org/reference/changes-movie-list
        """
        if end < start:
            raise UsageError(f"The changes window ends ({end}) before it starts ({start}).")
        seen: set[int] = set()
        window_start = start
        while window_start <= end:
            window_end = min(window_start + CHANGES_WINDOW - dt.timedelta(days=1), end)
            for movie_id in self._changes_window(window_start, window_end):
                if movie_id not in seen:
                    seen.add(movie_id)
                    yield movie_id
            window_start = window_end + dt.timedelta(days=1)

    def _changes_window(self, start: dt.date, end: dt.date) -> Iterator[int]:
        params = {"start_date": start.isoformat(), "end_date": end.isoformat()}
        what = f"the changes from {start} to {end}"
        pages = self._pages("/movie/changes", params, what, complete=True)
        first_ids, total_pages = next(pages, ([], 1))
        check_page_count(total_pages, MAX_PAGE * ((end - start).days + 1), what)
        if total_pages > MAX_PAGE:
            pages.close()
            middle = start + (end - start) // 2
            yield from self._changes_window(start, middle)
            yield from self._changes_window(middle + dt.timedelta(days=1), end)
            return
        yield from first_ids
        for ids, _ in pages:
            yield from ids

    def _pages(
        self, path: str, params: dict[str, str], what: str, *, complete: bool = False
    ) -> Iterator[tuple[list[int], int]]:
        """The movie ids of each page of a paged answer, with its `total_pages`.

        A malformed page is a TmdbError, never a shorter list; with `complete`, so is
        a page that ends the list before `total_pages` says it ends.
        """
        page, total_pages = 1, 1
        while page <= min(total_pages, MAX_PAGE):
            where = f"page {page} of {what}"
            data = self._get(path, {**params, "page": str(page)}, what=where)
            ids, total_pages = page_contents(data, page, where)
            if not ids:
                if complete and page < total_pages:
                    raise TmdbError(
                        f"TMDB's {where} is empty, but {total_pages} were announced. {FEED_HINT}"
                    )
                return
            yield ids, total_pages
            page += 1

    def _get(self, path: str, params: dict[str, str], what: str) -> dict[str, Any]:
        """GET `path` with retries; returns the JSON object or raises a TmdbError."""
        url = self.base_url + path
        if self._api_key:
            params = {**params, "api_key": self._api_key}
        message, waited = "", 0.0
        for attempt in range(1, self.max_attempts + 1):
            self._throttle.wait()
            with self._lock:
                self.requests_sent += 1
            try:
                return self._attempt(url, path, params, what)
            except _Retry as retry:
                message = retry.message
                pause = retry.pause if retry.pause is not None else self._backoff(attempt)
            if waited + pause > MAX_RETRY_WAIT:
                break  # a deadline for the whole request, whatever the attempts left
            if attempt < self.max_attempts:
                waited += pause
                log.info(
                    "TMDB attempt %d/%d for %s failed; retrying in %.2f s",
                    attempt,
                    self.max_attempts,
                    path,
                    pause,
                )
                time.sleep(pause)
        raise TmdbError(message)

    def _attempt(self, url: str, path: str, params: dict[str, str], what: str) -> dict[str, Any]:
        """One request: the JSON object, or `_Retry`, or a final TmdbError."""
        tries = _plural(self.max_attempts, "attempt")
        try:
            response = self._session().get(url, params=params, timeout=self.timeout)
        except requests.Timeout:
            raise _Retry(
                f"TMDB at {self.display_url} did not answer within {self.timeout:g} s "
                f"({tries}). Try again later."
            ) from None
        except requests.exceptions.ChunkedEncodingError:
            raise _Retry(
                f"TMDB's answer to {path} broke off before its end ({tries}). Try again later."
            ) from None
        except requests.ConnectionError as exc:
            raise _Retry(
                f"Cannot reach TMDB at {self.display_url}: {connection_reason(exc)} "
                f"({tries}). {URL_HINT}"
            ) from None
        except requests.RequestException as exc:
            raise TmdbError(
                f"Cannot send a request to TMDB at {self.display_url} "
                f"({exc.__class__.__name__}). {URL_HINT}"
            ) from None
        with response:
            return self._read(response, path, what, tries)

    def _read(
        self, response: requests.Response, path: str, what: str, tries: str
    ) -> dict[str, Any]:
        status = response.status_code
        if status == 429:
            pause = retry_after(response.headers.get("Retry-After"))
            if pause is not None and pause >= MAX_RETRY_AFTER:
                raise TmdbError(
                    f"TMDB asks for a pause of {MAX_RETRY_AFTER:g} s or more before the next "
                    f"request (HTTP 429 for {path}). Try again later."
                )
            raise _Retry(
                f"TMDB is still limiting the request rate after {tries} (HTTP 429 for {path}). "
                "Lower the request rate or try again later.",
                pause=pause,
            )
        if status >= 500:
            raise _Retry(
                f"TMDB did not answer after {tries} (HTTP {status} for {path}). Try again later."
            )
        try:
            data = parse_json(response.content)
        except ValueError:
            data = None
        tmdb_code, tmdb_message = tmdb_status(data)
        tmdb_message = self._scrub(tmdb_message)
        if status == 401 or tmdb_code in AUTH_STATUS_CODES:
            detail = f": {tmdb_message}" if tmdb_message else ""
            raise TmdbAuthError(
                f"TMDB rejected the API key (HTTP {status}){detail}. {CREDENTIALS_HINT}"
            )
        if status == 404 or tmdb_code == NOT_FOUND_STATUS_CODE:
            raise TmdbNotFoundError(f"TMDB has no {what} (HTTP {status}).")
        if not 200 <= status < 300:
            detail = f": {tmdb_message}" if tmdb_message else ""
            raise TmdbError(f"TMDB refused {path} (HTTP {status}){detail}.")
        if not isinstance(data, dict):
            kind = content_type(response)
            raise _Retry(
                f"TMDB answered {path} with something that is not a JSON object "
                f"(HTTP {status}, {kind}) after {tries}. Check MOVIEMBED_TMDB_URL, "
                "or try again later."
            )
        return data

    def _backoff(self, attempt: int) -> float:
        return min(self.backoff * 2 ** (attempt - 1), MAX_BACKOFF)

    def _scrub(self, text: str) -> str:
        """Server-supplied text with our own secrets removed, should the server echo them."""
        for secret in self._secrets:
            text = text.replace(secret, "***")
        return redact(text)


def _plural(count: int, word: str) -> str:
    return f"{count} {word}" if count == 1 else f"{count} {word}s"
