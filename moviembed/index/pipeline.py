"""The whole build as one call: lock, source, embed and store, prune, refresh what derives.

A library caller gets what `moviembed build` does without knowing the steps:
the keyword index is brought up to date and the query model exported, so the
next search is fast. Everything the CLI shows comes back through callbacks or
the returned `BuildOutcome`; nothing here prints.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

from moviembed.config import Settings
from moviembed.embedding import backends
from moviembed.errors import StoreError, UsageError
from moviembed.index.builder import BuildProgress, BuildReport, build_index
from moviembed.index.store import EmbeddingStore
from moviembed.index.sync import SyncReport, begin_sync, finish_sync
from moviembed.sources.request import Source, SourceRequest, SyncWindow, open_source

Notify = Callable[[str], None]
ConfirmPrune = Callable[[int, list[str]], bool]  # (how many, a few titles) -> go ahead?


def _ignore(message: str) -> None:
    """The default callback: a library caller that passes none hears nothing."""


@dataclass
class BuildOutcome:
    """What a build did (`report`), which movies pruning removed, and notes for the user."""

    report: BuildReport
    pruned: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    fetched: int | None = None  # movies asked of TMDB (None: the source is not TMDB)
    sync: SyncReport | None = None  # for `--changes`: the window and what was recorded

    @property
    def indexed_nothing(self) -> bool:
        """True when every movie failed: the build is a failure, not a partial success."""
        report = self.report
        return bool(report.failed) and not (report.added or report.updated or report.unchanged)


@contextmanager
def writing(
    settings: Settings, *, wait: bool = True, on_wait: Notify = _ignore, command: str = ""
) -> Iterator[None]:
    """Hold the index's write lock (none against a Chroma server, which orders writes)."""
    if settings.chroma_url:
        yield
        return
    from moviembed.index.lock import IndexLock

    with IndexLock(
        settings.db_path, wait=wait, on_wait=on_wait, description=command or "moviembed"
    ):
        yield


def refresh_derived(store: EmbeddingStore, settings: Settings) -> str | None:
    """Bring the keyword index up to date now (by the movies this build changed, when it
    can), so the next query need not; returns why it could not (that query then tries
    again, or ranks by meaning alone), else None."""
    from moviembed.index.keywords import KeywordIndex

    try:
        KeywordIndex.for_store(store, settings.cache_dir).follow(store, store.changes)
    except StoreError as exc:
        return str(exc)
    return None


def run_build(
    request: SourceRequest,
    *,
    settings: Settings,
    store: EmbeddingStore | None = None,
    prune: bool = False,
    confirm_prune: ConfirmPrune = lambda count, examples: True,
    wait: bool = True,
    progress: BuildProgress | None = None,
    should_stop: Callable[[], bool] = lambda: False,
    on_wait: Notify = _ignore,
    on_warning: Notify = _ignore,
    on_step: Notify = _ignore,
) -> BuildOutcome:
    """Build or update the index `settings` name from the source `request` names.

    Source problems that do not stop the build go to `on_warning` as they are found;
    `on_step` hears what the source chose and about slow steps after the build (the
    one-off ONNX export). An interrupted build (`should_stop`) keeps what it wrote and
    skips the later steps; an interrupted sync of changes records no new sync point.
    """
    request.check()
    if prune and request.changes:
        raise UsageError(
            "{field} cannot go with a sync of TMDB's changes: a sync sees only what changed.",
            field="prune",
        )
    store = store or EmbeddingStore.from_settings(settings)
    with writing(settings, wait=wait, on_wait=on_wait, command="moviembed build"):
        window = begin_sync(store, request.since) if request.changes else None
        source = _opened(request, settings, store, window, on_warning, on_step)
        embedder = backends.build_embedder(
            store.model_name(), settings.batch_size, settings.device, settings.cache_dir
        )
        report = build_index(
            source.items,
            store=store,
            embedder=embedder,
            total=source.total,
            progress=progress,
            should_stop=should_stop,
        )
        if progress is not None:
            progress.finished()
        outcome = BuildOutcome(report)
        outcome.fetched = source.fetcher.fetched if source.fetcher else None
        if report.interrupted:
            return outcome
        if window is not None:
            outcome.sync = finish_sync(store, window, source.listed or 0, source.total or 0)
        if prune:
            outcome.pruned = _prune(store, report.seen_ids, confirm_prune)
    _finish(store, settings, outcome, on_step)
    return outcome


def _opened(
    request: SourceRequest,
    settings: Settings,
    store: EmbeddingStore,
    window: SyncWindow | None,
    on_warning: Notify,
    on_step: Notify,
) -> Source:
    """The source, its notes told to `on_warning` and what it chose to `on_step`."""
    if window is not None:
        on_step(f"Asking TMDB which movies changed from {window.start} to {window.end}…")
    source = open_source(request, settings, store.existing_ids, window)
    for note in source.notes:
        on_warning(note)
    if source.summary:
        on_step(source.summary)
    return source


def _prune(store: EmbeddingStore, seen_ids: set[str], confirm: ConfirmPrune) -> list[str]:
    """Remove stored movies the source did not name, if `confirm` agrees."""
    stale = sorted(store.all_ids() - seen_ids, key=lambda id_: (len(id_), id_))
    if not stale:
        return []
    titles = [movie["metadata"].get("title", movie["id"]) for movie in store.get_by_ids(stale[:3])]
    return store.delete(stale) if confirm(len(stale), titles) else []


def _finish(
    store: EmbeddingStore, settings: Settings, outcome: BuildOutcome, on_step: Notify
) -> None:
    """The derived files: keyword index after any change, the query model once."""
    if outcome.report.changed or outcome.pruned:
        if problem := refresh_derived(store, settings):
            outcome.notes.append(problem)
    model = store.model_name()
    if backends.wants_query_model(model, settings.cache_dir):
        on_step("Saving a fast query model…")
        if problem := backends.prepare_query_model(model, settings.cache_dir):
            outcome.notes.append(problem)
