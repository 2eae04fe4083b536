"""A keyword (BM25) index of the stored documents, for hybrid search.

It is a derived cache in SQLite FTS5, kept outside the Chroma folder (in the
cache dir) so it works the same for a local index and a Chroma server. Each
build stamps the collection with a new generation; the keyword index records
the generation it was made from and is rebuilt from the collection's documents
when they differ. Rebuilding writes a new file and renames it over the old
one, so concurrent readers never see a half-built index. A writer that knows what
it changed (`Changes`: the ids written and removed since the generation the keyword
index records) updates those rows in place instead, in one transaction, which readers
see whole or not at all; when it cannot tell (another write came between, the schema
changed, no file yet), it rebuilds.

Title words weigh TITLE_WEIGHT times body words in BM25 (FTS5 column
weights), so "Heat" finds the movie called Heat before movies that mention
heat. The file records its SCHEMA version; a cache written by an older layout
is rebuilt like a stale one.

Cost: a rebuild reads every document once (about a second for 5,000 movies), an update
only the changed ones; a query is one FTS5 lookup of a few milliseconds, whatever the
catalog size.
"""

from __future__ import annotations

import contextlib
import hashlib
import logging
import os
import re
import sqlite3
import tempfile
import threading
from collections.abc import Iterator
from pathlib import Path

from moviembed.errors import StoreError
from moviembed.index.reader import IndexReader
from moviembed.index.records import Changes, StoredMovie

log = logging.getLogger(__name__)

_WORD = re.compile(r"\w+")
SCHEMA = "4"  # bump whenever _SCHEMA or what goes into its tables changes
TITLE_WEIGHT = 5.0  # chosen on the tuning half of benchmarks/quality_queries.json
UPDATE_PAGE = 1000  # changed movies read from the store at a time
FileIdentity = tuple[int, int, int]
# `rows` finds a movie's FTS row by id (an UNINDEXED FTS column cannot be looked up).
_SCHEMA = """
CREATE TABLE info (key TEXT PRIMARY KEY, value TEXT);
CREATE TABLE rows (id TEXT PRIMARY KEY, row INTEGER NOT NULL) WITHOUT ROWID;
CREATE VIRTUAL TABLE docs USING fts5(
    id UNINDEXED, title, body, tokenize = 'porter unicode61 remove_diacritics 2'
);
"""


class KeywordIndex:
    """BM25 search over a store's documents, rebuilt when the store's generation changes."""

    def __init__(
        self, path: Path, title_weight: float = TITLE_WEIGHT, *, pinned: bool = False
    ) -> None:
        """`pinned`: reads see the file only as `pin` last saw it (see there)."""
        self.path = path
        self.title_weight = title_weight
        self.pinned = pinned
        self._pin: tuple[FileIdentity | None, str | None] = (None, None)  # file, generation
        self._open = threading.local()  # each thread's connection, and which file it is to

    @classmethod
    def for_store(
        cls, store: IndexReader, cache_dir: Path, *, pinned: bool = False
    ) -> KeywordIndex:
        """The keyword index belonging to `store`, kept under `cache_dir/keywords/`."""
        key = hashlib.sha256(store.identity.encode()).hexdigest()
        return cls(cache_dir / "keywords" / f"{key[:24]}.sqlite3", pinned=pinned)

    def pin(self, store: IndexReader) -> None:
        """Bring the index up to date with `store`, then pin reads to the file as it is now.

        For a long-running reader: a build in another process rewrites the shared file at
        its end, before the reader has reopened its store (a local Chroma cannot read movies
        written after it opened), so a pinned index reads a file only while it holds the
        generation pinned here, and otherwise finds nothing (ranking by meaning alone) until
        the reader reopens and pins again. A failed rebuild only leaves keyword ranking
        behind, so it is logged."""
        try:
            self.ensure_current(store)
        except StoreError as exc:
            log.warning("%s Keyword matches may be out of date.", exc)
        self.pinned = True
        self._pin = (_identity(self.path), self._generation())

    def ensure_current(self, store: IndexReader) -> bool:
        """Rebuild from `store` if missing or stale; True when a rebuild happened."""
        return self.follow(store, None)

    def follow(self, store: IndexReader, changes: Changes | None) -> bool:
        """Bring the index up to date after a write that recorded `changes`: only those
        movies when the index was current just before them and nothing came after, else
        all of them if it is missing or stale. True when anything was written."""
        now = store.generation()
        generation, recorded = f"{SCHEMA}:{now or ''}", self._generation()
        if recorded == generation:
            return False
        following = changes is not None and changes.latest == now
        if not following or recorded != f"{SCHEMA}:{changes.base or ''}":
            self.rebuild(store, generation)
            return True
        with self._writing("update"):
            self._update(store, changes, generation)
        log.debug(
            "Updated the keyword index at %s: %d written, %d removed",
            self.path,
            len(changes.written),
            len(changes.removed),
        )
        return True

    def rebuild(self, store: IndexReader, generation: str) -> None:
        """Index every stored document afresh, then swap the new file in atomically."""
        with self._writing("write"):
            self._write(store, generation)
        log.debug("Rebuilt the keyword index at %s", self.path)

    @contextlib.contextmanager
    def _writing(self, what: str) -> Iterator[None]:
        try:
            yield
        except (OSError, sqlite3.Error) as exc:
            raise StoreError(
                f"Cannot {what} the keyword index at {self.path} ({exc}); "
                "check MOVIEMBED_CACHE_DIR is writable."
            ) from None

    def _update(self, store: IndexReader, changes: Changes, generation: str) -> None:
        """Replace the rows of the written movies and drop the removed ones, in one
        transaction (readers see the old index or the new one)."""
        gone = sorted(changes.removed | changes.written)
        written = sorted(changes.written)
        with contextlib.closing(sqlite3.connect(self.path)) as db, db:
            start = db.execute("SELECT coalesce(max(row), 0) + 1 FROM rows").fetchone()[0]
            for first in range(0, len(gone), UPDATE_PAGE):
                page = [(id_,) for id_ in gone[first : first + UPDATE_PAGE]]
                db.executemany(
                    "DELETE FROM docs WHERE rowid = (SELECT row FROM rows WHERE id = ?)", page
                )
                db.executemany("DELETE FROM rows WHERE id = ?", page)
            newest = 0
            for first in range(0, len(written), UPDATE_PAGE):
                hits = store.get_by_ids(written[first : first + UPDATE_PAGE])
                newest = max(newest, _insert(db, hits, start))
                start += len(hits)
            db.execute("UPDATE info SET value = ? WHERE key = 'generation'", (generation,))
            db.execute(  # a removed film may have been the newest: a later year stays, harmless
                "UPDATE info SET value = max(CAST(value AS INTEGER), ?) WHERE key = 'newest_year'",
                (newest,),
            )

    def _write(self, store: IndexReader, generation: str) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        handle, temp = tempfile.mkstemp(dir=self.path.parent, suffix=".tmp")
        os.close(handle)
        try:
            with contextlib.closing(sqlite3.connect(temp)) as db:
                db.executescript(_SCHEMA)
                row, newest = 1, 0
                for page in store.iter_movies():
                    newest = max(newest, _insert(db, page, row))
                    row += len(page)
                db.execute("INSERT INTO info VALUES ('generation', ?)", (generation,))
                db.execute("INSERT INTO info VALUES ('newest_year', ?)", (str(newest),))
                db.commit()
            os.replace(temp, self.path)
        finally:
            with contextlib.suppress(FileNotFoundError):
                os.unlink(temp)

    def search(
        self, text: str, limit: int, title_weight: float | None = None
    ) -> list[tuple[str, float]]:
        """(id, relevance) of the documents that best match the words of `text`, best first;
        relevance is BM25's (higher is better), comparable within one query only. Title
        words weigh `title_weight` (default: the index's) times body words."""
        words = _WORD.findall(text)
        if not words:
            return []
        expression = " OR ".join(_quoted(word) for word in words)
        rows = self._read(
            "SELECT id, -bm25(docs, 0, ?, 1) AS relevance FROM docs WHERE docs MATCH ? "
            "ORDER BY relevance DESC LIMIT ?",
            (title_weight or self.title_weight, expression, limit),
        )
        return [(movie_id, relevance) for movie_id, relevance in rows]

    def containing(self, column: str, phrases: list[str], limit: int) -> list[tuple[str, str, str]]:
        """(id, title, document) of up to `limit` movies whose `column` ("title" or "body")
        holds every one of `phrases` (each a run of words), for looking names and titles up."""
        expression = " AND ".join(f"{column} : {_quoted(phrase)}" for phrase in phrases)
        return self._read(
            "SELECT id, title, body FROM docs WHERE docs MATCH ? LIMIT ?", (expression, limit)
        )

    def newest_year(self) -> int | None:
        """The latest release year among the indexed movies (None: unknown or no index)."""
        rows = self._read("SELECT value FROM info WHERE key = 'newest_year'", ())
        return int(rows[0][0]) or None if rows else None

    def _read(self, sql: str, parameters: tuple) -> list[tuple]:
        try:
            db = self._connection()
            return [] if db is None else db.execute(sql, parameters).fetchall()
        except sqlite3.Error as exc:
            raise StoreError(f"Cannot read the keyword index at {self.path} ({exc}).") from None

    def _connection(self) -> sqlite3.Connection | None:
        """This thread's read-only connection to the file now at `path` (None: no file).

        Kept open between searches, which saves a sixth of a search's time in a service; a
        rebuild puts a new file in place, and the next search here opens that one.
        """
        identity = _identity(self.path)
        if identity is None:
            return None
        if self.pinned and identity != self._pin[0]:  # rewritten since the pin: from what?
            if self._generation() != self._pin[1]:
                return None
            self._pin = (identity, self._pin[1])  # the same generation, rewritten alike
        if getattr(self._open, "identity", None) != identity:
            if getattr(self._open, "db", None) is not None:
                self._open.db.close()
            self._open.db = sqlite3.connect(f"file:{self.path}?mode=ro", uri=True)
            self._open.identity = identity
        db: sqlite3.Connection = self._open.db
        return db

    def _generation(self) -> str | None:
        if not self.path.exists():
            return None
        try:
            with contextlib.closing(sqlite3.connect(f"file:{self.path}?mode=ro", uri=True)) as db:
                row = db.execute("SELECT value FROM info WHERE key = 'generation'").fetchone()
        except sqlite3.DatabaseError:
            log.debug("Unreadable keyword index at %s; rebuilding", self.path)
            return None
        return row[0] if row else None


def _identity(path: Path) -> FileIdentity | None:
    """Which file is at `path` now (device, inode, modification time); None: none."""
    try:
        stat = path.stat()
    except FileNotFoundError:
        return None
    return stat.st_dev, stat.st_ino, stat.st_mtime_ns


def _quoted(phrase: str) -> str:
    """`phrase` as an FTS5 string: its words in order, matched after tokenizing."""
    return '"' + phrase.replace('"', '""') + '"'


def _insert(db: sqlite3.Connection, hits: list[StoredMovie], first_row: int) -> int:
    """Add `hits` as rows `first_row`, `first_row` + 1, ...; the latest year among them."""
    numbered = list(enumerate(hits, start=first_row))
    db.executemany("INSERT INTO rows (id, row) VALUES (?, ?)", [(h["id"], n) for n, h in numbered])
    db.executemany(
        "INSERT INTO docs (rowid, id, title, body) VALUES (?, ?, ?, ?)",
        [(n, h["id"], h["metadata"].get("title", ""), h["document"]) for n, h in numbered],
    )
    return max((hit["metadata"].get("year") or 0 for hit in hits), default=0)
