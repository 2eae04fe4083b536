"""Lists of TMDB movie ids from files: text, CSV, JSON, a pickle such as `movie_ids.pkl`,
or TMDB's daily id export (JSON lines); any of them may be gzipped.

Bad or repeated ids are reported, not fatal: one typo should not stop a build
of thousands. Pickles are read with an unpickler that builds only plain
containers, numbers and numpy arrays; anything else is refused before any of
its code can run.
"""

from __future__ import annotations

import csv
import functools
import gzip
import io
import pickle
import zlib
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

from moviembed.errors import InputError, UsageError
from moviembed.files import decode_text, json_error_detail, open_regular, parse_json
from moviembed.movie import as_movie_id
from moviembed.sources.idexport import IdSelection, read_export

MAX_ID_FILE_BYTES = 64 * 1024 * 1024
ID_COLUMNS = ("id", "movie_id", "tmdb_id")
PICKLE_SUFFIXES = (".pkl", ".pickle")
GZIP_MAGIC = b"\x1f\x8b"


@dataclass
class IdList:
    """Valid ids in file order (each once) and a line per problem found."""

    ids: list[int] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    summary: str | None = None  # what a selection kept, for the user


def normalize_ids(values: Iterable[tuple[str, Any]]) -> IdList:
    """Keep positive integer ids once each; `values` pairs each raw value with where it was."""
    result = IdList()
    seen: Counter[int] = Counter()
    for where, value in values:
        movie_id = as_movie_id(value)
        if movie_id is None:
            result.problems.append(f"{where}: {value!r} is not a positive integer id (skipped)")
            continue
        seen[movie_id] += 1
        if seen[movie_id] == 1:
            result.ids.append(movie_id)
    for movie_id, times in seen.items():
        if times > 1:
            result.problems.append(f"id {movie_id} is listed {times} times (indexed once)")
    return result


def read_id_file(path: Path, selection: IdSelection | None = None) -> IdList:
    """Ids from a `.txt`, `.csv`, `.json`, `.pkl` file or an id export, gzipped or not;
    unreadable files raise InputError. `selection` narrows them before any request."""
    selection = selection or IdSelection()
    with open_regular(path, "ids file") as handle:
        try:
            stream: IO[bytes] = handle
            if handle.peek(2)[:2] == GZIP_MAGIC:
                stream = gzip.GzipFile(fileobj=handle)  # type: ignore[assignment]
            if _is_id_export(stream.peek(8192)):  # type: ignore[attr-defined]
                selected = read_export(stream, path, selection)
                return IdList(selected.ids, selected.problems, summary=selected.summary)
            data = stream.read(MAX_ID_FILE_BYTES + 1)
        except (OSError, EOFError, zlib.error) as exc:
            raise InputError(f"Cannot read {path.name}: {_gzip_reason(exc)}.") from None
    if len(data) > MAX_ID_FILE_BYTES:
        raise InputError(
            f"{path.name} is over the {MAX_ID_FILE_BYTES // 2**20} MiB limit for ids files. "
            "Split it into several files."
        )
    return _select(_parse_id_file(data, path), selection, path)


def _is_id_export(head: bytes) -> bool:
    """True when the first line is a JSON object with an id, as in TMDB's daily export."""
    first, newline, _ = head.lstrip().partition(b"\n")
    if not first.startswith(b"{") or (not newline and len(head) >= 8192):
        return False
    try:
        record = parse_json(first)
    except ValueError:
        return False
    return isinstance(record, dict) and "id" in record


def _gzip_reason(exc: BaseException) -> str:
    if isinstance(exc, (gzip.BadGzipFile, EOFError, zlib.error)):
        return "it is not a complete gzip file"
    return getattr(exc, "strerror", None) or str(exc)


def _parse_id_file(data: bytes, path: Path) -> IdList:
    if not data.strip():
        raise InputError(f"{path.name} is empty: put one TMDB movie id per line.")
    suffixes = [suffix.lower() for suffix in path.suffixes]
    suffix = suffixes[-2] if suffixes[-1:] == [".gz"] and len(suffixes) > 1 else path.suffix
    suffix = suffix.lower()
    if suffix in PICKLE_SUFFIXES:
        values = _ids_from_pickle(data, path)
    else:
        text = decode_text(data, path)
        if suffix == ".csv":
            values = _ids_from_csv(text, path)
        elif suffix == ".json":
            values = _ids_from_json(text, path)
        else:
            values = _ids_from_text(text)
    result = normalize_ids(values)
    if not result.ids:
        detail = f" ({result.problems[0]})" if result.problems else ""
        raise InputError(f"{path.name} holds no valid movie ids{detail}.")
    return result


def _select(ids: IdList, selection: IdSelection, path: Path) -> IdList:
    """A plain id list has no popularity: a limit takes the first ids, a floor cannot apply."""
    if selection.needs_popularity:
        raise UsageError(
            f"{path.name} has no popularity to filter by: {{field}} works with "
            "TMDB's daily id export (movie_ids_MM_DD_YYYY.json.gz).",
            field="min_popularity",
        )
    if selection.include_adult:
        raise UsageError(
            f"{path.name} does not say which titles are adult: {{field}} works with "
            "TMDB's daily id export (movie_ids_MM_DD_YYYY.json.gz).",
            field="include_adult",
        )
    if selection.limit is not None and selection.limit < len(ids.ids):
        listed = len(ids.ids)
        ids.ids = ids.ids[: selection.limit]
        ids.summary = f"{path.name}: the first {len(ids.ids):,} of {listed:,} ids kept."
    return ids


def _ids_from_text(text: str) -> list[tuple[str, Any]]:
    values = []
    for number, line in enumerate(text.splitlines(), start=1):
        content = line.split("#", 1)[0].strip()
        if content:
            values.append((f"line {number}", content))
    return values


def _ids_from_csv(text: str, path: Path) -> list[tuple[str, Any]]:
    try:
        reader = csv.DictReader(io.StringIO(text, newline=""))
        columns = {name.strip().lower(): name for name in reader.fieldnames or [] if name}
        column = next((columns[name] for name in ID_COLUMNS if name in columns), None)
        if column is None:
            raise InputError(
                f"{path.name} has no id column: expected one of {', '.join(ID_COLUMNS)}, "
                f"found {', '.join(columns.values()) or 'no header'}."
            )
        return [(f"line {reader.line_num}", row.get(column)) for row in reader]
    except csv.Error as exc:
        raise InputError(f"{path.name} is not valid CSV: {exc}.") from None


def _ids_from_json(text: str, path: Path) -> list[tuple[str, Any]]:
    try:
        data = parse_json(text)
    except ValueError as exc:
        raise InputError(f"{path.name} is not valid JSON{json_error_detail(exc)}.") from None
    if not isinstance(data, list):
        raise InputError(f"{path.name} must hold a JSON list of ids or of objects with an id.")
    return [(f"item {number}", _id_of(item)) for number, item in enumerate(data, start=1)]


def _id_of(item: Any) -> Any:
    if isinstance(item, dict):
        return next((item[name] for name in ID_COLUMNS if name in item), item)
    return item


# -- pickles -------------------------------------------------------------------


class _PandasStub:
    """Stands in for any pandas class while unpickling: records data, runs no pandas code."""

    args: tuple[Any, ...] = ()
    state: Any = None

    def __new__(cls, *args: Any, **kwargs: Any) -> _PandasStub:
        stub = super().__new__(cls)
        stub.args = args
        return stub

    def __setstate__(self, state: Any) -> None:
        self.state = state


@functools.cache
def _numpy_globals() -> dict[tuple[str, str], Any]:
    import numpy as np

    try:
        from numpy._core.multiarray import _reconstruct, scalar
    except ImportError:  # numpy < 2
        from numpy.core.multiarray import _reconstruct, scalar  # type: ignore[no-redef]
    allowed: dict[tuple[str, str], Any] = {("numpy", "ndarray"): np.ndarray}
    allowed[("numpy", "dtype")] = np.dtype
    for module in ("numpy.core.multiarray", "numpy._core.multiarray"):
        allowed[(module, "_reconstruct")] = _reconstruct
        allowed[(module, "scalar")] = scalar
    for module in ("numpy.core.numeric", "numpy._core.numeric"):
        allowed[(module, "_frombuffer")] = np.frombuffer
    return allowed


class _Refused(pickle.UnpicklingError):
    """A pickle asked for a global we do not allow."""


class _RestrictedUnpickler(pickle.Unpickler):
    """Builds plain containers, numbers, numpy arrays and inert pandas stand-ins only."""

    _builtins = {"set": set, "frozenset": frozenset, "slice": slice, "range": range}

    def find_class(self, module: str, name: str) -> Any:
        if module in ("builtins", "__builtin__") and name in self._builtins:
            return self._builtins[name]
        if module == "pandas" or module.startswith("pandas."):
            return type(name, (_PandasStub,), {})
        allowed = _numpy_globals().get((module, name))
        if allowed is not None:
            return allowed
        raise _Refused(f"{module}.{name}")


def _ids_from_pickle(data: bytes, path: Path) -> list[tuple[str, Any]]:
    try:
        obj = _RestrictedUnpickler(io.BytesIO(data)).load()
    except _Refused as exc:
        raise InputError(
            f"{path.name} holds a Python object other than a list, array or pandas Series of "
            f"ids ({exc}); it was refused without running it."
        ) from None
    except Exception as exc:  # truncated or garbage bytes raise many types
        raise InputError(
            f"{path.name} is not a readable pickle: {exc.__class__.__name__}."
        ) from None
    values = _pickled_values(obj, path)
    return [(f"item {number}", value) for number, value in enumerate(values, start=1)]


def _pickled_values(obj: Any, path: Path) -> list[Any]:
    import numpy as np

    if isinstance(obj, (list, tuple, set, frozenset)):
        return sorted(obj) if isinstance(obj, (set, frozenset)) else list(obj)
    if isinstance(obj, np.ndarray) and obj.dtype.kind in "iuf" and obj.ndim == 1:
        return obj.tolist()
    if isinstance(obj, _PandasStub) and type(obj).__name__ == "Series":
        values = _series_values(obj.state)
        if values is not None:
            return _pickled_values(values, path)
    kind = type(obj).__name__
    raise InputError(
        f"{path.name} holds a {kind}; expected a list, a 1-d numpy array or a pandas Series of ids."
    )


def _series_values(state: Any) -> Any:
    """The values array in a pickled Series: its block is the dict with `values` and `mgr_locs`."""
    if isinstance(state, dict):
        if "values" in state and "mgr_locs" in state:
            return state["values"]
        children: Iterable[Any] = state.values()
    elif isinstance(state, (list, tuple)):
        children = state
    elif isinstance(state, _PandasStub):
        children = (state.state, *state.args)
    else:
        return None
    for child in children:
        found = _series_values(child)
        if found is not None:
            return found
    return None
