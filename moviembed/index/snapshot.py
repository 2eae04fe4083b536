"""Reading a local index without writing to it: a private snapshot for ChromaDB to open.

ChromaDB writes to every folder it opens, even to only read: its SQLite file records a
write lock on each open, and the vector index files are rewritten when it lets them go.
An index on a read-only mount, in another user's folder or in a backup would fail to
open. So readers of an index they may not write open a copy (a writable index is opened
as it is: a copy per reader would cost time and space that grow with the catalog): the
SQLite file through SQLite's backup API over a read-only connection (a consistent
state, even while a build writes), and the vector index folders file by file. The copy
lives in the system's temporary folder and is removed when its last reader closes: the
readers of one process share the copy of an unchanged index (and ChromaDB then shares
the vector index it loads from it).
"""

from __future__ import annotations

import contextlib
import logging
import shutil
import sqlite3
import tempfile
import threading
import weakref
from pathlib import Path
from typing import Any

from moviembed.errors import StoreError

log = logging.getLogger(__name__)


Key = tuple[str, int, int, int, int]
_SHARED: dict[Key, Snapshot] = {}
_GUARD = threading.Lock()


def open_snapshot(source: Path, database: str) -> Snapshot:
    """A snapshot of the index in `source` as it is now: the one this process already holds
    of the same unchanged database file, or a new one; `close_snapshot` it when done."""
    try:
        info = (source / database).stat()
    except OSError as exc:
        raise StoreError(_unreadable(source, exc)) from None
    key = (str(source.absolute()), info.st_dev, info.st_ino, info.st_mtime_ns, info.st_size)
    with _GUARD:
        snapshot = _SHARED.get(key)
        if snapshot is None:
            snapshot = _SHARED[key] = Snapshot(source, database)
        snapshot.users += 1
    return snapshot


def close_snapshot(snapshot: Snapshot) -> None:
    """One user fewer; the last one removes the copy."""
    with _GUARD:
        snapshot.users -= 1
        if snapshot.users > 0:
            return
        for key, shared in list(_SHARED.items()):
            if shared is snapshot:
                del _SHARED[key]
    snapshot.remove()


class Snapshot:
    """A private copy of the index in `source`, removed on `remove()` or at exit."""

    def __init__(self, source: Path, database: str) -> None:
        self.users = 0
        self.folder = Path(tempfile.mkdtemp(prefix="moviembed-read-"))
        self._finalizer = weakref.finalize(self, shutil.rmtree, self.folder, True)
        try:
            _copy_vector_folders(source, self.folder)  # first: see `_copy_vector_folders`
            _copy_database(source / database, self.folder / database)
        except (OSError, sqlite3.Error) as exc:
            self.remove()
            raise StoreError(_unreadable(source, exc)) from None

    def remove(self) -> None:
        """Delete the copy (safe to call twice)."""
        self._finalizer()


def read_only_uri(path: Path) -> str:
    """A SQLite URI that opens `path` for reading only: no journal, no lock file, no write."""
    return f"{path.absolute().as_uri()}?mode=ro"


def live_collection_value(database: Path, collection: str, key: str) -> Any:
    """One key of a collection's metadata, read from the index itself (not a snapshot), so a
    long-running reader notices another process's writes; None when absent."""
    query = (
        "SELECT m.str_value, m.int_value, m.float_value FROM collection_metadata m "
        "JOIN collections c ON c.id = m.collection_id WHERE c.name = ? AND m.key = ?"
    )
    with contextlib.closing(sqlite3.connect(read_only_uri(database), uri=True)) as db:
        row = db.execute(query, (collection, key)).fetchone()
    return next((value for value in row if value is not None), None) if row else None


def _copy_database(source: Path, target: Path) -> None:
    with (
        contextlib.closing(sqlite3.connect(read_only_uri(source), uri=True)) as reader,
        contextlib.closing(sqlite3.connect(target)) as writer,
    ):
        reader.backup(writer)


def _copy_vector_folders(source: Path, target: Path) -> None:
    """Copy each vector index folder (one per collection segment). They are copied before the
    database: a build writing meanwhile can then only make the copy miss its newest
    vectors, never hold vectors the database does not know."""
    for entry in source.iterdir():
        if entry.is_dir() and not entry.is_symlink():
            shutil.copytree(entry, target / entry.name, symlinks=True)


def _unreadable(source: Path, exc: BaseException) -> str:
    reason = getattr(exc, "strerror", None) or str(exc) or exc.__class__.__name__
    log.debug("Cannot copy %s for reading: %s", source, exc)
    return (
        f"Cannot read the index at {source}: {reason}. Check that you may read every file "
        "in it, and that the temporary folder (TMPDIR) has room for a copy."
    )
