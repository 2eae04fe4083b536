"""Run a slow call for each item on a few threads, and hand the results back in order.

Across the internet each TMDB answer takes tens of milliseconds, so one request at
a time reaches 10-15 a second however high the rate limit; a few in flight reach
the limit. Results come back in the items' order, at most `2 * workers` ahead of
the consumer, so memory stays flat however long the list. The threads are daemons
and pending work is cancelled when the consumer stops: an interrupted build does not
wait for requests nobody will read. `Throttle` keeps all those threads to one rate limit.
"""

from __future__ import annotations

import queue
import threading
import time
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future
from typing import TypeVar

Item = TypeVar("Item")
Result = TypeVar("Result")
_Task = tuple["Future[object]", object] | None


def ordered_map(
    call: Callable[[Item], Result], items: Iterable[Item], workers: int
) -> Iterator[Result]:
    """`call(item)` for each item, on `workers` threads, yielded in the items' order.

    An exception from `call` is raised when its item's turn comes, after the results
    before it.
    """
    if workers <= 1:
        yield from map(call, items)
        return
    tasks: queue.SimpleQueue[_Task] = queue.SimpleQueue()
    for number in range(workers):
        threading.Thread(
            target=_work, args=(tasks, call), name=f"moviembed-fetch-{number}", daemon=True
        ).start()
    window: deque[Future[Result]] = deque()
    try:
        for item in items:
            future: Future[Result] = Future()
            tasks.put((future, item))  # type: ignore[arg-type]
            window.append(future)
            if len(window) >= 2 * workers:
                yield window.popleft().result()
        while window:
            yield window.popleft().result()
    finally:
        for future in window:
            future.cancel()
        for _ in range(workers):
            tasks.put(None)


def _work(tasks: queue.SimpleQueue[_Task], call: Callable[[object], object]) -> None:
    while (task := tasks.get()) is not None:
        future, item = task
        if not future.set_running_or_notify_cancel():
            continue
        try:
            future.set_result(call(item))
        except BaseException as error:  # handed to the consumer, which raises it
            future.set_exception(error)


class Throttle:
    """Spaces calls at least `1 / rate` seconds apart, across every caller of the client."""

    def __init__(self, rate: float) -> None:
        self._interval = 1.0 / rate
        self._next = 0.0
        self._lock = threading.Lock()

    def wait(self) -> None:
        with self._lock:
            now = time.monotonic()
            delay = self._next - now
            self._next = max(now, self._next) + self._interval
        if delay > 0:
            time.sleep(delay)
