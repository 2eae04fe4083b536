"""The build pipeline: idempotent, incremental, interruptible. Its logic needs no real
vectors, so it runs on the fake model (the real one has its own tests)."""

from __future__ import annotations

import dataclasses
import time
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path

import numpy as np
import pytest

from moviembed.embedding.embedder import ProgressCallback
from moviembed.errors import ModelMismatchError, StoreError, TmdbError
from moviembed.index.builder import BuildReport, _batches, build_index
from moviembed.index.store import EmbeddingStore
from moviembed.movie import Movie, Skipped, Unfetched
from tests.fakes import HashingEmbedder


class CountingEmbedder:
    """The fake embedder, recording which texts it was asked to embed."""

    def __init__(self, inner: HashingEmbedder) -> None:
        self.inner = inner
        self.model_name = inner.model_name
        self.texts: list[str] = []

    @property
    def dimension(self) -> int:
        return self.inner.dimension

    def embed(
        self, texts: Sequence[str], on_progress: ProgressCallback | None = None
    ) -> np.ndarray:
        self.texts.extend(texts)
        return self.inner.embed(texts, on_progress)


@pytest.fixture
def counting(fake_embedder: HashingEmbedder) -> CountingEmbedder:
    return CountingEmbedder(fake_embedder)


def test_first_build_adds_every_movie(
    tmp_path: Path, small_movies: list[Movie], counting: CountingEmbedder
) -> None:
    store = EmbeddingStore(tmp_path / "index")
    report = build_index(small_movies, store=store, embedder=counting)
    assert (report.added, report.updated, report.unchanged) == (len(small_movies), 0, 0)
    assert store.count() == len(small_movies) == len(counting.texts)
    assert report.changed


def test_rebuild_embeds_nothing_and_keeps_the_count(
    fake_index: Path, small_movies: list[Movie], counting: CountingEmbedder
) -> None:
    store = EmbeddingStore(fake_index)
    report = build_index(small_movies, store=store, embedder=counting)
    assert (report.added, report.updated, report.unchanged) == (0, 0, len(small_movies))
    assert counting.texts == []
    assert store.count() == len(small_movies)
    assert not report.changed


def test_only_changed_documents_are_embedded_again(
    fake_index: Path, small_movies: list[Movie], counting: CountingEmbedder
) -> None:
    edited = dataclasses.replace(small_movies[0], overview="A new synopsis about a heist.")
    retitled_runtime = dataclasses.replace(small_movies[1], runtime=small_movies[1].runtime + 1)
    movies = [edited, retitled_runtime, *small_movies[2:]]
    store = EmbeddingStore(fake_index)
    report = build_index(movies, store=store, embedder=counting)
    assert (report.added, report.updated, report.unchanged) == (0, 2, len(movies) - 2)
    assert len(counting.texts) == 1 and "heist" in counting.texts[0]
    (stored,) = store.get_by_ids([str(retitled_runtime.id)])
    assert stored["metadata"]["runtime"] == retitled_runtime.runtime


def test_skipped_items_are_reported_and_the_rest_indexed(
    tmp_path: Path, small_movies: list[Movie], counting: CountingEmbedder
) -> None:
    items: list[Movie | Skipped] = [small_movies[0], Skipped("404", "not on TMDB"), small_movies[1]]
    report = build_index(items, store=EmbeddingStore(tmp_path / "index"), embedder=counting)
    assert report.added == 2
    assert report.failed == [Skipped("404", "not on TMDB")]


def test_a_stop_request_finishes_the_current_batch_and_returns(
    tmp_path: Path, small_movies: list[Movie], counting: CountingEmbedder
) -> None:
    seen: list[int] = []

    def stop_after_five() -> bool:
        return len(seen) >= 5

    class Progress:
        def movie(self, position: int, total: int | None, title: str) -> None:
            seen.append(position)

        def encoding(self, done: int, total: int) -> None:
            pass

    store = EmbeddingStore(tmp_path / "index")
    report = build_index(
        small_movies,
        store=store,
        embedder=counting,
        progress=Progress(),
        should_stop=stop_after_five,
        write_batch=2,
    )
    assert report.interrupted
    # Stops after a whole batch of two; the fifth movie, read ahead, is left for next time.
    assert report.added in (2, 4) and store.count() == report.added
    resumed = build_index(small_movies, store=store, embedder=counting)
    assert (resumed.added, resumed.unchanged) == (len(small_movies) - report.added, report.added)
    assert store.count() == len(small_movies)


def test_a_movie_named_again_in_a_later_batch_is_compared_with_its_new_version(
    tmp_path: Path, small_movies: list[Movie], counting: CountingEmbedder
) -> None:
    first, second = small_movies[:2]
    retold = dataclasses.replace(first, overview="Told again, differently.")
    store = EmbeddingStore(tmp_path / "index")
    # Batches of two: [first, second], [first again, retold first], [second again].
    items = [first, second, first, retold, second]
    report = build_index(items, store=store, embedder=counting, write_batch=2)
    assert (report.added, report.updated, report.unchanged) == (2, 1, 1)
    assert len(counting.texts) == 3
    (stored,) = store.get_by_ids([str(first.id)])
    assert "Told again" in stored["document"]
    assert store.count() == 2


class FailingStore(EmbeddingStore):
    """A real store whose writes fail after the first batch (a full disk, say)."""

    writes = 0

    def upsert_movies(self, *args: object, **kwargs: object) -> None:
        self.writes += 1
        if self.writes > 1:
            raise StoreError("ChromaDB could not store movies: disk full")
        super().upsert_movies(*args, **kwargs)  # type: ignore[arg-type]


def test_a_failed_write_stops_the_build_and_keeps_earlier_batches(
    tmp_path: Path, small_movies: list[Movie], counting: CountingEmbedder
) -> None:
    store = FailingStore(tmp_path / "index")
    with pytest.raises(StoreError, match="disk full"):
        build_index(small_movies, store=store, embedder=counting, write_batch=2)
    assert EmbeddingStore(tmp_path / "index").count() == 2
    assert len(small_movies) > 4 and len(counting.texts) == 4  # nothing embedded after it


def test_progress_reports_each_movie_and_the_encoding(
    tmp_path: Path, small_movies: list[Movie], counting: CountingEmbedder
) -> None:
    events: list[tuple[str, int, int | None]] = []

    class Progress:
        movie: Callable[..., None] = lambda self, position, total, title: events.append(
            ("movie", position, total)
        )
        encoding: Callable[..., None] = lambda self, done, total: events.append(
            ("encoding", done, total)
        )

    build_index(
        small_movies,
        store=EmbeddingStore(tmp_path / "index"),
        embedder=counting,
        total=len(small_movies),
        progress=Progress(),
    )
    n = len(small_movies)
    assert [e for e in events if e[0] == "movie"] == [("movie", i, n) for i in range(1, n + 1)]
    assert events[-1] == ("encoding", n, n)


def test_an_index_of_another_model_is_not_written(
    tmp_path: Path, small_movies: list[Movie], counting: CountingEmbedder
) -> None:
    store = EmbeddingStore(tmp_path / "index", model_name="BAAI/bge-small-en-v1.5")
    with pytest.raises(ModelMismatchError):
        build_index(small_movies, store=store, embedder=counting)
    assert store.count() == 0


def test_movies_read_before_a_source_failure_are_kept(
    tmp_path: Path, small_movies: list[Movie], counting: CountingEmbedder
) -> None:
    def failing_source() -> Iterator[Movie]:
        yield from small_movies[:3]
        raise TmdbError("TMDB went away")

    store = EmbeddingStore(tmp_path / "index")
    with pytest.raises(TmdbError, match="went away"):
        build_index(failing_source(), store=store, embedder=counting)
    assert store.count() == 3


def test_ids_a_source_did_not_fetch_count_as_unchanged(
    fake_index: Path, small_movies: list[Movie], counting: CountingEmbedder
) -> None:
    items = [Unfetched(str(small_movies[0].id)), small_movies[1]]
    report = build_index(items, store=EmbeddingStore(fake_index), embedder=counting)
    assert (report.added, report.updated, report.unchanged) == (0, 0, 2)


def test_a_slow_source_is_written_in_early_batches(
    tmp_path: Path, small_movies: list[Movie], counting: CountingEmbedder
) -> None:
    def slow_source() -> Iterator[Movie]:
        for number in range(80):
            time.sleep(0.02)
            yield dataclasses.replace(small_movies[number % 12], id=5000 + number)

    planned: list[int] = []

    class Progress:
        def movie(self, position: int, total: int | None, title: str) -> None:
            pass

        def encoding(self, done: int, total: int) -> None:
            if not planned or planned[-1] != total:
                planned.append(total)

    store = EmbeddingStore(tmp_path / "index")
    report = build_index(slow_source(), store=store, embedder=counting, progress=Progress())
    assert report.added == store.count() == 80
    assert len(planned) >= 2  # written while later movies were still arriving


def test_new_ranking_signals_are_a_metadata_only_update(
    tmp_path: Path, small_movies: list[Movie], fake_embedder: HashingEmbedder
) -> None:
    """An index built before the signals existed gets them on the next build, unembedded."""
    store = EmbeddingStore(tmp_path / "index")
    bare = [
        dataclasses.replace(m, popularity=None, vote_count=None, vote_average=None)
        for m in small_movies
    ]
    build_index(bare, store=store, embedder=fake_embedder)
    embedded = fake_embedder.texts_embedded
    rated = [
        dataclasses.replace(m, popularity=12.5, vote_count=800 + i, vote_average=7.1)
        for i, m in enumerate(bare)
    ]
    report = build_index(rated, store=store, embedder=fake_embedder)
    assert fake_embedder.texts_embedded == embedded  # nothing re-embedded
    assert (report.added, report.updated, report.unchanged) == (0, len(rated), 0)
    (stored,) = store.get_by_ids([str(rated[0].id)])
    assert (stored["metadata"]["vote_count"], stored["metadata"]["vote_average"]) == (800, 7.1)


class ConsumerError(Exception):
    """An error of the code that takes the batches (a write that failed)."""


@pytest.mark.parametrize("error", [TmdbError("TMDB went away"), KeyboardInterrupt()])
def test_batches_hand_over_what_was_read_before_the_source_failed(
    small_movies: list[Movie], error: BaseException
) -> None:
    def source() -> Iterator[Movie]:
        yield from small_movies[:3]
        raise error

    batches = _batches(source(), BuildReport(), size=10)
    assert [movie_id for movie_id, _, _ in next(batches)] == [
        str(movie.id) for movie in small_movies[:3]
    ]
    with pytest.raises(type(error)):
        next(batches)


def test_an_error_of_the_consumer_is_not_caught_by_the_batches(small_movies: list[Movie]) -> None:
    """Thrown in at a batch (as a consumer's `throw` or `contextlib` does), the consumer's
    error comes straight back: the generator does not answer it with another batch."""
    batches = _batches(iter(small_movies), BuildReport(), size=2)
    next(batches)
    with pytest.raises(ConsumerError):
        batches.throw(ConsumerError("the write failed"))
    assert next(batches, None) is None  # finished, not waiting to hand anything over
