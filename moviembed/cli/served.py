"""The search commands' two ways to an answer: a running `moviembed serve` on the same index
(a fraction of a second, no Chroma or model imported here) or the local index.

Both run `search.answer` with the same options on a `MovieIndex` (the service's own, or one
opened here), so the results are the same either way.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any

import typer

from moviembed.cli.support import notice

if TYPE_CHECKING:
    from moviembed.config import Settings
    from moviembed.search.movie_index import MovieIndex
    from moviembed.search.query import SearchHit

log = logging.getLogger(__name__)

# How to print, where to search, and the files the CLI reads itself (--seen into `exclude`;
# --ratings, which takes the local path).
NOT_FORWARDED = frozenset({"output", "as_json", "explain", "local", "seen", "ratings"})


def search_options(ctx: typer.Context, **extra: Any) -> dict[str, Any]:
    """The command's options by their CLI names (all but NOT_FORWARDED), plus `extra`."""
    options = {name: value for name, value in ctx.params.items() if name not in NOT_FORWARDED}
    return options | extra


def served_hits(
    settings: Settings, command: str, options: dict[str, Any], local: bool
) -> list[SearchHit] | None:
    """The results from a service on this index, or None: search here (`-v` says why)."""
    if local:
        log.info("Searching the local index (--local).")
        return None
    from moviembed.search.hits import results_from_wire
    from moviembed.serve.client import ask_service

    answer = ask_service(settings, command, options)
    try:
        return None if answer is None else results_from_wire(answer)
    except (KeyError, TypeError, AttributeError) as exc:  # a service of another version
        log.info("Searching the local index: the service's answer is unreadable (%s).", exc)
        return None


def local_index(settings: Settings, *, for_text: bool = False) -> MovieIndex:
    """The local index to search; `for_text` starts loading the query model now, while the
    store opens (similar and recommend need none)."""
    from moviembed.search.movie_index import MovieIndex

    index = MovieIndex(settings, on_notice=notice)
    return index.preload() if for_text else index
