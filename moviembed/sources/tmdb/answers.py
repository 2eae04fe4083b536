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
