"""glibc's mmap threshold stays fixed once the model loads, so torch's freed activations do
not raise it and later batches do not fragment the heap (issue 19's flat peak RSS)."""

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

# After a mapped 8 MiB block is freed, is a new 4 MiB block mapped (1) or carved from the
# heap (0)? glibc's dynamic threshold would have risen past 8 MiB, so the heap.
PROBE = """
import ctypes, ctypes.util
libc = ctypes.CDLL(ctypes.util.find_library("c"))
names = "arena ordblks smblks hblks hblkhd usmblks fsmblks uordblks fordblks keepcost"
fields = [(name, ctypes.c_size_t) for name in names.split()]
Info = type("Info", (ctypes.Structure,), {"_fields_": fields})
libc.mallinfo2.restype = Info
libc.malloc.restype = ctypes.c_void_p
libc.free.argtypes = [ctypes.c_void_p]
libc.free(libc.malloc(8 << 20))
before = libc.mallinfo2().hblks
block = libc.malloc(4 << 20)
print(libc.mallinfo2().hblks - before)
"""


def mapped_after_a_large_free(setup: str) -> int:
    """Run `setup`, then the probe, in a fresh interpreter; 1 if the block was mapped."""
    code = textwrap.dedent(setup) + PROBE
    env = {**os.environ, "PYTHONPATH": str(ROOT), "ANONYMIZED_TELEMETRY": "False"}
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, env=env, cwd=ROOT, check=True
    )
    return int(result.stdout.split()[-1])


def test_glibc_raises_the_threshold_by_default() -> None:
    assert mapped_after_a_large_free("") == 0


def test_keeping_large_blocks_mapped_fixes_the_threshold() -> None:
    setup = "from moviembed.memory import keep_large_blocks_mapped\nkeep_large_blocks_mapped()\n"
    assert mapped_after_a_large_free(setup) == 1


@pytest.mark.slow
def test_loading_the_build_model_fixes_the_threshold() -> None:
    setup = """
    from moviembed.embedding.embedder import SentenceTransformerEmbedder
    SentenceTransformerEmbedder().embed(["a heist in a casino"])
    """
    assert mapped_after_a_large_free(setup) == 1
