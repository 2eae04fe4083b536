"""TMDB's daily id export (`movie_ids_MM_DD_YYYY.json.gz`), read as a stream.

Each line is one movie: `{"adult":false,"id":550,"original_title":"Fight Club",
"popularity":61.4,"video":false}`, about a million of them. The choice of ids is made
here, before any request: adult titles are left out unless asked for, a popularity
floor applies, and `limit` keeps the most popular through a bounded heap, so memory
follows the ids kept rather than the size of the file.
"""

from __future__ import annotations

import heapq
import math
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any, NamedTuple

from moviembed.errors import InputError
from moviembed.files import parse_json
from moviembed.movie import as_movie_id

MAX_EXPORT_BYTES = 2 * 2**30  # uncompressed; the whole export is about 100 MB today
MAX_LINE_BYTES = 64 * 1024  # a line is ~100 bytes; a longer one is not an export line
MAX_PROBLEMS = 50  # problem lines kept for the user; the rest are counted


@dataclass(frozen=True)
class IdSelection:
    """Which ids of a list to index: a popularity floor, adult titles or not, how many."""

    min_popularity: float | None = None
    include_adult: bool = False
    limit: int | None = None  # the most popular (or, without popularity, the first) N

    @property
    def needs_popularity(self) -> bool:
        """True when the selection reads popularity, which only the export carries."""
        return self.min_popularity is not None


class Selected(NamedTuple):
    """The ids kept, the lines that were not usable, and a line saying what was kept."""

    ids: list[int]
    problems: list[str]
    summary: str


@dataclass
class _Tally:
    listed: int = 0
    adult: int = 0
    unpopular: int = 0
    bad_lines: int = 0

    def summary(self, name: str, kept: int, selection: IdSelection) -> str:
        parts = [f"{name}: {kept:,} of {self.listed:,} movies kept"]
        if self.adult:
            titles = "title" if self.adult == 1 else "titles"
            parts.append(f"{self.adult:,} adult {titles} left out (--include-adult keeps them)")
        if self.unpopular:
            parts.append(f"{self.unpopular:,} below popularity {selection.min_popularity:g}")
        if selection.limit is not None and kept == selection.limit:
            parts.append(f"the {kept:,} most popular")
        return "; ".join(parts) + "."


def read_export(stream: IO[bytes], path: Path, selection: IdSelection) -> Selected:
    """The ids the selection keeps, most popular first when limited, and a summary line."""
    tally = _Tally()
    problems: list[str] = []
    kept = _Kept(selection.limit)
    for number, record in _records(stream, path, problems, tally):
        movie_id = as_movie_id(record.get("id"))
        if movie_id is None:
            _problem(problems, tally, f"line {number}: no valid movie id (skipped)")
            continue
        tally.listed += 1
        if record.get("adult") is True and not selection.include_adult:
            tally.adult += 1
            continue
        popularity = _popularity(record.get("popularity"))
        if selection.min_popularity is not None and popularity < selection.min_popularity:
            tally.unpopular += 1
            continue
        kept.offer(movie_id, popularity, number)
    if tally.bad_lines > len(problems):
        problems.append(f"… and {tally.bad_lines - len(problems):,} more lines were skipped")
    ids = kept.ids()
    if not ids:
        raise InputError(
            f"{path.name} leaves no movie to index ({tally.summary(path.name, 0, selection)})"
        )
    return Selected(ids, problems, tally.summary(path.name, len(ids), selection))


class _Kept:
    """The ids kept so far: all of them in file order, or the `limit` most popular.

    TMDB's export lists each id once; should a file repeat one, the repeat is ignored
    while the first is among the kept.
    """

    def __init__(self, limit: int | None) -> None:
        self.limit = limit
        self._ordered: dict[int, None] = {}
        self._heap: list[tuple[float, int, int]] = []  # (popularity, -line, id): smallest first
        self._in_heap: set[int] = set()

    def offer(self, movie_id: int, popularity: float, line: int) -> None:
        if self.limit is None:
            self._ordered.setdefault(movie_id)
            return
        if movie_id in self._in_heap:
            return
        entry = (popularity, -line, movie_id)
        if len(self._heap) < self.limit:
            heapq.heappush(self._heap, entry)
        elif entry > self._heap[0]:
            self._in_heap.discard(heapq.heapreplace(self._heap, entry)[2])
        else:
            return
        self._in_heap.add(movie_id)

    def ids(self) -> list[int]:
        if self.limit is None:
            return list(self._ordered)
        return [movie_id for *_, movie_id in sorted(self._heap, reverse=True)]


def _records(
    stream: IO[bytes], path: Path, problems: list[str], tally: _Tally
) -> Iterator[tuple[int, dict[str, Any]]]:
    """(line number, object) for each JSON line; other lines become problems."""
    total = 0
    number = 0
    while line := stream.readline(MAX_LINE_BYTES + 1):
        number += 1
        total += len(line)
        if total > MAX_EXPORT_BYTES:
            raise InputError(
                f"{path.name} holds over {MAX_EXPORT_BYTES // 2**30} GiB of lines; "
                "an id export is about 100 MB. Is it the right file?"
            )
        if len(line) > MAX_LINE_BYTES:
            raise InputError(f"{path.name} line {number} is over 64 KiB: not an id export line.")
        if not line.strip():
            continue
        try:
            record = parse_json(line)
        except ValueError:
            record = None
        if isinstance(record, dict):
            yield number, record
        else:
            _problem(problems, tally, f"line {number}: not a JSON object (skipped)")


def _problem(problems: list[str], tally: _Tally, message: str) -> None:
    tally.bad_lines += 1
    if len(problems) < MAX_PROBLEMS:
        problems.append(message)


def _popularity(value: Any) -> float:
    """TMDB's popularity as a number; missing or nonsense counts as 0."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return 0.0
    return float(value) if math.isfinite(value) else 0.0
