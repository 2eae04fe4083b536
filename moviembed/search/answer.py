"""One entry for `query`, `similar` and `recommend` given as a command name and its options.

The CLI runs its three search commands through `answer` on the local index, and a running
`moviembed serve` runs the very same call for a CLI that asked it instead (`/api/cli`), so
both give the same results. Options travel by the CLI's names; the filter options become
one `Filters`, and any option not named here goes to the library function as it is, so a
new option of a command needs no change on the way.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from enum import Enum
from typing import Any, TypeVar

from moviembed.choices import DEFAULT_METHOD, DEFAULT_MODE, RankOrder, RecommendMethod, SearchMode
from moviembed.embedding.embedder import Embedder
from moviembed.errors import UsageError
from moviembed.index.keywords import KeywordIndex
from moviembed.index.reader import IndexReader
from moviembed.search.filters import Filters
from moviembed.search.query import SearchHit

_E = TypeVar("_E", bound=Enum)

COMMANDS = ("query", "similar", "recommend")
# The filter options, in the order `Filters.parse` takes them.
FILTERS = ("genre", "year", "director", "language", "min_rating", "min_votes", "runtime")


@dataclass(frozen=True)
class Searchable:
    """What the commands read: the store, its keyword index, and the query model, loaded
    on first use (similar and recommend need none)."""

    store: IndexReader
    keywords: KeywordIndex | None
    embedder: Callable[[], Embedder]


def answer(command: str, options: Mapping[str, Any], index: Searchable) -> list[SearchHit]:
    """The results of `command` with `options` (the CLI's names and values, enums as values
    or members); UsageError for an unknown command or option."""
    if command not in COMMANDS:
        raise UsageError(f"Unknown search command {command!r}; use one of {', '.join(COMMANDS)}.")
    rest = dict(options)
    genres, *others = (rest.pop(name, None) for name in FILTERS)
    filters = Filters.parse(genres or [], *others)
    return _RUNNERS[command](rest, filters, index)


def _call(function: Callable[..., Any], *args: Any, rest: dict[str, Any], **known: Any) -> Any:
    """`function(*args, **known, **rest)`; UsageError if `rest` names an option it does not
    take (or one set here), rather than a TypeError from inside."""
    unknown = (set(rest) - set(inspect.signature(function).parameters)) | (set(rest) & set(known))
    if unknown:
        raise UsageError(f"Unknown option(s): {', '.join(sorted(unknown))}.")
    return function(*args, **known, **rest)


def _choice(kind: type[_E], value: Any) -> _E:
    """`value` as a member of `kind`; UsageError naming the choices otherwise."""
    try:
        return kind(value)
    except ValueError:
        names = ", ".join(str(member.value) for member in kind)
        raise UsageError(f"{value!r} is not one of {names}.") from None


def _query(rest: dict[str, Any], filters: Filters, index: Searchable) -> list[SearchHit]:
    from moviembed.search.query import search

    text, limit = rest.pop("text"), rest.pop("limit")
    mode = _choice(SearchMode, rest.pop("mode", DEFAULT_MODE))
    order = _choice(RankOrder, rest.pop("rank", RankOrder.relevance))
    return _call(
        search,
        text,
        rest=rest,
        store=index.store,
        embedder=index.embedder(),
        limit=limit,
        filters=filters,
        mode=mode,
        keywords=index.keywords,
        order=order,
    )


def _similar(rest: dict[str, Any], filters: Filters, index: Searchable) -> list[SearchHit]:
    from moviembed.search.query import similar

    return _call(similar, rest.pop("movie"), rest=rest, store=index.store, filters=filters)


def _recommend(rest: dict[str, Any], filters: Filters, index: Searchable) -> list[SearchHit]:
    from moviembed.search.recommend import recommend, resolve_movies

    liked = resolve_movies(index.store, rest.pop("liked"))
    disliked = resolve_movies(index.store, rest.pop("disliked", None) or [])
    method = _choice(RecommendMethod, rest.pop("method", DEFAULT_METHOD))
    picks = _call(
        recommend,
        liked,
        rest=rest,
        store=index.store,
        disliked=disliked,
        method=method,
        filters=filters,
    )
    return list(picks)


_RUNNERS: dict[str, Callable[[dict[str, Any], Filters, Searchable], list[SearchHit]]] = {
    "query": _query,
    "similar": _similar,
    "recommend": _recommend,
}
