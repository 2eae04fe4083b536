"""Reading TMDB's answers: why a connection failed, how long to wait, what an error says.

Kept apart from the client so the request loop reads as a loop; nothing here sends
a request or sees a credential.
"""

from __future__ import annotations

import math
import re
import time
from email.utils import parsedate_to_datetime
from typing import Any

import requests

from moviembed.errors import TmdbError
from moviembed.movie import is_tmdb_id

MAX_RETRY_AFTER = 60.0  # seconds; a longer Retry-After would look like a hang


def connection_reason(exc: requests.ConnectionError) -> str:
    """A few words for why the connection failed, without the URL requests puts in `str`."""
    pending: list[BaseException] = [exc]
    seen: set[int] = set()
    while pending:
        error = pending.pop()
        if id(error) in seen:
            continue
        seen.add(id(error))
        if isinstance(error, ConnectionRefusedError):
            return "connection refused"
        if isinstance(error, ConnectionResetError):
            return "connection reset"
        name = error.__class__.__name__
        if name == "NameResolutionError":
            return "host name not found"
        if name in ("SSLError", "SSLCertVerificationError"):
            return "TLS/SSL error"
        if name in ("ProtocolError", "RemoteDisconnected"):
            return "the connection closed before an answer"
        linked = (*error.args, getattr(error, "reason", None), error.__cause__, error.__context__)
        pending.extend(item for item in linked if isinstance(item, BaseException))
    return "connection failed"


def retry_after(value: str | None) -> float | None:
    """Seconds to wait from a Retry-After header (seconds or HTTP date), capped."""
    if not value:
        return None
    try:
        seconds = float(value)
    except ValueError:
        try:
            when = parsedate_to_datetime(value)
        except (TypeError, ValueError):
            return None
        if when is None:
            return None
        seconds = when.timestamp() - time.time()
    if not math.isfinite(seconds):
        return None
    return min(max(seconds, 0.0), MAX_RETRY_AFTER)


def tmdb_status(data: Any) -> tuple[int | None, str]:
    """TMDB's `status_code` and one-line `status_message` from an error body, if any."""
    if not isinstance(data, dict):
        return None, ""
    code = data.get("status_code")
    message = data.get("status_message")
    text = " ".join(str(message).split())[:200].rstrip(".") if message else ""
    return (code if isinstance(code, int) and not isinstance(code, bool) else None), text


def content_type(response: requests.Response) -> str:
    kind = response.headers.get("Content-Type", "").split(";")[0].strip()
    return kind[:60] if re.fullmatch(r"[\w.+-]+/[\w.+-]+", kind) else "unknown content type"


def page_contents(data: dict[str, Any], page: int, where: str) -> tuple[list[int], int]:
    """The movie ids on a page of a paged TMDB answer and its `total_pages`; TmdbError when
    the page is not what TMDB sends (results, its own number, its page count, every id)."""
    results, total = data.get("results"), data.get("total_pages")
    problem = ""
    if not isinstance(results, list):
        problem = "it has no list of results"
    elif not _whole(data.get("page")) or data["page"] != page:
        problem = f"it says it is page {str(data.get('page'))[:20]}"
    elif not _whole(total) or total < 0:
        problem = f"its page count is {str(total)[:20]}"
    else:
        bad = [
            item for item in results if not (isinstance(item, dict) and is_tmdb_id(item.get("id")))
        ]
        if bad:
            shown = str(bad[0].get("id") if isinstance(bad[0], dict) else bad[0])[:20]
            problem = f"{len(bad)} of its results have no TMDB id, e.g. {shown}"
    if problem:
        raise TmdbError(
            f"TMDB's {where} is malformed: {problem}. Check MOVIEMBED_TMDB_URL, or try again later."
        )
    return [item["id"] for item in results], total


def check_page_count(total_pages: int, most: int, what: str) -> None:
    """TmdbError when a paged answer claims more than `most` pages, more than TMDB serves:
    a broken or hostile feed, not thousands of requests to make."""
    if total_pages > most:
        raise TmdbError(
            f"TMDB says {what} fill {total_pages:,} pages, more than the {most:,} it serves "
            "(500 a day); nothing was recorded. Check MOVIEMBED_TMDB_URL, or try again later."
        )


def _whole(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)
