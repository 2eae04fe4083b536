"""Syncing TMDB's changes: which days to ask about, and recording how far a sync got.

The index remembers the day the next sync starts from. A sync that stops early
(Ctrl-C, TMDB down) leaves that day where it was, so the next run asks for the
same window again; it also leaves the moment it began, so answers it already
cached count as fresh and are not asked for twice.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from moviembed.errors import NotFoundError, UsageError
from moviembed.index.records import SyncState
from moviembed.index.store import EmbeddingStore
from moviembed.sources.request import SyncWindow


@dataclass(frozen=True)
class SyncReport:
    """What a sync of TMDB's changes covered and what it recorded."""

    start: dt.date
    end: dt.date
    listed: int  # movies TMDB named as changed
    in_index: int  # of those, the ones the index holds: each is fetched again
    next_start: dt.date  # what the sync recorded: the next one asks from this day on


def begin_sync(
    store: EmbeddingStore, since: dt.date | None, now: dt.datetime | None = None
) -> SyncWindow:
    """The window to ask TMDB about, after marking a sync as under way in the index."""
    if store.count() == 0:
        raise NotFoundError(
            f"The index at {store.location} is empty: {{field}} refreshes the movies an "
            "index holds. Build it first.",
            field="changes",
        )
    now = now or dt.datetime.now(dt.timezone.utc)
    today = now.date()
    state = store.sync_state()
    start = since or state.synced
    if start is None:
        raise UsageError(
            "This index has no record of a sync yet: add {field} YYYY-MM-DD "
            "(the day it was built, for instance).",
            field="since",
        )
    if start > today:
        raise UsageError(
            f"{{field}} {start} is in the future (today is {today}, UTC).", field="since"
        )
    if state.pending is None:
        store.save_sync_state(SyncState(state.synced, pending=now))
    return SyncWindow(start, today, fresh_since=state.pending)


def finish_sync(
    store: EmbeddingStore, window: SyncWindow, listed: int, in_index: int
) -> SyncReport:
    """Record that changes up to the moment the sync began are in the index."""
    began = store.sync_state().pending or dt.datetime.now(dt.timezone.utc)
    store.save_sync_state(SyncState(synced=began.date()))
    return SyncReport(window.start, window.end, listed, in_index, began.date())
