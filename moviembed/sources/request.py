"""What a build was asked to index, and the registry of the kinds of source it can name.

Each kind of source is a `SourceKind` subclass (in `sources.kinds`), registered under the
`SourceRequest` field that asks for it. It declares which other fields (modifiers) it
takes, whether it needs TMDB, and how it opens; the checks here are generic, so a
new source is one class and one field, not a new branch. Errors name the field that was
wrong (`field=`), and each face says it its own way (`--tmdb-list`, `tmdb_list`).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar

from moviembed.config import Settings
from moviembed.errors import UsageError
from moviembed.movie import SourceItem

if TYPE_CHECKING:
    from moviembed.sources.tmdb.fetcher import TmdbFetcher

Indexed = Callable[[list[str]], set[str]]  # which of these ids the index holds
DEFAULT_SOURCE = "catalog"  # the kind a request that names none opens


@dataclass
class Source:
    """Movies to index, how many to expect, notes about the input, and what was chosen."""

    items: Iterable[SourceItem]
    total: int | None
    notes: list[str] = field(default_factory=list)
    summary: str | None = None  # how a source narrowed what it listed, for the user
    listed: int | None = None  # ids a change feed named, before keeping the indexed ones
    fetcher: TmdbFetcher | None = None  # counts the movies asked of TMDB


@dataclass(frozen=True)
class SyncWindow:
    """The days whose changes a sync asks for, and since when cached answers are fresh."""

    start: dt.date
    end: dt.date
    fresh_since: dt.datetime | None = None  # an interrupted sync's start: its answers count


@dataclass(frozen=True)
class SourceRequest:
    """What a build was asked to index: at most one source field set, and its modifiers."""

    catalog: Path | None = None
    ids_file: Path | None = None
    movie_ids: Sequence[int] = ()
    tmdb_list: str | None = None
    changes: bool = False
    tmdb_csv: Path | None = None
    limit: int | None = None  # a TMDB list: DEFAULT_LIST_LIMIT; an ids file: every id
    min_popularity: float | None = None
    include_adult: bool = False
    since: dt.date | None = None
    credits_csv: Path | None = None
    refresh: bool = False
    offline: bool = False

    def given(self) -> list[str]:
        """The fields that were given a value, in declaration order."""
        return [item.name for item in fields(self) if _is_given(getattr(self, item.name))]

    def check(self) -> type[SourceKind]:
        """The kind of source asked for; UsageError naming the field that does not fit."""
        sources = registered()
        given = self.given()
        chosen = [name for name in given if name in sources]
        if len(chosen) > 1:
            raise UsageError("Give one source at a time: {field} is a second one.", field=chosen[1])
        kind = sources[chosen[0] if chosen else DEFAULT_SOURCE]
        if self.refresh and self.offline:
            raise UsageError(
                "{field} and offline mode contradict each other; choose one.",
                field="refresh",
            )
        if self.offline and kind.online:
            raise UsageError(
                f"{{field}} cannot go with {kind.described}: it needs TMDB.", field="offline"
            )
        for name in given:
            if name not in sources and name not in kind.modifiers:
                takers = [other.described for other in sources.values() if name in other.modifiers]
                raise UsageError(
                    f"{{field}} goes with {_either(takers)}, not with {kind.described}.",
                    field=name,
                )
        return kind


def _either(names: list[str]) -> str:
    """`a`, `a or b`, `a, b or c`."""
    return " or ".join(filter(None, (", ".join(names[:-1]), names[-1])))


def _is_given(value: Any) -> bool:
    """True for a field set to something: a value (0 too), a non-empty list, a True flag."""
    if isinstance(value, (bool, list, tuple)):
        return bool(value)
    return value is not None


class SourceKind:
    """One kind of source, registered under the `SourceRequest` field that asks for it.

    `modifiers` are the other fields it takes; `online` says it needs TMDB itself, so
    offline mode cannot run it. `open` returns the movies, lazily.
    """

    option: ClassVar[str]
    described: ClassVar[str]  # how messages name it: "a TMDB list"
    modifiers: ClassVar[frozenset[str]] = frozenset()
    online: ClassVar[bool] = False

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        if "option" in cls.__dict__:
            _SOURCES[cls.option] = cls

    @classmethod
    def open(
        cls, request: SourceRequest, settings: Settings, indexed: Indexed, sync: SyncWindow | None
    ) -> Source:
        raise NotImplementedError


_SOURCES: dict[str, type[SourceKind]] = {}


def registered() -> dict[str, type[SourceKind]]:
    """The sources by the field that asks for each, in the order they are declared."""
    import moviembed.sources.kinds  # noqa: F401 - its classes register themselves

    return _SOURCES


def open_source(
    request: SourceRequest,
    settings: Settings,
    indexed: Indexed = lambda ids: set(),
    sync: SyncWindow | None = None,
) -> Source:
    """Check the request's fields fit together and open the source they name.

    `indexed` tells which of some ids the index already holds (`EmbeddingStore.existing_ids`):
    those are not fetched from TMDB again unless the request says `refresh`. A `changes`
    request needs the `sync` window, which the index's record of the last sync decides.
    """
    return request.check().open(request, settings, indexed, sync)
