"""Where a running `moviembed serve` says it is, so a CLI search can ask it instead of
opening the index itself (importing Chroma alone costs a CLI process most of a second).

Each service writes one file, `<cache dir>/services/<pid>.json`: its address, process id,
token (if any) and which index it serves. The file holds the token, so it is created
readable by its user only (0600, in a 0700 folder), and a reader ignores any file that is
not its own or that others may read. A file whose process is gone is stale: readers
delete it. Standard library only: the CLI reads this on its fast path.
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import stat
import tempfile
from collections.abc import Iterator
from dataclasses import asdict, dataclass, field
from pathlib import Path

from moviembed.config import Settings

log = logging.getLogger(__name__)

FOLDER = "services"
MAX_FILE_BYTES = 64 * 1024
# An address that accepts every interface is reached on the loopback one.
_ANY_ADDRESS = {"0.0.0.0": "127.0.0.1", "::": "::1", "": "127.0.0.1"}


@dataclass(frozen=True)
class Registration:
    """One running service: where to reach it and which index it serves."""

    pid: int
    host: str
    port: int
    index: dict[str, str]
    token: str | None = field(default=None, repr=False)

    def well_formed(self) -> bool:
        """True when every field has its type (the file may come from another version)."""
        fields = ((self.pid, int), (self.host, str), (self.port, int), (self.index, dict))
        token_ok = self.token is None or isinstance(self.token, str)
        return token_ok and all(isinstance(value, kind) for value, kind in fields)

    @property
    def url(self) -> str:
        host = _ANY_ADDRESS.get(self.host, self.host)
        return f"http://{f'[{host}]' if ':' in host else host}:{self.port}"


def index_identity(settings: Settings) -> dict[str, str]:
    """Which index `settings` name, comparable between processes: the resolved folder, or
    the Chroma server, tenant and database; and the collection."""
    if settings.chroma_url:
        where = {
            "chroma_url": settings.chroma_url,
            "tenant": settings.chroma_tenant or "",
            "database": settings.chroma_database or "",
        }
    else:
        where = {"path": str(settings.db_path.expanduser().resolve())}
    return {**where, "collection": settings.collection}


def folder_for(settings: Settings) -> Path:
    """The registry folder of this user's cache."""
    return settings.cache_dir / FOLDER


@contextlib.contextmanager
def registered(folder: Path, registration: Registration) -> Iterator[Path]:
    """The registration written for the duration of the block, then deleted."""
    path = write(folder, registration)
    try:
        yield path
    finally:
        path.unlink(missing_ok=True)


def write(folder: Path, registration: Registration) -> Path:
    """Write (or replace) the registration's file atomically, readable by its user only."""
    folder.mkdir(parents=True, exist_ok=True, mode=0o700)
    path = folder / f"{registration.pid}.json"
    handle, temporary = tempfile.mkstemp(dir=folder, prefix=".register-", suffix=".tmp")
    try:  # mkstemp creates the file 0600
        with os.fdopen(handle, "w", encoding="utf-8") as file:
            json.dump(asdict(registration), file)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    return path


def services_for(folder: Path, identity: dict[str, str]) -> list[Registration]:
    """The live services registered in `folder` that serve the index `identity` names."""
    found = []
    for path in sorted(folder.glob("*.json")) if folder.is_dir() else []:
        registration = _read(path)
        if registration is None:
            continue
        if registration.index != identity:
            log.debug("The service at %s serves another index.", registration.url)
            continue
        found.append(registration)
    return found


def _read(path: Path) -> Registration | None:
    """The registration in `path`, or None (logged) when it is unsafe, broken or stale."""
    try:
        with path.open("rb") as file:
            info = os.fstat(file.fileno())
            if not _private(info):
                log.debug("Ignoring %s: it is not this user's private file.", path)
                return None
            data = json.loads(file.read(MAX_FILE_BYTES))
        registration = Registration(**data)
        if not registration.well_formed():
            raise ValueError("not a registration")
    except (OSError, ValueError, TypeError) as exc:
        log.debug("Ignoring %s: %s", path, exc)
        return None
    if not _running(registration.pid):
        log.debug("Removing %s: process %d has ended.", path, registration.pid)
        path.unlink(missing_ok=True)
        return None
    return registration


def _private(info: os.stat_result) -> bool:
    """True for a file of this user that no one else may read (always, where there are no
    POSIX owners)."""
    if not hasattr(os, "getuid"):
        return True
    return info.st_uid == os.getuid() and not info.st_mode & (stat.S_IRWXG | stat.S_IRWXO)


def _running(pid: int) -> bool:
    """True while a process with this id exists."""
    if not 0 < pid < 2**31:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # someone else's process reuses the id; the answer check will tell
    return True
