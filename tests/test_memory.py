"""The heap's freed pages go back to the system after each model call (issue 19's flat peak
RSS), while glibc's dynamic mmap threshold, the fast one, stays as it is."""

from __future__ import annotations

import ctypes
import ctypes.util
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
LIBC = ctypes.util.find_library("c")
pytestmark = pytest.mark.skipif(
    LIBC is None or not hasattr(ctypes.CDLL(LIBC), "mallinfo2"), reason="needs glibc >= 2.33"
)

HEADER = """
import ctypes, ctypes.util
libc = ctypes.CDLL(ctypes.util.find_library("c"))
libc.malloc.restype = ctypes.c_void_p
libc.free.argtypes = [ctypes.c_void_p]
"""

# After a mapped 8 MiB block is freed, is a new 4 MiB block mapped (1) or carved from the
# heap (0)? glibc's dynamic threshold would have risen past 8 MiB, so the heap.
MAPPED_AFTER_A_LARGE_FREE = """
names = "arena ordblks smblks hblks hblkhd usmblks fsmblks uordblks fordblks keepcost"
fields = [(name, ctypes.c_size_t) for name in names.split()]
Info = type("Info", (ctypes.Structure,), {"_fields_": fields})
libc.mallinfo2.restype = Info
libc.free(libc.malloc(8 << 20))
before = libc.mallinfo2().hblks
block = libc.malloc(4 << 20)
print(libc.mallinfo2().hblks - before)
"""

# Leave 64 MiB of touched, freed pages inside the heap (a fifth block, still in use, keeps
# them off the heap's top, as torch's long-lived allocations do), then print how many
# MiB of them `release` gave back.
HOLE = """
def rss_mib():
    return int(open("/proc/self/statm").read().split()[1]) * 4096 >> 20
libc.free(libc.malloc(24 << 20))  # a freed mapped block raises the threshold past 16 MiB
*blocks, kept = [libc.malloc(16 << 20) for _ in range(5)]
for block in blocks:
    ctypes.memset(block, 1, 16 << 20)
    libc.free(block)
before = rss_mib()
release()
print(before - rss_mib())
"""


def run_probe(setup: str, probe: str) -> int:
    """Run `setup`, then `probe`, in a fresh interpreter; the number it prints last."""
    code = HEADER + textwrap.dedent(setup) + probe
    env = {**os.environ, "PYTHONPATH": str(ROOT), "ANONYMIZED_TELEMETRY": "False"}
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, env=env, cwd=ROOT, check=True
    )
    return int(result.stdout.split()[-1])


def test_glibc_raises_the_threshold_by_default() -> None:
    assert run_probe("", MAPPED_AFTER_A_LARGE_FREE) == 0


def test_freed_pages_in_the_heap_stay_resident_by_default() -> None:
    assert run_probe("release = lambda: None\n", HOLE) < 8


def test_returning_freed_memory_gives_the_heap_pages_back() -> None:
    setup = "from moviembed.memory import return_freed_memory as release\n"
    assert run_probe(setup, HOLE) >= 56


@pytest.mark.slow
def test_each_model_call_gives_the_heap_pages_back() -> None:
    setup = """
    from moviembed.embedding.embedder import SentenceTransformerEmbedder
    embedder = SentenceTransformerEmbedder()
    embedder.embed(["a heist in a casino"])
    release = lambda: embedder.embed(["a heist in a casino"])
    """
    assert run_probe(setup, HOLE) >= 56


@pytest.mark.slow
def test_loading_the_build_model_keeps_the_dynamic_threshold() -> None:
    setup = """
    from moviembed.embedding.embedder import SentenceTransformerEmbedder
    SentenceTransformerEmbedder().embed(["a heist in a casino"])
    """
    assert run_probe(setup, MAPPED_AFTER_A_LARGE_FREE) == 0
