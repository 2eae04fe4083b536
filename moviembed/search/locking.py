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
    """Shared access for readers, exclusive for one writer, writers preferred."""

    def __init__(self) -> None:
        self._changed = threading.Condition()
        self._readers = 0
        self._writer_waiting = False
        self._writing = False

    @contextmanager
    def reading(self) -> Iterator[None]:
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
