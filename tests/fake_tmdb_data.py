"""What the fake TMDB serves besides movies: lists, the change feed, the daily id export.

`ChangeLog` remembers which movies changed on which day and answers `/movie/changes`
the way TMDB does: a window of at most 14 days, 100 ids a page. `revise` makes a
change real, so a sync has something to pick up: a new overview (the document
changes, the movie is embedded again) or new votes (metadata only).
"""

from __future__ import annotations

import datetime as dt
import gzip
import json
from collections.abc import Iterable
from pathlib import Path
from typing import Any

CHANGES_PAGE_SIZE = 100
MAX_WINDOW = dt.timedelta(days=14)
INVALID_DATES = (422, 47, "The input is not valid.")
INVALID_PAGE = (400, 22, "Invalid page: Pages start at 1 and max at 500.")
REVISIONS = ("overview", "votes")


class ChangeLog:
    """Movie ids by the day TMDB would list them as changed."""

    def __init__(self) -> None:
        self.days: dict[dt.date, set[int]] = {}

    def record(self, movie_ids: Iterable[int], day: dt.date) -> None:
        self.days.setdefault(day, set()).update(movie_ids)

    def revise(
        self,
        movies: dict[int, dict[str, Any]],
        movie_ids: Iterable[int],
        day: dt.date | None = None,
        kind: str = "overview",
    ) -> None:
        """Change these movies in `movies` and list them as changed on `day` (today)."""
        if kind not in REVISIONS:
            raise ValueError(f"kind is one of {REVISIONS}")
        ids = list(movie_ids)
        for movie_id in ids:
            movie = movies[movie_id]
            if kind == "overview":
                movie["overview"] = f"{movie.get('overview') or ''} Now restored and re-cut."
            else:
                movie["vote_count"] = int(movie.get("vote_count") or 0) + 1000
                movie["popularity"] = round(float(movie.get("popularity") or 0) * 2 + 1, 3)
        self.record(ids, day or dt.date.today())

    def answer(self, params: dict[str, str]) -> tuple[int, dict[str, Any]]:
        """(HTTP status, body) for `/movie/changes` with these query parameters."""
        try:
            end = dt.date.fromisoformat(params.get("end_date") or dt.date.today().isoformat())
            start = dt.date.fromisoformat(
                params.get("start_date") or (end - dt.timedelta(days=1)).isoformat()
            )
        except ValueError:
            return _error(*INVALID_DATES)
        if end < start or end - start >= MAX_WINDOW:
            return _error(*INVALID_DATES)
        raw_page = params.get("page", "1")
        if not raw_page.isdigit() or not 1 <= int(raw_page) <= 500:
            return _error(*INVALID_PAGE)
        page = int(raw_page)
        changed = sorted(
            {movie_id for day, ids in self.days.items() if start <= day <= end for movie_id in ids}
        )
        chunk = changed[(page - 1) * CHANGES_PAGE_SIZE : page * CHANGES_PAGE_SIZE]
        return 200, {
            "results": [{"id": movie_id, "adult": False} for movie_id in chunk],
            "page": page,
            "total_pages": max(1, -(-len(changed) // CHANGES_PAGE_SIZE)),
            "total_results": len(changed),
        }


def _error(status: int, code: int, message: str) -> tuple[int, dict[str, Any]]:
    return status, {"success": False, "status_code": code, "status_message": message}


def export_line(movie: dict[str, Any]) -> dict[str, Any]:
    """A movie as one line of TMDB's daily id export."""
    return {
        "adult": bool(movie.get("adult", False)),
        "id": movie["id"],
        "original_title": movie.get("original_title", movie.get("title")),
        "popularity": float(movie.get("popularity") or 0.0),
        "video": bool(movie.get("video", False)),
    }


def write_id_export(movies: Iterable[dict[str, Any]], path: Path) -> Path:
    """Write `movie_ids_MM_DD_YYYY.json.gz`-style gzipped JSON lines to `path`."""
    with gzip.open(path, "wt", encoding="utf-8") as handle:
        for movie in movies:
            handle.write(json.dumps(export_line(movie)) + "\n")
    return path


def ordered_lists(movies: dict[int, dict[str, Any]]) -> dict[str, list[dict[str, Any]]]:
    """Each list is every movie, in an order like TMDB's own."""
    ordered = list(movies.values())
    return {
        "popular": sorted(ordered, key=lambda m: -float(m.get("popularity") or 0)),
        "top_rated": sorted(ordered, key=lambda m: -float(m.get("vote_average") or 0)),
        "now_playing": sorted(ordered, key=lambda m: m.get("release_date") or "", reverse=True),
    }


def list_summary(movie: dict[str, Any]) -> dict[str, Any]:
    """A movie as the list endpoints show it."""
    return {
        "id": movie["id"],
        "title": movie.get("title"),
        "original_title": movie.get("original_title", movie.get("title")),
        "original_language": movie.get("original_language"),
        "release_date": movie.get("release_date"),
        "overview": movie.get("overview", ""),
        "genre_ids": [g["id"] for g in movie.get("genres") or [] if "id" in g],
        "popularity": movie.get("popularity", 0.0),
        "vote_average": movie.get("vote_average", 0.0),
        "vote_count": movie.get("vote_count", 0),
    }
