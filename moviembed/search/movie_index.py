"""`MovieIndex`: the one object a program opens to search, recommend from and build an index.

It owns what the CLI, the service and the MCP server each used to assemble: the store, the
query model (the fast ONNX export, saved when missing), the keyword index, and reopening
after another process wrote. Opening reads nothing, so `MovieIndex.open().count()` never
imports torch or onnxruntime. Movies are named as people name them (search/names.py).
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Collection, Iterable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

from moviembed.choices import DEFAULT_METHOD, DEFAULT_MODE, RankOrder, SearchMode
from moviembed.config import Settings
from moviembed.embedding.embedder import Embedder, canonical_model_name
from moviembed.errors import UsageError
from moviembed.index.reader import IndexReader
from moviembed.index.records import IndexInfo, StoredMovie
from moviembed.search.filters import Filters
from moviembed.search.locking import ReadersWriterLock
from moviembed.search.names import MovieName, resolve_movie, resolve_movies
from moviembed.search.options import choice, filters_from

if TYPE_CHECKING:
    from moviembed.index.keywords import KeywordIndex
    from moviembed.index.pipeline import BuildOutcome
    from moviembed.search.hits import Recommendation
    from moviembed.search.query import SearchHit, SearchResults
    from moviembed.search.taste import Taste
    from moviembed.sources.ratings import RatedFilm
    from moviembed.sources.request import SourceRequest

log = logging.getLogger(__name__)

Notice = Callable[[str], None]
# One thread per query in a server: requests run side by side, and a single short query gains
# little from a second thread, whose spin-waiting costs the other requests CPU (measured:
# 12.6 ms of CPU per query embedding on one thread, 35 ms on two, on a busy 2-core machine).
SERVER_THREADS = 1


class MovieIndex:
    """A movie index to search: `search`, `similar`, `recommend`, `movie`, `context`, `count`,
    `build`. Safe to share between threads; `serving=True` suits a long-running server
    (cached reads, one ONNX thread per query, keywords refreshed only by `reopen`)."""

    def __init__(
        self, settings: Settings, *, serving: bool = False, on_notice: Notice | None = None
    ) -> None:
        self.settings = settings
        self.serving = serving
        self.generation: str | None = None  # the write stamp when (re)opened, for `serving`
        self._notice = on_notice or log.warning
        self._store: IndexReader | None = None
        self._keywords: KeywordIndex | None = None
        self._embedder: Embedder | None = None
        self._loading: Callable[[str], Embedder] | None = None  # `preload`'s pending load
        self._lock = ReadersWriterLock()
        self._making = threading.RLock()  # each part is made once, by one thread

    @classmethod
    def open(
        cls,
        path: str | Path | None = None,
        *,
        chroma_url: str | None = None,
        cache_dir: str | Path | None = None,
        model: str | None = None,
        settings: Settings | None = None,
        **options: Any,
    ) -> MovieIndex:
        """The index at `path`, on the Chroma server at `chroma_url`, or else the default one.

        Arguments win over the environment, then `.env`, then the defaults, as the CLI's
        flags do (`Settings.load`); `settings` instead gives every setting at once.
        `options` are `MovieIndex`'s own (`serving`, `on_notice`). Nothing is read yet.
        """
        if settings is None:
            if path is not None and chroma_url is None:
                chroma_url = ""  # a folder given outright wins over a server in the environment
            given = {"db_path": path, "chroma_url": chroma_url, "cache_dir": cache_dir}
            settings = Settings.load(**given, model=model)
        elif any(value is not None for value in (path, chroma_url, cache_dir, model)):
            raise UsageError("Give either settings or path, chroma_url, cache_dir and model.")
        return cls(settings, **options)

    # -- the parts -------------------------------------------------------------------

    @property
    def store(self) -> IndexReader:
        """The vectors, documents and metadata (Chroma); opened on first use."""
        with self._making:
            if self._store is None:
                from moviembed.index.cached import CachingReader
                from moviembed.index.store import EmbeddingStore

                kind = CachingReader if self.serving else EmbeddingStore
                self._store = kind.from_settings(self.settings)
            return self._store

    @property
    def model(self) -> str:
        """The embedding model the index was built with."""
        return canonical_model_name(self.store.model_name())

    @property
    def keywords(self) -> KeywordIndex:
        """The BM25 index of the documents (hybrid search), kept in the cache folder."""
        with self._making:
            if self._keywords is None:
                from moviembed.index.keywords import KeywordIndex

                cache = self.settings.cache_dir
                self._keywords = KeywordIndex.for_store(self.store, cache, pinned=self.serving)
            return self._keywords

    @property
    def embedder(self) -> Embedder:
        """The query model, loaded on first use: the fast ONNX export (saved first if this
        cache has none, ~10 s once per model), else sentence-transformers with a notice saying
        why. After `preload`, the export is not waited for: `needs_fast_query_model` tells."""
        if self._embedder is not None:  # loaded: no lock to take on every query
            return self._embedder
        with self._making:
            if self._embedder is None:
                from moviembed.embedding import backends

                if self._loading is not None:
                    self._embedder = self._loading(self.store.model_name())
                else:
                    if self.needs_fast_query_model() and (problem := self.save_fast_query_model()):
                        self._notice(problem)
                    threads = SERVER_THREADS if self.serving else None
                    cache, notice = self.settings.cache_dir, self._notice
                    self._embedder = backends.query_embedder(
                        self.model, cache, on_notice=notice, threads=threads
                    )
            return self._embedder

    def preload(self) -> MovieIndex:
        """Start loading the query model in the background (a text search is coming), so it
        loads while the store opens."""
        if self._embedder is None and self._loading is None:
            from moviembed.embedding import backends

            settings = self.settings
            self._loading = backends.start_query_embedder(
                settings.model, settings.cache_dir, on_notice=self._notice
            )
        return self

    def needs_fast_query_model(self) -> bool:
        """True when queries would not run on the fast ONNX export: the loaded query model is
        not it (the export is damaged), or, before one is loaded, none is saved."""
        from moviembed.embedding import backends

        return backends.wants_query_model(self.model, self.settings.cache_dir, self._embedder)

    def save_fast_query_model(self) -> str | None:
        """Export the fast query model (~10 s, once per model and cache) for the query models
        loaded from now on; returns why queries stay slow when that fails."""
        from moviembed.embedding import backends

        return backends.prepare_query_model(self.model, self.settings.cache_dir)

    def load(self) -> MovieIndex:
        """Everything now, for a server: the store, the query model and the keyword index
        brought up to date."""
        self.generation = self.store.generation()
        self._embedder = self.embedder  # loaded now, not by the first request
        self.refresh_keywords()
        return self

    # -- reading ---------------------------------------------------------------------

    @contextmanager
    def reading(self) -> Iterator[MovieIndex]:
        """This index, which no `reopen` changes until the block ends (methods take it too)."""
        with self._lock.reading():
            yield self

    def count(self) -> int:
        """How many movies are stored (0 when there is no index yet); loads no model."""
        with self.reading():
            return self.store.count()

    def info(self) -> IndexInfo:
        """Where the index is, its model and size (what `moviembed inspect` shows)."""
        with self.reading():
            return self.store.info()

    def resolve(self, movie: MovieName, field: str = "movie") -> int:
        """The TMDB id of a movie named by TMDB id or title (optionally with its year)."""
        with self.reading():
            return int(resolve_movie(self.store, movie, field))

    def movie(self, movie: MovieName, *, include_embedding: bool = False) -> StoredMovie:
        """One stored movie by id or title: `id`, `document`, `metadata` (and `embedding`)."""
        with self.reading():
            movie_id = resolve_movie(self.store, movie)
            return self.store.get_one(movie_id, include_embeddings=include_embedding)

    def search(
        self,
        text: str,
        limit: int = 10,
        *,
        mode: SearchMode | str = DEFAULT_MODE,
        rank: RankOrder | str = RankOrder.relevance,
        literal: bool = False,
        ignore: Collection[str] = (),
        filters: Filters | None = None,
        **filter_values: Any,
    ) -> SearchResults:
        """The movies closest to `text`, best first, as `moviembed query` finds them: the
        request is understood (`literal` takes it word for word), `mode` hybrid or dense,
        `rank` relevance, popularity, rating or year; `filter_values` are `Filters.parse`'s
        (genres, year, director, language, min_rating, min_votes, runtime)."""
        from moviembed.search.query import search

        chosen = filters_from(filters, filter_values)
        mode = choice(SearchMode, mode, "mode")
        with self.reading():
            keywords = None if mode is SearchMode.dense else self._current_keywords()
            return search(
                text,
                store=self.store,
                embedder=self.embedder,
                keywords=keywords,
                limit=limit,
                filters=chosen,
                mode=mode,
                order=choice(RankOrder, rank, "rank"),
                literal=literal,
                ignore=ignore,
            )

    def similar(
        self, movie: MovieName, limit: int = 10, *, filters: Filters | None = None, **values: Any
    ) -> list[SearchHit]:
        """The movies most like a stored one (itself excluded); needs no model."""
        from moviembed.search.query import similar

        chosen = filters_from(filters, values)
        with self.reading():
            return similar(str(movie), store=self.store, limit=limit, filters=chosen)

    def recommend(
        self,
        liked: Iterable[MovieName] = (),
        disliked: Iterable[MovieName] = (),
        seen: Iterable[MovieName] = (),
        limit: int = 10,
        *,
        method: str = DEFAULT_METHOD,
        weights: dict[str, float] | None = None,
        taste: Taste | None = None,
        filters: Filters | None = None,
        **values: Any,
    ) -> list[Recommendation]:
        """Picks for someone who liked `liked` and not `disliked` (ids or titles), none of
        `seen`, each with `.because`: the liked movie it is closest to. `taste` (from
        `taste`) adds a ratings file's; `weights` says how much a stored id counts."""
        from moviembed.search.recommend import recommend
        from moviembed.search.taste import recommend_for

        chosen = filters_from(filters, values)
        with self.reading():
            store = self.store
            loved = resolve_movies(store, liked, "liked")
            hated = resolve_movies(store, disliked, "disliked")
            options = {"limit": limit, "filters": chosen, "method": method}
            exclude = self._seen(seen)
            if taste is not None:
                mixed = taste.with_named(loved, hated)
                return recommend_for(mixed, store=store, exclude=exclude, **options)
            return recommend(
                loved, store=store, disliked=hated, exclude=exclude, weights=weights, **options
            )

    def taste(self, ratings: Path | Sequence[RatedFilm]) -> Taste:
        """The taste in a ratings export (Letterboxd, IMDb, a CSV; see docs/recommend.md) or
        in films already read, matched to this index: pass it to `recommend(taste=...)`."""
        from moviembed.search.taste import taste_from
        from moviembed.sources.ratings import read_ratings

        films = read_ratings(ratings).films if isinstance(ratings, Path) else ratings
        with self.reading():
            return taste_from(self.store, films)

    def context(
        self,
        question: str,
        movies: Iterable[MovieName] | None = None,
        limit: int = 5,
        **options: Any,
    ) -> str:
        """A numbered block of movie texts (id, title, year, document) for an LLM prompt
        about `question`: the named `movies`, closest to it first, or else the best
        matches of a search (`options` as `search` takes them)."""
        from moviembed.search.context import context_block

        hits = self.context_hits(question, movies, limit, **options)
        return context_block(hits, heading=f"Movies for: {question}")

    def context_hits(
        self,
        question: str,
        movies: Iterable[MovieName] | None = None,
        limit: int = 5,
        **options: Any,
    ) -> list[SearchHit]:
        """The movies `context` writes out, as hits (for a caller that also wants their ids)."""
        from moviembed.search.context import movies_for_question

        with self.reading():
            if movies:
                store, embedder = self.store, self.embedder
                return movies_for_question(question, list(movies), store=store, embedder=embedder)
            return self.search(question, limit, **options)

    # -- writing and refreshing -----------------------------------------------------

    def build(self, source: SourceRequest | None = None, **options: Any) -> BuildOutcome:
        """Build or update the index from `source` (default: the bundled catalog), as
        `moviembed build` does: lock, fetch, embed, store, then the keyword index and the
        fast query model. `options` go to `moviembed.index.pipeline.run_build`."""
        from moviembed.index.pipeline import run_build
        from moviembed.index.store import EmbeddingStore
        from moviembed.sources.request import SourceRequest

        store = self._store if isinstance(self._store, EmbeddingStore) else None
        writer = store or EmbeddingStore.from_settings(self.settings)
        return run_build(source or SourceRequest(), settings=self.settings, store=writer, **options)

    def current_generation(self) -> str | None:
        """The index's write stamp now (it changes on every write, in any process)."""
        with self.reading():
            return self.store.generation()

    def reopen(self, generation: str | None = None) -> None:
        """Close the store and open it afresh, to serve what other processes wrote (a local
        Chroma never sees them otherwise), keeping the query model if the index's is the
        same; then bring the keyword index up to date, outside the readers' way."""
        from moviembed.memory import return_freed_memory

        with self._lock.writing():
            model = self.model
            self.close_store()
            if self.model != model:
                self._embedder = self._loading = None
            self.generation = generation
        log.info("Reopened the index at %s (generation %s)", self.store.location, generation)
        self.refresh_keywords()
        return_freed_memory()  # what the old index and the keyword rebuild freed

    def refresh_keywords(self) -> None:
        """Bring the keyword index up to date with the store; a server's is then pinned to
        that file until the next refresh (`KeywordIndex.pin`)."""
        if self.serving:
            self.keywords.pin(self.store)
        else:
            self.keywords.ensure_current(self.store)

    def close_store(self) -> None:
        """Release the store (and the keyword index that belongs to it); both reopen on use."""
        if self._store is not None:
            self._store.close()
        self._store = self._keywords = None

    def close(self) -> None:
        """Release the store; the index opens again on next use."""
        with self._lock.writing():
            self.close_store()

    def _current_keywords(self) -> KeywordIndex | None:
        """The keyword index, refreshed first (a server's is, on reopen); None (meaning alone)
        when it cannot be."""
        from moviembed.errors import StoreError

        if self.serving:
            return self.keywords
        try:
            self.refresh_keywords()
        except StoreError as exc:
            log.warning("%s Ranking by meaning only.", exc)
            return None
        return self.keywords

    def _seen(self, seen: Iterable[MovieName]) -> list[str]:
        """Ids never to recommend: TMDB ids as they are (stored or not), titles resolved."""
        ids = [str(movie).strip() for movie in seen]
        return [i if i.isdigit() else resolve_movie(self.store, i, "seen") for i in ids]
