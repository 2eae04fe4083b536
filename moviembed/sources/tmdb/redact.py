"""Keeping TMDB credentials out of logs and messages.

The v3 key travels in the query string, so any URL may carry it: logs are
filtered, and URLs are shown without their query.
"""

from __future__ import annotations

import logging
import re
from urllib.parse import urlsplit, urlunsplit

_SECRET_PATTERNS = (
    re.compile(r"(api_key=)[^&\s'\"#]+", re.IGNORECASE),
    re.compile(r"(Bearer\s+)[A-Za-z0-9._~+/=-]+"),
)
# Filters on a logger only see records logged to that very logger, not those that
# propagate from its children, so each urllib3 module logger needs its own filter.
_URLLIB3_LOGGERS = (
    "urllib3",
    "urllib3.connectionpool",
    "urllib3.connection",
    "urllib3.poolmanager",
    "urllib3.response",
    "urllib3.util.retry",
    "requests",
)


def redact(text: str) -> str:
    """`text` with `api_key=...` query values and bearer tokens replaced by `***`."""
    for pattern in _SECRET_PATTERNS:
        text = pattern.sub(r"\g<1>***", text)
    return text


class RedactSecretsFilter(logging.Filter):
    """Rewrites log records so no `api_key=` value or bearer token reaches a handler.

    urllib3 logs every request URL (query string included) at DEBUG level.
    """

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # a broken record is the logging module's problem, not ours
            return True
        cleaned = redact(message)
        if cleaned != message:
            record.msg, record.args = cleaned, None
        return True


_REDACTOR = RedactSecretsFilter()


def install_log_redaction() -> None:
    """Add the redacting filter to the urllib3 and requests loggers (once each)."""
    names = set(_URLLIB3_LOGGERS) | {
        name for name in logging.root.manager.loggerDict if name.startswith("urllib3.")
    }
    for name in sorted(names):
        logger = logging.getLogger(name)
        if _REDACTOR not in logger.filters:
            logger.addFilter(_REDACTOR)


def display_url(url: str) -> str:
    """A URL fit for messages: no user info, query string or fragment."""
    parts = urlsplit(url)
    host = parts.hostname or ""
    if ":" in host:
        host = f"[{host}]"
    try:
        port = parts.port
    except ValueError:
        port = None
    netloc = f"{host}:{port}" if port else host
    return urlunsplit((parts.scheme, netloc, parts.path, "", ""))
