"""The kinds of source a build can index, each registered under its `SourceRequest` field.

A catalog file, the TMDB 5000 CSVs, and TMDB by ids file, by single ids, by list or by
change feed. To add one, write a `SourceKind` subclass here and add its field to
`SourceRequest` (and its option to `moviembed build`): the checks are generic.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any, ClassVar

from moviembed.config import Settings
from moviembed.errors import ConfigError
from moviembed.movie import Skipped, SourceItem, item_from_tmdb
from moviembed.sources.catalog import load_catalog
from moviembed.sources.dataset import count_rows, iter_api_records
from moviembed.sources.idexport import IdSelection
from moviembed.sources.idfiles import IdList, normalize_ids, read_id_file
from moviembed.sources.request import Indexed, Source, SourceKind, SourceRequest, SyncWindow
from moviembed.sources.tmdb.cache import ResponseCache
from moviembed.sources.tmdb.client import TmdbClient
from moviembed.sources.tmdb.fetcher import TmdbFetcher

DEFAULT_LIST_LIMIT = 100  # ids taken from a TMDB list when no limit is given
_TMDB = frozenset({"refresh", "offline"})


class CatalogSource(SourceKind):
    """The bundled catalog, or a catalog file in the same shape."""

    option = "catalog"
    described = "a catalog"

    @classmethod
    def open(
        cls, request: SourceRequest, settings: Settings, indexed: Indexed, sync: SyncWindow | None
    ) -> Source:
        movies = load_catalog(request.catalog)
        return Source(movies, len(movies))


class TmdbSource(SourceKind):
    """Movies fetched from TMDB by id, from the response cache first."""

    modifiers: ClassVar[frozenset[str]] = _TMDB

    @classmethod
    def ids(cls, request: SourceRequest, client: TmdbClient | None) -> IdList:
        """The ids to fetch; read before credentials are checked, for those that can be."""
        raise NotImplementedError

    @classmethod
    def open(
        cls, request: SourceRequest, settings: Settings, indexed: Indexed, sync: SyncWindow | None
    ) -> Source:
        ids = None if cls.online else cls.ids(request, None)  # a bad file is reported first
        client = _client(request, settings, cls.online)
        if ids is None:
            ids = cls.ids(request, client)
        known = set() if request.refresh else indexed([str(i) for i in ids.ids])
        fetcher = _fetcher(
            settings, client, indexed=known, refresh=request.refresh, offline=request.offline
        )
        movies = fetcher.movies(ids.ids)
        return Source(movies, len(ids.ids), list(ids.problems), ids.summary, fetcher=fetcher)


class IdsFileSource(TmdbSource):
    """TMDB ids from a file: a plain list, or TMDB's daily id export (which can select)."""

    option = "ids_file"
    described = "an ids file"
    modifiers = _TMDB | {"limit", "min_popularity", "include_adult"}

    @classmethod
    def ids(cls, request: SourceRequest, client: TmdbClient | None) -> IdList:
        assert request.ids_file is not None
        selection = IdSelection(request.min_popularity, request.include_adult, request.limit)
        return read_id_file(request.ids_file, selection)


class MovieIdsSource(TmdbSource):
    """TMDB ids given one by one."""

    option = "movie_ids"
    described = "ids given one by one"

    @classmethod
    def ids(cls, request: SourceRequest, client: TmdbClient | None) -> IdList:
        return normalize_ids((f"id {value}", value) for value in request.movie_ids)


class TmdbListSource(TmdbSource):
    """The first ids of one of TMDB's lists (popular, top rated, ...)."""

    option = "tmdb_list"
    described = "a TMDB list"
    modifiers = _TMDB | {"limit"}
    online = True

    @classmethod
    def ids(cls, request: SourceRequest, client: TmdbClient | None) -> IdList:
        assert client is not None and request.tmdb_list is not None
        return IdList(list(client.list_ids(request.tmdb_list, request.limit or DEFAULT_LIST_LIMIT)))


class ChangesSource(SourceKind):
    """The indexed movies among those TMDB lists as changed in the sync window.

    A sync refreshes the catalog, it does not grow it: movies not in the index are left out.
    """

    option = "changes"
    described = "a sync of TMDB's changes"
    modifiers = _TMDB | {"since"}
    online = True

    @classmethod
    def open(
        cls, request: SourceRequest, settings: Settings, indexed: Indexed, sync: SyncWindow | None
    ) -> Source:
        assert sync is not None, "a sync needs its window (index.sync.begin_sync)"
        client = _client(request, settings, online=True)
        assert client is not None
        listed = [str(movie_id) for movie_id in client.changed_ids(sync.start, sync.end)]
        kept = sorted(indexed(listed), key=int)
        summary = (
            f"TMDB lists {len(listed):,} movies changed from {sync.start} to {sync.end}; "
            f"{len(kept):,} of them are in the index."
        )
        fetcher = _fetcher(settings, client, refresh=True, fresh_since=sync.fresh_since)
        movies = fetcher.movies(int(movie_id) for movie_id in kept)
        return Source(movies, len(kept), summary=summary, listed=len(listed), fetcher=fetcher)


class DatasetSource(SourceKind):
    """The TMDB 5000 dataset (plain or gzipped CSVs); malformed rows become `Skipped`."""

    option = "tmdb_csv"
    described = "the TMDB 5000 CSVs"
    modifiers = frozenset({"credits_csv"})

    @classmethod
    def open(
        cls, request: SourceRequest, settings: Settings, indexed: Indexed, sync: SyncWindow | None
    ) -> Source:
        assert request.tmdb_csv is not None
        movies_csv, credits_csv = request.tmdb_csv, request.credits_csv

        def items() -> Iterator[SourceItem]:
            for record in iter_api_records(movies_csv, credits_csv):
                yield (
                    record if isinstance(record, Skipped) else item_from_tmdb(record["id"], record)
                )

        notes = [] if credits_csv else ["no --credits file: directors and cast will be missing"]
        return Source(items(), count_rows(movies_csv), notes)


def _client(request: SourceRequest, settings: Settings, online: bool) -> TmdbClient | None:
    """A TMDB client, None offline; ConfigError saying how to add credentials."""
    if request.offline:
        return None
    if not settings.has_tmdb_credentials:
        offline = "" if online else ", or add {field} to use only cached responses"
        raise ConfigError(
            "TMDB needs credentials: set TMDB_READ_ACCESS_TOKEN or TMDB_API_KEY in .env "
            f"(see .env.example){offline}.",
            field=None if online else "offline",
        )
    return TmdbClient.from_settings(settings)


def _fetcher(settings: Settings, client: TmdbClient | None, **options: Any) -> TmdbFetcher:
    """A fetcher over the response cache for the settings' language."""
    cache = ResponseCache.under(settings.cache_dir, "tmdb", settings.tmdb_language)
    return TmdbFetcher(client, cache, connections=settings.tmdb_connections, **options)
