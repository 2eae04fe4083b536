"""Where a build's movies come from: a catalog file, TMDB by id, list, id export or change
feed, or the TMDB 5000 CSVs.

Each source is a `Source`: the movies (lazily), how many to expect for the
progress bar, and notes about the input (bad or repeated ids) for the user.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from moviembed.config import Settings
from moviembed.errors import UsageError
from moviembed.movie import Skipped, SourceItem, item_from_tmdb
from moviembed.sources.catalog import load_catalog
from moviembed.sources.dataset import count_rows, iter_api_records
from moviembed.sources.idexport import IdSelection
from moviembed.sources.idfiles import IdList, normalize_ids, read_id_file

if TYPE_CHECKING:
    from moviembed.sources.tmdb.client import TmdbClient
    from moviembed.sources.tmdb.fetcher import TmdbFetcher

TMDB_SOURCES = ("--ids", "--id", "--tmdb-list", "--changes")
Indexed = Callable[[list[str]], set[str]]  # which of these ids the index holds


@dataclass
class Source:
    """Movies to index, how many to expect, notes about the input, and what was chosen."""

    items: Iterable[SourceItem]
    total: int | None
    notes: list[str] = field(default_factory=list)
    summary: str | None = None  # how a source narrowed what it listed, for the user
    listed: int | None = None  # ids a change feed named, before keeping the indexed ones
    fetcher: TmdbFetcher | None = None  # counts the movies asked of TMDB


def catalog_source(path: Path | None = None) -> Source:
    """The bundled catalog, or a catalog file in the same shape."""
    movies = load_catalog(path)
    return Source(movies, len(movies))


def dataset_source(movies_csv: Path, credits_csv: Path | None) -> Source:
    """The TMDB 5000 dataset (plain or gzipped CSVs); malformed rows become `Skipped`."""
    total = count_rows(movies_csv)

    def items() -> Iterator[SourceItem]:
        for record in iter_api_records(movies_csv, credits_csv):
            yield record if isinstance(record, Skipped) else item_from_tmdb(record["id"], record)

    notes = [] if credits_csv else ["no --credits file: directors and cast will be missing"]
    return Source(items(), total, notes)


def ids_source(ids: IdList, fetcher: TmdbFetcher) -> Source:
    """Movies for a list of ids (from `--id`, an ids file or a TMDB list)."""
    return Source(
        fetcher.movies(ids.ids), len(ids.ids), list(ids.problems), ids.summary, fetcher=fetcher
    )


@dataclass(frozen=True)
class SyncWindow:
    """The days whose changes a sync asks for, and since when cached answers are fresh."""

    start: dt.date
    end: dt.date
    fresh_since: dt.datetime | None = None  # an interrupted sync's start: its answers count


def changes_source(
    client: TmdbClient, fetcher: TmdbFetcher, window: SyncWindow, indexed: Indexed
) -> Source:
    """The indexed movies among those TMDB lists as changed in the window.

    A sync refreshes the catalog, it does not grow it: movies not in the index are left out.
    """
    listed = [str(movie_id) for movie_id in client.changed_ids(window.start, window.end)]
    kept = sorted(indexed(listed), key=int)
    summary = (
        f"TMDB lists {len(listed):,} movies changed from {window.start} to {window.end}; "
        f"{len(kept):,} of them are in the index."
    )
    movies = fetcher.movies(int(movie_id) for movie_id in kept)
    return Source(movies, len(kept), summary=summary, listed=len(listed), fetcher=fetcher)


DEFAULT_LIST_LIMIT = 100  # ids taken from a TMDB list when --limit is not given


@dataclass(frozen=True)
class SourceRequest:
    """What a build was asked to index; at most one kind of source may be set."""

    catalog: Path | None = None
    ids_file: Path | None = None
    movie_ids: Sequence[int] = ()
    tmdb_list: str | None = None
    limit: int | None = None  # --tmdb-list: DEFAULT_LIST_LIMIT; --ids: every id that passes
    min_popularity: float | None = None
    include_adult: bool = False
    changes: bool = False
    since: dt.date | None = None
    tmdb_csv: Path | None = None
    credits_csv: Path | None = None
    refresh: bool = False
    offline: bool = False

    def kinds(self) -> list[str]:
        """The source options that were given, named as the CLI spells them."""
        given = {
            "--catalog": self.catalog,
            "--ids": self.ids_file,
            "--id": self.movie_ids,
            "--tmdb-list": self.tmdb_list,
            "--changes": self.changes,
            "--tmdb-csv": self.tmdb_csv,
        }
        return [name for name, value in given.items() if value]

    def check(self) -> str:
        """The kind of source asked for; UsageError when the options do not fit together."""
        kinds = self.kinds()
        kind = kinds[0] if kinds else "--catalog"
        _check_combination(self, kinds, kind)
        return kind


def open_source(
    request: SourceRequest,
    settings: Settings,
    indexed: Indexed = lambda ids: set(),
    sync: SyncWindow | None = None,
) -> Source:
    """Check the request's options fit together and open the source they name.

    `indexed` tells which of some ids the index already holds (`EmbeddingStore.existing_ids`):
    those are not fetched from TMDB again unless the request says `refresh`. A `--changes`
    request needs the `sync` window, which the index's record of the last sync decides.
    """
    kind = request.check()
    if kind == "--catalog":
        return catalog_source(request.catalog)
    if kind == "--tmdb-csv":
        assert request.tmdb_csv is not None
        return dataset_source(request.tmdb_csv, request.credits_csv)
    # Ids are read before credentials are checked: a bad file is the first thing to report.
    if request.ids_file:
        selection = IdSelection(request.min_popularity, request.include_adult, request.limit)
        ids = read_id_file(request.ids_file, selection)
    elif request.movie_ids:
        ids = normalize_ids((f"--id {value}", value) for value in request.movie_ids)
    from moviembed.sources.tmdb.cache import ResponseCache
    from moviembed.sources.tmdb.fetcher import TmdbFetcher, tmdb_client

    client = None if request.offline else tmdb_client(settings)
    cache = ResponseCache.under(settings.cache_dir, "tmdb", settings.tmdb_language)
    if request.changes:
        assert client is not None and sync is not None
        fetcher = TmdbFetcher(
            client,
            cache,
            refresh=True,
            fresh_since=sync.fresh_since,
            connections=settings.tmdb_connections,
        )
        return changes_source(client, fetcher, sync, indexed)
    if request.tmdb_list:
        assert client is not None
        ids = IdList(list(client.list_ids(request.tmdb_list, request.limit or DEFAULT_LIST_LIMIT)))
    known = set() if request.refresh else indexed([str(i) for i in ids.ids])
    fetcher = TmdbFetcher(
        client,
        cache,
        indexed=known,
        refresh=request.refresh,
        offline=request.offline,
        connections=settings.tmdb_connections,
    )
    return ids_source(ids, fetcher)


def _check_combination(request: SourceRequest, kinds: list[str], kind: str) -> None:
    if len(kinds) > 1:
        raise UsageError(f"Give one source at a time, not {' and '.join(kinds)}.")
    if request.credits_csv and kind != "--tmdb-csv":
        raise UsageError("--credits goes with --tmdb-csv.")
    if request.limit is not None and kind not in ("--ids", "--tmdb-list"):
        raise UsageError("--limit goes with --ids or --tmdb-list.")
    if (request.min_popularity is not None or request.include_adult) and kind != "--ids":
        raise UsageError("--min-popularity and --include-adult go with --ids (TMDB's id export).")
    if request.since and not request.changes:
        raise UsageError("--since goes with --changes.")
    if request.refresh and request.offline:
        raise UsageError("--refresh and --offline contradict each other; choose one.")
    if (request.refresh or request.offline) and kind not in TMDB_SOURCES:
        raise UsageError(
            "--refresh and --offline apply to TMDB sources (--ids, --id, --tmdb-list, --changes)."
        )
    if request.offline and kind in ("--tmdb-list", "--changes"):
        raise UsageError(f"{kind} needs TMDB; it cannot run with --offline.")
