"""Files the user names or we keep: read with one clear error each, written atomically."""

from __future__ import annotations

import contextlib
import glob
import hashlib
import json
import os
import re
import shutil
import stat
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import IO, Any, BinaryIO, TypeVar

from moviembed.errors import InputError, StoreError, UsageError

T = TypeVar("T")

MAX_INPUT_BYTES = 1024 * 2**20  # what one read of a user's file may bring into memory
# A temp folder this old belongs to a writer that was killed, not to one still running.
STALE_TEMP_SECONDS = 3600
TEMP_MARKER = ".tmp-"
MAX_JSON_DEPTH = 32  # no file or answer we read nests deeper than 4 levels
_JSON_STRING = re.compile(r'"[^"\\]*(?:\\.[^"\\]*)*"')
_NOT_BRACKET = re.compile(r"[^\[\]{}]+")
_EMPTY_PAIR = re.compile(r"\[\]|\{\}")
_SURROGATE_ESCAPE = re.compile(r"\\u[dD][89a-fA-F]")
_LONE_SURROGATE = re.compile("[\ud800-\udfff]")


def open_regular(path: Path, what: str) -> BinaryIO:
    """`path` opened for reading, once InputError has ruled out anything but a regular file.

    The check is made on the opened file, so a device, FIFO or socket (`/dev/urandom`)
    is refused whatever name led to it, before a byte is read. A FIFO is opened without
    blocking so that a pipe nobody writes to is refused too, not waited on.
    """
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
    except FileNotFoundError:
        raise InputError(f"{what.capitalize()} {path} does not exist.") from None
    except OSError as exc:
        raise InputError(f"Cannot read {path}: {exc.strerror or exc}.") from None
    mode = os.fstat(fd).st_mode
    if not stat.S_ISREG(mode):
        os.close(fd)
        kind = "a folder" if stat.S_ISDIR(mode) else "a device, pipe or socket"
        raise InputError(f"{path} is {kind}; the {what} must be a regular file.")
    os.set_blocking(fd, True)
    return os.fdopen(fd, "rb")


def read_user_bytes(path: Path, what: str, max_bytes: int = MAX_INPUT_BYTES) -> bytes:
    """The bytes of `path` (described as `what` in messages), or InputError saying why not.

    At most `max_bytes` are read, whatever size the file claims (a file may grow while
    it is read, and `/proc` files claim 0).
    """
    with open_regular(path, what) as handle:
        try:
            data = handle.read(max_bytes + 1)
        except OSError as exc:
            raise InputError(f"Cannot read {path}: {exc.strerror or exc}.") from None
    if len(data) > max_bytes:
        raise InputError(
            f"{path.name} is over the {max_bytes // 2**20} MiB limit for {what}s. "
            "Split it into several files."
        )
    return data


def read_limited(stream: BinaryIO, what: str, max_bytes: int = MAX_INPUT_BYTES) -> bytes:
    """At most `max_bytes` from a stream such as stdin, or InputError when there is more."""
    data = stream.read(max_bytes + 1)
    if len(data) > max_bytes:
        raise InputError(f"The {what} is larger than {max_bytes // 2**20} MiB, the limit.")
    return data


def parse_json(text: str | bytes) -> Any:
    """`json.loads` for outside data: nesting is limited and lone surrogates are replaced.

    Raises ValueError (json.JSONDecodeError for bad syntax, with its position), never
    RecursionError; every string in the result encodes as UTF-8 (a lone `\\ud800` escape
    becomes U+FFFD), so no text read here fails later when it is printed or stored.
    """
    if isinstance(text, bytes):
        text = text.decode("utf-8", errors="replace")
    try:
        data = json.loads(text)
    except RecursionError:
        raise ValueError(f"nested deeper than {MAX_JSON_DEPTH} levels") from None
    except ValueError as exc:
        if isinstance(exc, json.JSONDecodeError) or "int_max_str_digits" not in str(exc):
            raise
        # Python's own message advises a call to sys.set_int_max_str_digits(): not for users
        raise ValueError(
            f"it holds a number of more than {sys.get_int_max_str_digits():,} digits"
        ) from None
    if isinstance(data, (list, dict)) and _depth_exceeds(text, MAX_JSON_DEPTH):
        raise ValueError(f"nested deeper than {MAX_JSON_DEPTH} levels")
    return _replace_surrogates(data) if _SURROGATE_ESCAPE.search(text) else data


def json_error_detail(exc: ValueError, first_line: int = 1) -> str:
    """Where and why `parse_json` refused, as " (line L, column C): reason" or ": reason"."""
    if isinstance(exc, json.JSONDecodeError):
        return f" (line {first_line + exc.lineno - 1}, column {exc.colno}): {exc.msg}"
    return f": {exc}"


def _depth_exceeds(text: str, limit: int) -> bool:
    """True when valid JSON `text` nests brackets deeper than `limit` (string-scanning in C)."""
    brackets = _NOT_BRACKET.sub("", _JSON_STRING.sub("", text))
    for _ in range(limit):
        if not brackets:
            return False
        brackets = _EMPTY_PAIR.sub("", brackets)
    return bool(brackets)


def _replace_surrogates(value: Any) -> Any:
    if isinstance(value, str):
        return _LONE_SURROGATE.sub("\ufffd", value)
    if isinstance(value, list):
        return [_replace_surrogates(item) for item in value]
    if isinstance(value, dict):
        return {_replace_surrogates(k): _replace_surrogates(v) for k, v in value.items()}
    return value


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


def read_user_text(path: Path, what: str, max_bytes: int = MAX_INPUT_BYTES) -> str:
    """`read_user_bytes` then `decode_text`."""
    return decode_text(read_user_bytes(path, what, max_bytes), path)


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


def refuse_special_file(path: Path, what: str) -> None:
    """UsageError when `path` exists as anything but a regular file (a symlink, a named
    pipe, a device): writing `what` atomically would silently replace it."""
    try:
        mode = os.lstat(path).st_mode
    except FileNotFoundError:
        return
    except OSError as exc:
        raise UsageError(f"Cannot look at {path}: {exc.strerror or exc}.") from None
    if stat.S_ISDIR(mode):
        raise UsageError(f"{path} is a folder; name a file to write the {what} to.")
    if not stat.S_ISREG(mode):
        kind = "a symlink" if stat.S_ISLNK(mode) else "a named pipe, device or socket"
        raise UsageError(
            f"{path} is {kind}; the {what} is written as a new regular file and would replace "
            "it. Name a regular file, or use - for stdout."
        )


def refuse_non_folder(path: Path) -> None:
    """StoreError when an index path exists but is not a folder, or cannot be looked at."""
    try:
        is_file = path.exists() and not path.is_dir()
    except OSError as exc:
        raise StoreError(f"Cannot look at {path}: {exc.strerror or exc}.") from None
    if is_file:
        raise StoreError(
            f"{path} is a file, not an index folder. Point {{field}} at a folder.", field="db_path"
        )


def file_sha256(path: Path) -> str:
    """Hex sha256 of a file, read in blocks."""
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


@contextlib.contextmanager
def published_folder(target: Path) -> Iterator[Path]:
    """A temp folder beside `target` that replaces it when the block ends without error.

    On an error the temp folder is removed, so a killed or failed writer never leaves a
    half-written `target`; what killed writers left behind long ago is cleared first.
    """
    target.parent.mkdir(parents=True, exist_ok=True)
    _remove_stale_temp_dirs(target)
    work = Path(tempfile.mkdtemp(prefix=f".{target.name}{TEMP_MARKER}", dir=target.parent))
    try:
        yield work
        _publish(work, target)
    except BaseException:
        shutil.rmtree(work, ignore_errors=True)
        raise


def _publish(work: Path, target: Path) -> None:
    """Swap the finished folder into place; one a concurrent writer published is kept."""
    old = None
    if target.exists():
        old = target.with_name(f".{target.name}{TEMP_MARKER}old-{os.getpid()}-{time.time_ns()}")
        target.rename(old)
    try:
        work.rename(target)
    except OSError:
        if not target.exists():
            raise
        shutil.rmtree(work, ignore_errors=True)  # another process published first
    if old is not None:
        shutil.rmtree(old, ignore_errors=True)


def _remove_stale_temp_dirs(target: Path) -> None:
    """Clear what killed writers of this folder left behind (never a running one's)."""
    now = time.time()
    for path in target.parent.glob(f".{glob.escape(target.name)}{TEMP_MARKER}*"):
        try:
            if now - path.stat().st_mtime > STALE_TEMP_SECONDS:
                shutil.rmtree(path, ignore_errors=True)
        except OSError:
            pass
