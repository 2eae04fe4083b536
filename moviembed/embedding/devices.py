"""Which device a build encodes on, and how many texts per model batch suit it.

`auto` takes a CUDA GPU, else Apple's MPS, else the CPU, as torch sees them; naming a
device the machine lacks is an error saying so, never a silent fall back to the CPU.
Only builds use this: queries embed one short text, fastest on the CPU's ONNX model.
"""

from __future__ import annotations

from moviembed.config import BATCH_SIZES
from moviembed.errors import UsageError


def resolve_device(requested: str) -> str:
    """The torch device for `requested` (auto, cpu, cuda, cuda:N, mps); UsageError when
    the machine has no such device. Imports torch unless `requested` is cpu."""
    if requested == "cpu":
        return "cpu"
    import torch

    cuda = torch.cuda.is_available()
    mps = torch.backends.mps.is_available()
    if requested == "auto":
        return "cuda" if cuda else "mps" if mps else "cpu"
    kind, _, number = requested.partition(":")
    if kind == "mps" and not mps:
        raise UsageError(
            "{field} mps: torch sees no Apple GPU (MPS) here; use {field} cpu.", field="device"
        )
    if kind == "cuda" and not cuda:
        raise UsageError(
            f"{{field}} {requested}: torch {torch.__version__} sees no CUDA GPU here "
            "(a CPU-only torch, or no driver); use {field} cpu, or auto.",
            field="device",
        )
    if number and int(number) >= torch.cuda.device_count():
        raise UsageError(
            f"{{field}} {requested}: there are {torch.cuda.device_count()} CUDA GPUs, "
            "numbered from 0.",
            field="device",
        )
    return requested


def batch_size_for(device: str, requested: int | None) -> int:
    """`requested`, or the batch size that suits `device`."""
    return requested or BATCH_SIZES[device.partition(":")[0]]
