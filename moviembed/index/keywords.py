"""A keyword (BM25) index of the stored documents, for hybrid search.

It is a derived cache in SQLite FTS5, kept outside the Chroma folder (in the
cache dir) so it works the same for a local index and a Chroma server. Each
build stamps the collection with a new generation; the keyword index records
the generation it was made from and is rebuilt from the collection's documents
when they differ. Rebuilding writes a new file and renames it over the old
one, so concurrent readers never see a half-built index.

Title words weigh TITLE_WEIGHT times body words in BM25 (FTS5 column
weights), so "Heat" finds the movie called Heat before movies that mention
heat. The file records its SCHEMA version; a cache written by an older layout
is rebuilt like a stale one.

Cost: a rebuild reads every document once (about a second for 5,000 movies);
a query is one FTS5 lookup of a few milliseconds, whatever the catalog size.
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
from pathlib import Path

from moviembed.errors import StoreError
from moviembed.index.reader import IndexReader

log = logging.getLogger(__name__)

_WORD = re.compile(r"\w+")
SCHEMA = "3"  # bump whenever _SCHEMA or what goes into its tables changes
TITLE_WEIGHT = 5.0  # chosen on the tuning half of benchmarks/quality_queries.json
_SCHEMA = """
CREATE TABLE info (key TEXT PRIMARY KEY, value TEXT);
CREATE VIRTUAL TABLE docs USING fts5(
    id UNINDEXED, title, body, tokenize = 'porter unicode61 remove_diacritics 2'
);
"""


class KeywordIndex:
    """BM25 search over a store's documents, rebuilt when the store's generation changes."""

    def __init__(self, path: Path, title_weight: float = TITLE_WEIGHT) -> None:
        self.path = path
        self.title_weight = title_weight
        self._open = threading.local()  # each thread's connection, and which file it is to

    @classmethod
    def for_store(cls, store: IndexReader, cache_dir: Path) -> KeywordIndex:
        """The keyword index belonging to `store`, kept under `cache_dir/keywords/`."""
        key = hashlib.sha256(store.identity.encode()).hexdigest()
        return cls(cache_dir / "keywords" / f"{key[:24]}.sqlite3")

    def ensure_current(self, store: IndexReader) -> bool:
        """Rebuild from `store` if missing or stale; True when a rebuild happened."""
        generation = f"{SCHEMA}:{store.generation() or ''}"
        if self._generation() == generation:
            return False
        self.rebuild(store, generation)
        return True

    def rebuild(self, store: IndexReader, generation: str) -> None:
        """Index every stored document afresh, then swap the new file in atomically."""
        try:
            self._write(store, generation)
        except (OSError, sqlite3.Error) as exc:
            raise StoreError(
                f"Cannot write the keyword index at {self.path} ({exc}); "
                "check MOVIEMBED_CACHE_DIR is writable."
            ) from None
        log.debug("Rebuilt the keyword index at %s", self.path)

    def _write(self, store: IndexReader, generation: str) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        handle, temp = tempfile.mkstemp(dir=self.path.parent, suffix=".tmp")
        os.close(handle)
        try:
            with contextlib.closing(sqlite3.connect(temp)) as db:
                db.executescript(_SCHEMA)
                newest = 0
                for page in store.iter_movies():
                    rows = [
                        (hit["id"], hit["metadata"].get("title", ""), hit["document"])
                        for hit in page
                    ]
                    db.executemany("INSERT INTO docs (id, title, body) VALUES (?, ?, ?)", rows)
                    newest = max([newest, *(hit["metadata"].get("year") or 0 for hit in page)])
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
        try:
            stat = self.path.stat()
        except FileNotFoundError:
            return None
        identity = (stat.st_dev, stat.st_ino, stat.st_mtime_ns)
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


def _quoted(phrase: str) -> str:
    """`phrase` as an FTS5 string: its words in order, matched after tokenizing."""
    return '"' + phrase.replace('"', '""') + '"'
