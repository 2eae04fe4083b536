"""Handing freed heap back to the system, where the C library allows it.

glibc keeps memory that Python, Chroma or torch freed in its arenas for reuse; across
thousands of batches of differently sized documents that becomes fragments the
process never returns, and its peak grows with the catalog. Trimming after each
batch keeps a long build's, and a long-running server's, memory flat.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import functools
from collections.abc import Callable


def return_freed_memory() -> None:
    """Give the heap's free pages back (`malloc_trim`); a no-op without glibc."""
    trim = _malloc_trim()
    if trim is not None:
        trim(0)


@functools.cache
def _malloc_trim() -> Callable[[int], int] | None:
    name = ctypes.util.find_library("c")
    return getattr(ctypes.CDLL(name), "malloc_trim", None) if name else None
