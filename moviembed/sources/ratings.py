"""Films a person rated or watched, from the files they can export: Letterboxd's CSVs (or the
whole export .zip), IMDb's ratings export, or a plain CSV with titles, years or TMDB ids.

The format is told from the header, not the file name, so a renamed export still reads.
Ratings come out on one 0-10 scale (Letterboxd's stars doubled). Rows that cannot be used
(a TV series on IMDb, a row without a title) are skipped, not fatal: one odd row should
not stop a taste of hundreds of films. Matching the films to an index is search's job.
"""

from __future__ import annotations

import csv
import io
import zipfile
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from pathlib import Path

from moviembed.errors import InputError
from moviembed.files import read_user_bytes
from moviembed.movie import as_movie_id

MAX_RATINGS_BYTES = 32 * 2**20  # a file, or one CSV inside an export .zip
ZIP_MAGIC = b"PK\x03\x04"
# Read from a Letterboxd export in this order, so a later file's rating wins: the diary
# holds ratings as they were when logged, ratings.csv the current one.
LETTERBOXD_FILES = ("diary.csv", "reviews.csv", "watched.csv", "ratings.csv")
LETTERBOXD_FOLDERS = {"lists", "likes", "deleted", "orphaned"}
IMDB_MOVIE_TYPES = {"movie", "tvmovie", "tv movie", "video"}
TITLE_COLUMNS = ("title", "name", "original_title")
ID_COLUMNS = ("tmdb_id", "tmdbid", "tmdb", "id", "movie_id")
RATING_COLUMNS = ("rating", "your rating", "score", "stars")


@dataclass(frozen=True)
class RatedFilm:
    """One row: what names the film, and its rating on a 0-10 scale (None: only watched)."""

    title: str
    year: int | None = None
    tmdb_id: int | None = None
    rating: float | None = None
    original_title: str = ""
    where: str = ""  # e.g. "ratings.csv line 4", for messages

    @property
    def label(self) -> str:
        return f"{self.title} ({self.year})" if self.year else self.title


@dataclass
class RatingsFile:
    """The films read from one file, in file order, and what kind of file it was."""

    kind: str  # "Letterboxd", "IMDb" or "CSV"
    films: list[RatedFilm] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)  # rows not used, and why


def read_ratings(path: Path) -> RatingsFile:
    """The films in a ratings export at `path`; InputError with one clear line if unreadable."""
    return parse_ratings(read_user_bytes(path, "ratings file", MAX_RATINGS_BYTES), path.name)


def parse_ratings(data: bytes, name: str) -> RatingsFile:
    """The films in an export's bytes (`name` is used in messages only)."""
    if data.startswith(ZIP_MAGIC):
        return _from_letterboxd_zip(data, name)
    return _from_csv(_decode(data, name), name)


def _decode(data: bytes, name: str) -> str:
    """UTF-8 (with or without a BOM), else Windows-1252: older IMDb exports and files saved
    by spreadsheet programs on Windows are in it."""
    if not data.strip():
        raise InputError(f"{name} is empty: export your ratings as CSV and pass that file.")
    if b"\x00" in data:
        raise InputError(f"{name} is a binary file, not a CSV ratings export.")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return data.decode("cp1252", errors="replace")


def _from_letterboxd_zip(data: bytes, name: str) -> RatingsFile:
    """The diary, reviews, watched and ratings files of a Letterboxd export, in that order."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        members = {_export_name(info.filename): info for info in archive.infolist()}
        chosen = [members[file] for file in LETTERBOXD_FILES if file in members]
        if not chosen:
            raise InputError(
                f"{name} is a .zip without ratings.csv, watched.csv or diary.csv; "
                "pass Letterboxd's export .zip or one of its CSV files."
            )
        result = RatingsFile("Letterboxd")
        for info in chosen:
            if info.file_size > MAX_RATINGS_BYTES:
                raise InputError(f"{name}: {info.filename} is over the size limit.")
            part = _from_csv(_decode(archive.read(info), info.filename), info.filename)
            result.films += part.films
            result.skipped += part.skipped
        return result
    except (zipfile.BadZipFile, zipfile.LargeZipFile, NotImplementedError, EOFError) as exc:
        raise InputError(f"{name} is not a readable .zip file ({exc}).") from None


def _export_name(path: str) -> str:
    """`ratings.csv` for `ratings.csv` or `letterboxd-someone/ratings.csv`; lists, likes and
    deleted entries keep their folder, so they never stand in for the main files."""
    parts = path.split("/")
    return parts[-1] if len(parts) == 1 or parts[-2] not in LETTERBOXD_FOLDERS else path


def _from_csv(text: str, name: str) -> RatingsFile:
    try:
        reader = csv.DictReader(io.StringIO(text, newline=""))
        columns = {column.strip().lower(): column for column in reader.fieldnames or [] if column}
        kind, read_row = _format_of(columns, name)
        result = RatingsFile(kind)
        for row in reader:
            where = f"{name} line {reader.line_num}"
            film = read_row(
                {key: (row.get(column) or "").strip() for key, column in columns.items()}
            )
            if isinstance(film, RatedFilm):
                result.films.append(replace(film, where=where))
            elif film:
                result.skipped.append(f"{where}: {film}")
        return _stars_doubled(result) if kind == "CSV" else result
    except csv.Error as exc:
        raise InputError(f"{name} is not valid CSV: {exc}.") from None


RowReader = Callable[[dict[str, str]], "RatedFilm | str"]  # a film, or why the row was skipped


def _format_of(columns: dict[str, str], name: str) -> tuple[str, RowReader]:
    """Which export the header belongs to, and how to read its rows."""
    if {"letterboxd uri", "name"} <= columns.keys():
        if "watchlist" in name.rsplit("/", 1)[-1].lower():  # watched.csv's columns, unseen films
            raise InputError(
                f"{name} is a Letterboxd watchlist: films not seen yet say nothing of a taste. "
                "Pass ratings.csv, watched.csv, diary.csv or the whole export .zip."
            )
        return "Letterboxd", _letterboxd_row
    if {"const", "your rating", "title"} <= columns.keys():
        return "IMDb", _imdb_row
    if any(column in columns for column in TITLE_COLUMNS + ID_COLUMNS):
        return "CSV", _plain_row
    found = ", ".join(columns.values()) or "no header"
    raise InputError(
        f"{name} is not a ratings export: expected Letterboxd's (Name, Year, Letterboxd URI), "
        f"IMDb's (Const, Your Rating, Title) or a CSV with a title or tmdb_id column; "
        f"found {found[:200]}."
    )


def _letterboxd_row(row: dict[str, str]) -> RatedFilm | str:
    if not row.get("name"):
        return "no film name"
    stars = _number(row.get("rating", ""))
    rating = 2 * stars if stars is not None and 0 < stars <= 5 else None
    return RatedFilm(row["name"], _year(row.get("year", "")), rating=rating)


def _imdb_row(row: dict[str, str]) -> RatedFilm | str:
    kind = row.get("title type", "movie").lower()
    if kind.replace("_", " ") not in IMDB_MOVIE_TYPES:
        return ""  # a series, an episode, a game: not a movie, skipped without a word
    if not row.get("title"):
        return "no title"
    rating = _number(row.get("your rating", ""))
    return RatedFilm(
        row["title"],
        _year(row.get("year", "")),
        rating=rating if rating is not None and 1 <= rating <= 10 else None,
        original_title=row.get("original title", ""),
    )


def _plain_row(row: dict[str, str]) -> RatedFilm | str:
    title = next((row[column] for column in TITLE_COLUMNS if row.get(column)), "")
    raw_id = next((row[column] for column in ID_COLUMNS if row.get(column)), "")
    movie_id = as_movie_id(raw_id) if raw_id else None
    if not title and movie_id is None:
        return f"no title and no valid TMDB id ({raw_id!r})" if raw_id else "no title or id"
    rating = next((_number(row[c]) for c in RATING_COLUMNS if row.get(c)), None)
    return RatedFilm(
        title or f"TMDB id {movie_id}",
        _year(row.get("year", "")),
        tmdb_id=movie_id,
        rating=rating if rating is not None and 0 <= rating <= 10 else None,
    )


def _number(text: str) -> float | None:
    try:
        value = float(text.replace(",", "."))
    except ValueError:
        return None
    return value if value == value else None  # NaN is no rating


def _year(text: str) -> int | None:
    digits = text.strip()[:4]
    return int(digits) if digits.isdigit() and 1870 <= int(digits) <= 2200 else None


def _stars_doubled(files: RatingsFile) -> RatingsFile:
    """A plain CSV's ratings are 0.5-5 stars when none is above 5 (doubled), else 1-10."""
    rated = [film.rating for film in files.films if film.rating is not None]
    if not rated or max(rated) > 5:
        return files
    films = [replace(f, rating=None if f.rating is None else 2 * f.rating) for f in files.films]
    return RatingsFile(files.kind, films, files.skipped)
