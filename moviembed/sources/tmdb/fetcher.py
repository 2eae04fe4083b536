"""Movies by TMDB id: from the response cache first, from TMDB second."""

from __future__ import annotations

import datetime as dt
import threading
from collections.abc import Container, Iterable, Iterator
from typing import TYPE_CHECKING

from moviembed.errors import TmdbError, TmdbNotFoundError
from moviembed.movie import Skipped, SourceItem, Unfetched, item_from_tmdb
from moviembed.sources.tmdb.cache import ResponseCache
from moviembed.sources.tmdb.parallel import ordered_map

if TYPE_CHECKING:
    from moviembed.sources.tmdb.client import TmdbClient


class TmdbFetcher:
    """Movies by id, from the response cache first and TMDB second.

    Ids already in the index but not in the cache are not fetched again
    (unless `refresh`); with `offline`, only the cache is used. `refresh` skips
    cached answers except those fetched since `fresh_since` (an interrupted sync's
    own, so resuming it does not ask again). A wrong base URL makes TMDB answer
    404 for everything, so a run of 404s before any success stops the build
    instead of skipping every movie. `fetched` counts the movies asked of TMDB;
    `connections` of them are in flight at once.
    """

    max_leading_not_found = 10

    def __init__(
        self,
        client: TmdbClient | None,
        cache: ResponseCache,
        *,
        indexed: Container[str] = frozenset(),
        refresh: bool = False,
        fresh_since: dt.datetime | None = None,
        offline: bool = False,
        connections: int = 1,
    ) -> None:
        self.client = client
        self.cache = cache
        self.indexed = indexed
        self.refresh = refresh
        self.fresh_since = fresh_since
        self.offline = offline
        self.connections = connections
        self.fetched = 0
        self._lock = threading.Lock()
        self._leading_not_found: int | None = 0  # None once TMDB has found a movie

    def movies(self, ids: Iterable[int]) -> Iterator[SourceItem]:
        """One item per id, in order."""
        return ordered_map(self._one, ids, self.connections)

    def _one(self, movie_id: int) -> SourceItem:
        if not self.refresh or self.fresh_since is not None:
            cached = self.cache.get(movie_id, self.fresh_since if self.refresh else None)
            if cached is not None:
                return item_from_tmdb(movie_id, cached)
        if not self.refresh and str(movie_id) in self.indexed:
            return Unfetched(str(movie_id))
        if self.offline or self.client is None:
            return Skipped(str(movie_id), "not in the TMDB cache (built with --offline)")
        with self._lock:
            self.fetched += 1
        try:
            raw = self.client.movie_raw(movie_id)
        except TmdbNotFoundError:
            with self._lock:
                self._count_not_found()
            return Skipped(str(movie_id), "TMDB has no movie with this id (404)")
        self._leading_not_found = None
        self.cache.put(movie_id, raw)
        return item_from_tmdb(movie_id, raw)

    def _count_not_found(self) -> None:
        if self._leading_not_found is None:
            return
        self._leading_not_found += 1
        if self._leading_not_found < self.max_leading_not_found:
            return
        assert self.client is not None
        self._leading_not_found = None  # asked once; from here on a 404 is just a 404
        try:
            self.client.configuration()
        except TmdbNotFoundError:
            raise TmdbError(
                f"TMDB found none of the first {self.max_leading_not_found} movies, and "
                f"{self.client.display_url} has no API configuration either: check "
                "MOVIEMBED_TMDB_URL (it ends in /3)."
            ) from None
