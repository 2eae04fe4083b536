"""Lists of TMDB movie ids from files: text, CSV, JSON, or a pickle such as `movie_ids.pkl`.

Bad or repeated ids are reported, not fatal: one typo should not stop a build
of thousands. Pickles are read with an unpickler that builds only plain
containers, numbers and numpy arrays; anything else is refused before any of
its code can run.
"""

from __future__ import annotations

import csv
import functools
import io
import json
import pickle
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from moviembed.errors import InputError
from moviembed.files import decode_text, read_user_bytes
from moviembed.movie import as_movie_id

MAX_ID_FILE_BYTES = 64 * 1024 * 1024
ID_COLUMNS = ("id", "movie_id", "tmdb_id")
PICKLE_SUFFIXES = (".pkl", ".pickle")


@dataclass
class IdList:
    """Valid ids in file order (each once) and a line per problem found."""

    ids: list[int] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)


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


def read_id_file(path: Path) -> IdList:
    """Ids from a `.txt`, `.csv`, `.json` or `.pkl` file; unreadable files raise InputError."""
    data = read_user_bytes(path, "ids file", max_bytes=MAX_ID_FILE_BYTES)
    if not data.strip():
        raise InputError(f"{path.name} is empty: put one TMDB movie id per line.")
    suffix = path.suffix.lower()
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
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise InputError(
            f"{path.name} is not valid JSON (line {exc.lineno}, column {exc.colno}): {exc.msg}."
        ) from None
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
