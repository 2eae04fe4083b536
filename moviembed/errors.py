"""Exceptions the library raises, each carrying the exit code the CLI should use.

| code | meaning                                                          |
|------|------------------------------------------------------------------|
| 0    | success                                                          |
| 1    | an outside failure: TMDB down, store unreadable, movie not found |
| 2    | usage or configuration: bad option, missing key, wrong model     |
| 130  | interrupted with Ctrl-C                                          |
| 141  | stdout closed early (piped into `head`): 128 + SIGPIPE, like cat   |
"""

from __future__ import annotations

import re
from collections.abc import Callable
from enum import IntEnum

MAX_QUOTED = 80  # characters of a bad value a message repeats
_LONG = f"{{{MAX_QUOTED + 1},}}"
_QUOTED = re.compile(f"'[^'\\n]{_LONG}'|\"[^\"\\n]{_LONG}\"")
_UNBROKEN = re.compile(r"\S{201,}")  # no path or word in a message is this long


class ExitCode(IntEnum):
    """Process exit codes, shared by the CLI and the README."""

    OK = 0
    FAILURE = 1
    USAGE = 2
    INTERRUPTED = 130
    BROKEN_PIPE = 141


class MoviembedError(Exception):
    """Base class: the message is shown to the user as one line, so say what to do.

    An error about one argument names it as `field` (the library's name, `min_rating`) and
    writes `{field}` where the message names it, so that each face can say it in its own
    words: `--min-rating` on the command line, `min_rating` in the API and the library.
    """

    exit_code: ExitCode = ExitCode.FAILURE

    def __init__(self, message: str = "", *, field: str | None = None) -> None:
        self.field = field
        self.template = message
        super().__init__(self.worded(str))

    def worded(self, name: Callable[[str], str]) -> str:
        """The message with its field written as `name(field)` says it."""
        if self.field is None:
            return self.template
        return self.template.replace("{field}", name(self.field))


class ConfigError(MoviembedError):
    """A setting is missing or invalid."""

    exit_code = ExitCode.USAGE


class UsageError(MoviembedError):
    """An argument has a value the command cannot use."""

    exit_code = ExitCode.USAGE


class InputError(MoviembedError):
    """Input the user gave cannot be read or is invalid: a catalog, an ids file, an export."""

    exit_code = ExitCode.USAGE


class StoreError(MoviembedError):
    """ChromaDB failed or the index cannot be opened."""


class ModelMismatchError(StoreError):
    """The index was built with another embedding model or dimension."""

    exit_code = ExitCode.USAGE


class LockedError(StoreError):
    """Another process is writing to the index and we were asked not to wait."""


class NotFoundError(MoviembedError):
    """A movie id or title is not in the index."""


class EmbedderError(MoviembedError):
    """The embedding model cannot be loaded or run."""


class TmdbError(MoviembedError):
    """TMDB could not be reached or answered with an error."""


class TmdbAuthError(TmdbError):
    """TMDB rejected the API key or token: nothing else will work, so the build stops."""

    exit_code = ExitCode.USAGE


class TmdbNotFoundError(TmdbError):
    """TMDB has no movie with this id (HTTP 404, status_code 34); the build skips it."""


def first_line(exc: BaseException) -> str:
    """The first line of an exception's message, for one-line error reports."""
    text = str(exc).strip()
    return text.splitlines()[0] if text else exc.__class__.__name__


def clip_values(message: str) -> str:
    """`message` with every quoted value longer than `MAX_QUOTED` characters, and any run of
    200 characters without a space, cut: the one place every message a user sees passes
    (the CLI's stderr lines, the service's JSON errors), whoever wrote the message."""

    def cut(match: re.Match[str]) -> str:
        text = match.group()
        if text[0] in "'\"":
            return f"{text[:MAX_QUOTED]}…{text[0]} ({len(text) - 2:,} characters)"
        body = text.rstrip(".,:;)")  # the sentence goes on after the value
        return f"{body[:MAX_QUOTED]}… ({len(body):,} characters){text[len(body) :]}"

    return _UNBROKEN.sub(cut, _QUOTED.sub(cut, message))
