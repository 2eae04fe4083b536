"""Read the public TMDB 5000 dataset (Kaggle's two CSV files, plain or gzipped).

Rows are turned into the JSON shape of TMDB's `/movie/{id}` endpoint with
`append_to_response=credits,keywords`, so one converter (`movie_from_tmdb`)
serves the live API, the cache and this dataset alike.
"""

from __future__ import annotations

import csv
import gzip
import io
import math
import sys
import zlib
from collections.abc import Iterator
from pathlib import Path
from typing import IO, Any

from moviembed.errors import InputError
from moviembed.files import open_regular, parse_json
from moviembed.movie import Skipped, as_movie_id

# Crew lists of big productions run past csv's default 128 KiB field limit.
_FIELD_LIMIT = min(sys.maxsize, 2**31 - 1)
MOVIE_COLUMNS = ("id", "title", "genres", "overview", "release_date", "runtime")
CREDIT_COLUMNS = ("movie_id", "cast", "crew")
SIGNAL_COLUMNS = ("popularity", "vote_count", "vote_average")  # optional; absent means unknown

ApiRecord = dict[str, Any]


def _objects(value: Any) -> list[dict[str, Any]]:
    return [item for item in value if isinstance(item, dict)] if isinstance(value, list) else []


def _pick(person: dict[str, Any], *keys: str) -> dict[str, Any]:
    return {key: person.get(key) for key in keys}


def open_text(path: Path) -> IO[str]:
    """Open a CSV for reading, transparently gunzipping `.gz` files."""
    raw = open_regular(path, "dataset file")
    if path.suffix == ".gz":
        return gzip.open(raw, "rt", encoding="utf-8", newline="")
    return io.TextIOWrapper(raw, encoding="utf-8", newline="")


def count_rows(path: Path) -> int:
    """Number of data rows, for progress totals (a quick pass that parses no JSON)."""
    return sum(1 for _ in _rows(path, MOVIE_COLUMNS))


def read_credits(path: Path) -> dict[str, dict[str, list[Any]]]:
    """`movie_id` -> `{"cast": [...], "crew": [...]}` with only the fields we use kept."""
    credits: dict[str, dict[str, list[Any]]] = {}
    for _, row in _rows(path, CREDIT_COLUMNS):
        movie_id = as_movie_id(row.get("movie_id"))
        try:
            cast = parse_json(row.get("cast") or "[]")
            crew = parse_json(row.get("crew") or "[]")
        except ValueError:
            continue  # the movie is still indexed, without credits
        if movie_id is None:
            continue
        credits[str(movie_id)] = {
            "cast": [_pick(p, "name", "order") for p in _objects(cast)],
            "crew": [_pick(p, "name", "job") for p in _objects(crew)],
        }
    return credits


def iter_api_records(
    movies_csv: Path, credits_csv: Path | None = None
) -> Iterator[ApiRecord | Skipped]:
    """TMDB-API-shaped records, one per row; malformed rows come out as `Skipped`."""
    credits = read_credits(credits_csv) if credits_csv else {}
    for line, row in _rows(movies_csv, MOVIE_COLUMNS):
        try:
            record = api_record(row)
        except (ValueError, TypeError, KeyError) as exc:
            yield Skipped(row.get("id") or f"line {line}", f"malformed row: {exc}")
            continue
        record["credits"] = credits.get(str(record["id"]), {"cast": [], "crew": []})
        yield record


def api_record(row: dict[str, str]) -> ApiRecord:
    """One movies.csv row as TMDB's movie JSON (without credits); raises ValueError if bad."""
    raw_id = row.get("id") or ""
    movie_id = as_movie_id(raw_id)
    if movie_id is None:
        raise ValueError(f"id {raw_id!r} is not a TMDB id")
    title = (row.get("title") or "").strip()
    if not title:
        raise ValueError("no title")
    return {
        "id": movie_id,
        "title": title,
        "release_date": (row.get("release_date") or "").strip(),
        "genres": _json_list(row, "genres"),
        "overview": row.get("overview") or "",
        "runtime": _runtime(row.get("runtime") or ""),
        "original_language": (row.get("original_language") or "").strip() or None,
        "keywords": {"keywords": _json_list(row, "keywords")},
        **{name: _optional_number(row.get(name) or "") for name in SIGNAL_COLUMNS},
    }


def _runtime(text: str) -> float | None:
    try:
        value = float(text) if text.strip() else None
    except ValueError:
        raise ValueError(f"runtime {text!r} is not a number") from None
    return value if value is not None and math.isfinite(value) else None


def _optional_number(text: str) -> float | int | None:
    """A ranking signal from the CSV; a blank or garbled cell is just unknown."""
    try:
        value = float(text)
    except ValueError:
        return None
    if not math.isfinite(value):
        return None
    return int(value) if value.is_integer() else value


def _json_list(row: dict[str, str], column: str) -> list[Any]:
    text = row.get(column) or "[]"
    try:
        value = parse_json(text)
    except ValueError:
        raise ValueError(f"{column} is not valid JSON") from None
    if not isinstance(value, list):
        raise ValueError(f"{column} is not a JSON list")
    return value


def _rows(path: Path, required: tuple[str, ...]) -> Iterator[tuple[int, dict[str, str]]]:
    """(line number, row) pairs after checking that the header has the `required` columns."""
    csv.field_size_limit(_FIELD_LIMIT)
    with open_text(path) as handle:
        reader = csv.DictReader(handle)
        try:
            missing = [name for name in required if name not in (reader.fieldnames or [])]
            if missing:
                raise InputError(
                    f"{path.name} is not a TMDB 5000 file: missing column(s) {', '.join(missing)}."
                )
            for row in reader:
                yield reader.line_num, row
        except (UnicodeDecodeError, csv.Error, OSError, EOFError, zlib.error) as exc:
            raise InputError(
                f"{path.name} is damaged near line {reader.line_num}: {exc}."
            ) from None
