"""A readers-writer lock: many requests read the index at once; a reopen waits for them.

Closing a local Chroma client while another thread queries through it would fail that
query, so requests hold the shared side and the reopen holds the exclusive side. A waiting
writer stops new readers from entering, so a steady stream of requests cannot starve it.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager


class ReadersWriterLock:
    """Shared access for readers, exclusive for one writer, writers preferred. A thread that
    reads already may read again inside (a method calling another): it never waits then,
    since a writer waiting for it to finish would wait forever."""

    def __init__(self) -> None:
        self._changed = threading.Condition()
        self._readers = 0
        self._writer_waiting = False
        self._writing = False
        self._held = threading.local()  # how deep this thread's reads are nested

    @contextmanager
    def reading(self) -> Iterator[None]:
        depth = getattr(self._held, "depth", 0)
        self._held.depth = depth + 1
        try:
            if depth:
                yield
            else:
                with self._shared():
                    yield
        finally:
            self._held.depth = depth

    @contextmanager
    def _shared(self) -> Iterator[None]:
        with self._changed:
            self._changed.wait_for(lambda: not (self._writing or self._writer_waiting))
            self._readers += 1
        try:
            yield
        finally:
            with self._changed:
                self._readers -= 1
                self._changed.notify_all()

    @contextmanager
    def writing(self) -> Iterator[None]:
        with self._changed:
            self._changed.wait_for(lambda: not (self._writing or self._writer_waiting))
            self._writer_waiting = True
            self._changed.wait_for(lambda: self._readers == 0)
            self._writer_waiting, self._writing = False, True
        try:
            yield
        finally:
            with self._changed:
                self._writing = False
                self._changed.notify_all()
