"""Where movies come from: the bundled catalog or a catalog file in the same shape.

Every record is validated before anything is indexed, and the first bad one is
reported with its position, so a typo never half-builds an index.
"""

from __future__ import annotations

import datetime as dt
import re
from importlib import resources
from pathlib import Path
from typing import Any

from moviembed.errors import InputError
from moviembed.files import json_error_detail, parse_json, read_user_text
from moviembed.movie import (
    MAX_RUNTIME,
    SIGNALS,
    TMDB_GENRES,
    Movie,
    check_lengths,
    is_tmdb_id,
    signals_from,
)

EARLIEST_YEAR = 1870
_ISO_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
REQUIRED_FIELDS = tuple(
    "id title release_date genres director cast runtime original_language overview".split()
)


def bundled_catalog_path() -> Path:
    """The catalog shipped inside the package (`moviembed/data/catalog.json`)."""
    return Path(str(resources.files("moviembed") / "data" / "catalog.json"))


def load_catalog(path: Path | None = None) -> list[Movie]:
    """Read and validate a catalog file (JSON array or JSON lines); the bundled one by default."""
    path = path or bundled_catalog_path()
    text = read_user_text(path, "catalog file")
    return validate_records(_parse_json_records(text, path), source=path.name)


def validate_records(records: list[Any], source: str = "catalog") -> list[Movie]:
    """Turn raw records into movies, stopping at the first invalid or duplicate one."""
    movies: list[Movie] = []
    seen: set[int] = set()
    for position, record in enumerate(records, start=1):
        try:
            movie = parse_record(record)
        except ValueError as exc:
            raise InputError(f"{source}: record {position}{_label(record)}: {exc}") from None
        if movie.id in seen:
            raise InputError(f"{source}: record {position}{_label(record)}: duplicate id.")
        seen.add(movie.id)
        movies.append(movie)
    return movies


def parse_record(record: Any) -> Movie:
    """Check one catalog record strictly; raises ValueError saying which field is wrong."""
    if not isinstance(record, dict):
        raise ValueError(f"expected an object, got {type(record).__name__}")
    missing = [name for name in REQUIRED_FIELDS if name not in record]
    if missing:
        raise ValueError(f"missing field(s) {', '.join(missing)}")
    genres = _string_list(record, "genres")
    unknown = sorted(set(genres) - TMDB_GENRES)
    if unknown:
        raise ValueError(f"unknown genre(s) {', '.join(unknown)}")
    language = _text(record, "original_language")
    if not (language.isalpha() and len(language) == 2 and language.islower()):
        raise ValueError(f"original_language {language!r} is not a two-letter ISO 639-1 code")
    movie = Movie(
        id=_movie_id(record),
        title=_text(record, "title"),
        release_date=_release_date(record),
        genres=tuple(genres),
        director=_text(record, "director"),
        cast=tuple(_string_list(record, "cast")),
        runtime=_runtime(record),
        original_language=language,
        overview=_text(record, "overview"),
        keywords=tuple(_string_list(record, "keywords")) if "keywords" in record else (),
        **_signals(record),
    )
    check_lengths(movie)
    return movie


def _signals(record: dict[str, Any]) -> dict[str, Any]:
    """The optional ranking facts; one that is present must be usable."""
    signals = signals_from(record)
    for name in SIGNALS:
        if name in record and name not in signals:
            raise ValueError(
                f"{name} {record[name]!r} is not usable (popularity > 0, vote_count >= 0, "
                "vote_average 0-10 with votes, poster_path '/...')"
            )
    return signals


def _parse_json_records(text: str, path: Path) -> list[Any]:
    """A JSON array, or one JSON object per line; errors name the file's line."""
    if text.lstrip().startswith("["):
        data = _loads(text, path, first_line=1)
    else:
        data = [
            _loads(line, path, first_line=number)
            for number, line in enumerate(text.splitlines(), start=1)
            if line.strip()
        ]
    if not data:
        raise InputError(f"{path.name} holds no movies.")
    return data


def _loads(text: str, path: Path, first_line: int) -> Any:
    try:
        return parse_json(text)
    except ValueError as exc:
        detail = json_error_detail(exc, first_line)
        raise InputError(f"{path.name} is not valid JSON{detail}.") from None


def _label(record: Any) -> str:
    if isinstance(record, dict) and "id" in record:
        title = record.get("title")
        return f" (id {record['id']!r}{f', {title!r}' if isinstance(title, str) else ''})"
    return ""


def _text(record: dict[str, Any], name: str) -> str:
    value = record[name]
    if not isinstance(value, str) or not value.strip():
        raise ValueError(f"{name} must be a non-empty string")
    return value.strip()


def _movie_id(record: dict[str, Any]) -> int:
    if not is_tmdb_id(record["id"]):
        raise ValueError(f"id must be a TMDB id (a positive integer), got {record['id']!r}")
    return int(record["id"])


def _runtime(record: dict[str, Any]) -> int:
    value = record["runtime"]
    if isinstance(value, bool) or not isinstance(value, int) or not 0 < value < MAX_RUNTIME:
        raise ValueError(f"runtime must be 1 to {MAX_RUNTIME - 1} minutes, got {value!r}")
    return value


def _string_list(record: dict[str, Any], name: str) -> list[str]:
    value = record[name]
    if not isinstance(value, list) or not value:
        raise ValueError(f"{name} must be a non-empty list of strings")
    if not all(isinstance(item, str) and item.strip() for item in value):
        raise ValueError(f"{name} must hold only non-empty strings")
    return [item.strip() for item in value]


def _release_date(record: dict[str, Any]) -> str:
    value = _text(record, "release_date")
    try:
        if not _ISO_DATE.fullmatch(value):
            raise ValueError
        date = dt.date.fromisoformat(value)
    except ValueError:
        raise ValueError(f"release_date {value!r} is not a YYYY-MM-DD date") from None
    latest = dt.date.today().year + 5
    if not EARLIEST_YEAR <= date.year <= latest:
        raise ValueError(f"release_date {value!r} is outside {EARLIEST_YEAR}-{latest}")
    return value
