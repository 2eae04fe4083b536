"""Files the user names or we keep: read with one clear error each, written atomically."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import IO, TypeVar

from moviembed.errors import InputError, StoreError

T = TypeVar("T")


def read_user_bytes(path: Path, what: str, max_bytes: int | None = None) -> bytes:
    """The bytes of `path` (described as `what` in messages), or InputError saying why not."""
    try:
        if max_bytes is not None and (size := path.stat().st_size) > max_bytes:
            raise InputError(
                f"{path.name} is {size / 2**20:.0f} MiB; {what}s are limited to "
                f"{max_bytes // 2**20} MiB. Split it into several files."
            )
        return path.read_bytes()
    except FileNotFoundError:
        raise InputError(f"{what.capitalize()} {path} does not exist.") from None
    except IsADirectoryError:
        raise InputError(f"{path} is a folder, not a {what}.") from None
    except OSError as exc:
        raise InputError(f"Cannot read {path}: {exc.strerror or exc}.") from None


def decode_text(data: bytes, path: Path) -> str:
    """UTF-8 text (a BOM is allowed); binary data or other encodings are refused clearly."""
    if b"\x00" in data:
        raise InputError(f"{path.name} is a binary file, not text.")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise InputError(
            f"{path.name} is not UTF-8 text (bad byte at position {exc.start})."
        ) from None


def read_user_text(path: Path, what: str) -> str:
    """`read_user_bytes` then `decode_text`."""
    return decode_text(read_user_bytes(path, what), path)


def write_atomically(path: Path, write: Callable[[IO[str]], T]) -> T:
    """Run `write` on a temp file beside `path` (mode 0o600), fsync it, rename it over `path`.

    Readers see the old file or the new one, never a part; a killed writer leaves at most a
    hidden temp file. Returns what `write` returned; OSError propagates.
    """
    fd, temp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            result = write(handle)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temp, path)
    except BaseException:
        Path(temp).unlink(missing_ok=True)
        raise
    _fsync_folder(path.parent)
    return result


def _fsync_folder(folder: Path) -> None:
    """Make the rename itself durable where the platform allows opening a folder."""
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def refuse_non_folder(path: Path) -> None:
    """StoreError when an index path exists but is not a folder, or cannot be looked at."""
    try:
        is_file = path.exists() and not path.is_dir()
    except OSError as exc:
        raise StoreError(f"Cannot look at {path}: {exc.strerror or exc}.") from None
    if is_file:
        raise StoreError(f"{path} is a file, not an index folder. Point --db at a folder.")
