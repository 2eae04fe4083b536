"""One writer at a time: a file lock around everything that writes an index.

Readers (`query`, `count`, `inspect`, `similar`) never take it, so they keep
working during a build. The lock is an OS file lock (the `filelock` package),
so a writer killed with SIGKILL releases it with its process; a small owner
file next to it says who holds it, for the message a second writer prints.
"""

from __future__ import annotations

import json
import os
import time
from collections.abc import Callable
from pathlib import Path
from types import TracebackType

from moviembed.errors import LockedError, StoreError
from moviembed.files import parse_json, refuse_non_folder
from moviembed.index.chroma import DATABASE_NAME, LOCK_PREFIX, refuse_foreign_database

LOCK_NAME = LOCK_PREFIX
OWNER_NAME = f"{LOCK_PREFIX}.owner"


class IndexLock:
    """Exclusive write access to the index in `folder` (created if missing)."""

    def __init__(
        self,
        folder: Path,
        *,
        wait: bool = True,
        on_wait: Callable[[str], None] | None = None,
        description: str = "moviembed",
    ) -> None:
        import filelock

        self.folder = folder
        self.wait = wait
        self.on_wait = on_wait
        self.description = description
        self._lock = filelock.FileLock(str(folder / LOCK_NAME))
        self._created = False
        self._timeout = filelock.Timeout

    def __enter__(self) -> IndexLock:
        refuse_non_folder(self.folder)
        refuse_foreign_database(self.folder / DATABASE_NAME)  # before the lock file is made
        try:
            self._created = not self.folder.exists()
            self.folder.mkdir(parents=True, exist_ok=True)
            self._check_can_create()
            self._lock.acquire(blocking=False)
        except self._timeout:
            holder = self.holder()
            if not self.wait:
                raise LockedError(
                    f"{holder} is writing to the index at {self.folder}. "
                    "Wait for it to finish, or run again without {field}.",
                    field="no_wait",
                ) from None
            if self.on_wait:
                self.on_wait(f"Waiting for {holder} to finish writing to the index…")
            self._lock.acquire()
        except OSError as exc:
            raise StoreError(
                f"Cannot write to the index folder {self.folder}: {exc.strerror or exc}. "
                "Choose another {field}.",
                field="db_path",
            ) from None
        self._write_owner()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        (self.folder / OWNER_NAME).unlink(missing_ok=True)
        self._lock.release()
        if self._created:
            self._remove_if_unused()

    def _remove_if_unused(self) -> None:
        """Remove the folder this writer made if it wrote nothing there (a model that would
        not load, say): only its lock file is left, and no index should appear."""
        try:
            if os.listdir(self.folder) == [LOCK_NAME]:
                (self.folder / LOCK_NAME).unlink()
                self.folder.rmdir()
        except OSError:
            pass  # another writer has begun here: the folder is theirs now

    def _check_can_create(self) -> None:
        """Open the lock file ourselves first: filelock takes a file it cannot create for
        one another process holds, and would wait for it forever."""
        path = self.folder / LOCK_NAME
        try:
            os.close(os.open(path, os.O_RDWR | os.O_CREAT, 0o644))
        except OSError as exc:
            raise StoreError(
                f"Cannot create the lock file {path}: {exc.strerror or exc}. "
                "Choose another {field}, a folder you can write to.",
                field="db_path",
            ) from None

    def holder(self) -> str:
        """Who holds the lock, as read from the owner file ("another process" if unknown)."""
        try:
            owner = parse_json((self.folder / OWNER_NAME).read_bytes())
            started = time.strftime("%H:%M:%S", time.localtime(owner["started"]))
            return f"moviembed (pid {owner['pid']}, `{owner['command']}`, since {started})"
        except (OSError, ValueError, KeyError, TypeError):
            return "another moviembed process"

    def _write_owner(self) -> None:
        owner = {
            "pid": os.getpid(),
            "command": self.description[:200],
            "started": time.time(),
        }
        (self.folder / OWNER_NAME).write_text(json.dumps(owner), encoding="utf-8")


def writer_running(folder: Path) -> bool:
    """True while a live moviembed process holds the write lock on `folder`, as the owner
    file says. Read-only: taking the lock to test it would make a starting writer wait."""
    try:
        pid = int(json.loads((folder / OWNER_NAME).read_text(encoding="utf-8"))["pid"])
        os.kill(pid, 0)  # signal 0 only asks whether the process exists
    except PermissionError:
        return True  # alive, but another user's
    except (OSError, ValueError, KeyError, TypeError):
        return False  # no owner file, a damaged one, or a writer killed before removing it
    return True
