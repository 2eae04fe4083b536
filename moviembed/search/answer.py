"""One entry for `query`, `similar` and `recommend` given as a command name and its options.

The CLI runs its three search commands through `answer` on the local `MovieIndex`, and a
running `moviembed serve` runs the very same call on its own (`/api/cli`), so both give the
same results. Options travel by the CLI's names, which become `MovieIndex`'s where they
differ; any other option goes to the method as it is, so a new option of a command needs
no change on the way.
"""

from __future__ import annotations

import inspect
from collections.abc import Mapping
from typing import Any

from moviembed.errors import UsageError
from moviembed.search.movie_index import MovieIndex
from moviembed.search.options import FILTER_NAMES
from moviembed.search.query import SearchHit

# The command names, and the `MovieIndex` method each runs.
COMMANDS = {"query": "search", "similar": "similar", "recommend": "recommend"}
RENAMED = {"genre": "genres", "exclude": "seen"}  # the CLI's option names -> the library's


def answer(command: str, options: Mapping[str, Any], index: MovieIndex) -> list[SearchHit]:
    """The results of `command` with `options` (the CLI's names and values, enums as values
    or members); UsageError for an unknown command or option."""
    if command not in COMMANDS:
        known = ", ".join(COMMANDS)
        raise UsageError(f"Unknown search command {command!r}; use one of {known}.")
    method = getattr(index, COMMANDS[command])
    arguments = {RENAMED.get(name, name): value for name, value in options.items()}
    taken = set(inspect.signature(method).parameters) | set(FILTER_NAMES)
    unknown = set(arguments) - taken
    if unknown:
        raise UsageError(f"Unknown option(s): {', '.join(sorted(unknown))}.")
    given = {name: value for name, value in arguments.items() if value is not None}
    return method(**given)
