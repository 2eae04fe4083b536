"""The connection to ChromaDB: a local folder or a server, and Chroma's errors made readable.

Kept apart from the store so the store reads as what an index of movies does,
not how a client is made, authenticated or addressed. A local index this process may not
write (a read-only mount, another user's folder) is read through a snapshot
(`moviembed.index.snapshot`): ChromaDB writes to every folder it opens.
"""

from __future__ import annotations

import contextlib
import importlib
import importlib.util
import logging
import os
import sqlite3
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from moviembed.config import chroma_server_url, server_address
from moviembed.errors import MoviembedError, StoreError, first_line
from moviembed.files import refuse_non_folder
from moviembed.index.snapshot import (
    Snapshot,
    close_snapshot,
    live_collection_value,
    open_snapshot,
    read_only_uri,
)

log = logging.getLogger(__name__)

DATABASE_NAME = "chroma.sqlite3"
LOCK_PREFIX = "moviembed.lock"  # the writer's lock and owner files (moviembed.index.lock)
CHROMA_TABLES = frozenset({"collections", "segments", "embeddings", "embedding_metadata"})


class ChromaConnection:
    """A lazily made Chroma client for a folder (`persist_dir`) or a server (`url`)."""

    def __init__(
        self,
        persist_dir: Path,
        *,
        url: str | None = None,
        token: str | None = None,
        tenant: str | None = None,
        database: str | None = None,
    ) -> None:
        # Absolute now: `import_chromadb` changes the working directory for a moment.
        self.persist_dir = Path(os.path.abspath(persist_dir))
        self.url = chroma_server_url(url) if url else None
        self._token = token
        self._tenant = tenant
        self._database = database
        self._client: Any = None
        self._writing = False  # False: an index it may not write is read through a snapshot
        self._snapshot: Snapshot | None = None

    @property
    def is_remote(self) -> bool:
        """True when the index lives on a Chroma server."""
        return self.url is not None

    @property
    def location(self) -> str:
        """Where the index lives, for messages (never holds credentials)."""
        return self.url or str(self.persist_dir)

    def identity(self, collection: str) -> str:
        """What tells `collection` here apart from any other, for cache keys."""
        place = self.location
        if self.is_remote:
            place = f"{place}/{self._tenant or ''}/{self._database or ''}"
        return f"{place}\0{collection}"

    def client(self) -> Any:
        """The Chroma client, made on first use."""
        if self._client is None:
            self._client = self._http_client() if self.is_remote else self._local_client()
        return self._client

    def close(self) -> None:
        """Release the client (see `EmbeddingStore.close`); the next use makes a new one."""
        client, self._client = self._client, None
        snapshot, self._snapshot = self._snapshot, None
        try:
            if client is not None:
                with self.errors("close the index"):
                    client.close()
        finally:
            if snapshot is not None:
                close_snapshot(snapshot)

    def begin_writing(self) -> bool:
        """Open the index itself from now on, for writing; True when a snapshot that was
        open for reading was closed (the caller drops what it got from it)."""
        if self._writing:
            return False
        self._writing = True
        was_open = self._client is not None
        self.close()
        return was_open

    def live_value(self, collection: str, key: str) -> Any:
        """A key of `collection`'s metadata as the index holds it now (a local index is read
        from its folder, not from the snapshot this connection reads)."""
        if self.is_remote or self._writing:
            with self.errors("read the collection"):
                fresh = self.client().get_collection(collection, embedding_function=None)
            return (fresh.metadata or {}).get(key)
        with self.errors("read the collection"):
            return live_collection_value(self.persist_dir / DATABASE_NAME, collection, key)

    def local_index_exists(self) -> bool:
        """True when the folder holds a Chroma database (a reader never creates one).

        No folder, or an empty one, is an index not built yet; a reader given a folder of
        other files (a typo, `/proc/1`) is told so rather than shown an empty index.
        """
        refuse_non_folder(self.persist_dir)
        try:
            if (self.persist_dir / DATABASE_NAME).exists():
                return True
            others = (
                self.persist_dir.is_dir()
                and not self._writing
                and _holds_other_files(self.persist_dir)
            )
        except OSError as exc:
            raise StoreError(f"Cannot look at {self.persist_dir}: {exc.strerror or exc}.") from None
        if others:
            raise StoreError(
                f"{self.persist_dir} is not a moviembed index: it holds other files but no "
                f"{DATABASE_NAME}. Choose the index folder with {{field}} (or MOVIEMBED_DB).",
                field="db_path",
            )
        return False

    def batch_size(self) -> int:
        """The most records one Chroma call may carry, less one for safety."""
        with self.errors("ask for the batch size"):  # a server call, so it can fail
            return max(1, int(self.client().get_max_batch_size()) - 1)

    @contextmanager
    def errors(self, action: str) -> Iterator[None]:
        """Turn ChromaDB's many exception types into one StoreError with a readable line."""
        try:
            yield
        except MoviembedError:
            raise
        except Exception as exc:
            log.debug("ChromaDB failed to %s", action, exc_info=True)
            raise StoreError(
                f"ChromaDB could not {action} at {self.location}: {first_line(exc)}"
            ) from exc

    def _local_client(self) -> Any:
        refuse_non_folder(self.persist_dir)
        database = self.persist_dir / DATABASE_NAME
        refuse_foreign_database(database)
        chromadb = import_chromadb()
        folder = self.persist_dir
        if not self._writing and database.exists() and not _writable(self.persist_dir, database):
            self._snapshot = open_snapshot(self.persist_dir, DATABASE_NAME)
            folder = self._snapshot.folder
        try:
            return chromadb.PersistentClient(path=str(folder), settings=_chroma_settings())
        except Exception as exc:  # sqlite, Rust and permission errors alike
            log.debug("ChromaDB failed to open %s", self.persist_dir, exc_info=True)
            raise StoreError(
                f"Cannot open the index at {self.persist_dir}: {first_line(exc)}. If it is "
                "damaged, move it aside and run `moviembed build` (or `moviembed import` "
                "a backup)."
            ) from exc

    def _http_client(self) -> Any:
        chromadb = import_chromadb()

        assert self.url is not None
        host, port, ssl = server_address(self.url)
        # A plain header rather than Chroma's auth provider: the token then never sits
        # in a Settings object, whose repr would show it.
        headers = {"Authorization": f"Bearer {self._token}"} if self._token else None
        optional = {"tenant": self._tenant, "database": self._database}
        try:
            return chromadb.HttpClient(
                host=host,
                port=port,
                ssl=ssl,
                headers=headers,
                settings=_chroma_settings(),
                **{key: value for key, value in optional.items() if value},
            )
        except Exception as exc:  # a ValueError wrapping httpx's ConnectError, mostly
            log.debug("Cannot reach Chroma at %s", self.url)
            reason = _scrubbed(first_line(exc.__context__ or exc), self._token)
            raise StoreError(
                f"Cannot reach the Chroma server at {self.url} ({reason}). "
                "Start it (chroma run --path DIR) or check {field} (MOVIEMBED_CHROMA_URL).",
                field="chroma_url",
            ) from None


def _chroma_settings() -> Any:
    """Chroma settings from our values only: no `./.env` of Chroma's own, no telemetry."""
    return import_chromadb().Settings(anonymized_telemetry=False, _env_file=None)


def import_chromadb() -> Any:
    """The chromadb module, imported from inside its own folder.

    chromadb makes `Settings()` objects while it is imported, and pydantic-settings
    reads `./.env` for each (printing a warning per line it cannot parse). Our
    settings come from `moviembed.config` alone, so the import runs where no `.env` is.
    That changes the working directory of the whole process for a moment, which is why
    `Settings` and `ChromaConnection` make their folders absolute when they are made.
    """
    if "chromadb" in sys.modules:
        return sys.modules["chromadb"]
    spec = importlib.util.find_spec("chromadb")
    folder = Path(spec.origin).parent if spec and spec.origin else None
    try:
        previous = os.getcwd()
        os.chdir(folder or previous)
    except OSError:  # no working folder to come back to: there is no ./.env either
        return importlib.import_module("chromadb")
    try:
        return importlib.import_module("chromadb")
    finally:
        os.chdir(previous)


def _holds_other_files(folder: Path) -> bool:
    """True when `folder` holds anything but a writer's lock files."""
    return any(not name.startswith(LOCK_PREFIX) for name in os.listdir(folder))


def refuse_foreign_database(path: Path) -> None:
    """StoreError unless `path` is absent or a Chroma database, looked at read-only.

    Chroma writes its schema into any SQLite file it opens, so an empty file or
    another program's database in the index folder must be refused before it does.
    """
    if not path.exists():
        return
    try:
        with contextlib.closing(sqlite3.connect(read_only_uri(path), uri=True)) as db:
            tables = {row[0] for row in db.execute("SELECT name FROM sqlite_master")}
    except sqlite3.Error as exc:
        tables = set()
        log.debug("Cannot read %s: %s", path, exc)
    if not CHROMA_TABLES <= tables:
        raise StoreError(
            f"Cannot open the index at {path.parent}: {path.name} is not a Chroma database "
            "(empty, damaged or another program's). Move it aside, or choose another {field}.",
            field="db_path",
        )


def _scrubbed(text: str, secret: str | None) -> str:
    return text.replace(secret, "***") if secret else text


def _writable(folder: Path, database: Path) -> bool:
    """Whether this process may write the index in place. Only an index it may not write
    (a read-only mount, another user's folder) is read through a snapshot: a copy costs
    time and space that grow with the catalog, so a writable index is opened as it is."""
    return os.access(folder, os.W_OK) and os.access(database, os.W_OK)
