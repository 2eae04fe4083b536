"""An on-disk cache of raw TMDB movie responses, one JSON file per movie id.

Re-runs read movies from here instead of asking TMDB again. Writes are atomic, so an
interrupted build never leaves a half-written file, and a damaged file is just a miss.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import re
from pathlib import Path
from typing import Any

from moviembed.errors import InputError, MoviembedError, UsageError
from moviembed.files import parse_json, read_user_bytes, write_atomically
from moviembed.movie import is_tmdb_id

log = logging.getLogger(__name__)

FOLDER_MODE = 0o700
MAX_ENTRY_BYTES = 16 * 2**20  # TMDB answers run to tens of KiB
_PLAIN_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]{0,63}")


class ResponseCache:
    """`folder/movies/<id>.json` files holding `{"fetched_at": ISO-8601 UTC, "data": raw}`.

    Only TMDB's answers are stored; the API key travels in the request, never in them.
    Nothing is created until the first `put`, so reading never touches the disk layout.
    """

    def __init__(self, folder: Path) -> None:
        self.folder = Path(folder)
        self.movies_folder = self.folder / "movies"

    @classmethod
    def under(cls, root: Path, *names: str) -> ResponseCache:
        """The cache in `root/names...`; each name must be a plain file name (defence in
        depth: a setting such as the language becomes a folder, and must not climb out)."""
        for name in names:
            if not _PLAIN_NAME.fullmatch(name):
                raise UsageError(f"{name!r} cannot name a cache folder: use letters, digits, -_.")
        return cls(root.joinpath(*names))

    def __repr__(self) -> str:
        return f"ResponseCache({str(self.folder)!r})"

    def path_for(self, movie_id: int) -> Path:
        """The file that holds `movie_id` (which need not exist)."""
        return self.movies_folder / f"{_checked_id(movie_id)}.json"

    def get(self, movie_id: int, fetched_since: dt.datetime | None = None) -> dict[str, Any] | None:
        """The cached raw response, or None when absent, unreadable or older than
        `fetched_since`."""
        entry = self._read(movie_id)
        if entry is None or (fetched_since is not None and entry[0] < fetched_since):
            return None
        return entry[1]

    def fetched_at(self, movie_id: int) -> dt.datetime | None:
        """When the cached response was fetched (UTC), or None when not cached."""
        entry = self._read(movie_id)
        return entry[0] if entry else None

    def __contains__(self, movie_id: object) -> bool:
        if not is_tmdb_id(movie_id):
            return False
        return self._read(movie_id) is not None

    def put(self, movie_id: int, data: dict[str, Any]) -> None:
        """Store `data` for `movie_id`, replacing any older copy in one atomic step."""
        path = self.path_for(movie_id)
        if not isinstance(data, dict) or data.get("id", movie_id) != movie_id:
            raise UsageError(f"The data to cache for movie {movie_id} is not that movie.")
        entry = {"fetched_at": _now().isoformat(), "data": data}
        try:
            text = json.dumps(entry, ensure_ascii=False, allow_nan=False)
        except (TypeError, ValueError) as exc:
            raise UsageError(
                f"The data to cache for movie {movie_id} is not JSON: {exc}."
            ) from None
        try:
            self._make_folders()
            write_atomically(path, lambda handle: handle.write(text))
        except OSError as exc:
            raise MoviembedError(
                f"Cannot write the TMDB cache file {path}: {exc.strerror or exc}. "
                f"Check that {self.folder} is writable."
            ) from None

    def _make_folders(self) -> None:
        for folder in (self.folder, self.movies_folder):
            if not folder.is_dir():
                folder.mkdir(mode=FOLDER_MODE, parents=True, exist_ok=True)
                folder.chmod(FOLDER_MODE)  # mkdir's mode is filtered by the umask

    def _read(self, movie_id: int) -> tuple[dt.datetime, dict[str, Any]] | None:
        """(fetched_at, data) from the file, or None for a missing or damaged one."""
        path = self.path_for(movie_id)
        try:
            entry = parse_json(read_user_bytes(path, "cache file", MAX_ENTRY_BYTES))
        except (InputError, ValueError) as exc:
            log.debug("Ignoring unreadable cache file %s: %s", path, exc)
            return None
        data = entry.get("data") if isinstance(entry, dict) else None
        fetched = _parse_time(entry.get("fetched_at")) if isinstance(entry, dict) else None
        if not isinstance(data, dict) or data.get("id") != movie_id or fetched is None:
            log.debug("Ignoring cache file %s: not a cached TMDB movie %d", path, movie_id)
            return None
        return fetched, data


def _checked_id(movie_id: int) -> int:
    """Only positive integers name files, so an id can never point outside the folder."""
    if not is_tmdb_id(movie_id):
        raise UsageError(f"TMDB movie ids are positive integers, not {movie_id!r}.")
    return movie_id


def _parse_time(value: Any) -> dt.datetime | None:
    if not isinstance(value, str):
        return None
    try:
        moment = dt.datetime.fromisoformat(value)
    except ValueError:
        return None
    if moment.tzinfo is None:
        return None
    return moment.astimezone(dt.timezone.utc)


def _now() -> dt.datetime:
    return dt.datetime.now(dt.timezone.utc)
