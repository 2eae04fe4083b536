"""The library's arguments by name: filters as `Filters.parse` takes them, and choices (a
search mode, a rank order) as their members or their values, checked once for every method."""

from __future__ import annotations

import inspect
from enum import Enum
from typing import Any, TypeVar

from moviembed.errors import UsageError
from moviembed.search.filters import Filters

_E = TypeVar("_E", bound=Enum)
# The keyword names `Filters.parse` takes, which every search method accepts as `**filters`.
FILTER_NAMES = tuple(inspect.signature(Filters.parse).parameters)


def filters_from(given: Filters | None, values: dict[str, Any]) -> Filters:
    """`Filters.parse(**values)`, or `given` (not both); UsageError for an unknown name.
    `genres` may be one genre or several."""
    unknown = sorted(set(values) - set(FILTER_NAMES))
    if unknown:
        raise UsageError(f"Unknown option(s): {', '.join(unknown)}.")
    if given is not None and values:
        raise UsageError("Give filters either as a Filters or by name, not both.")
    genres = values.pop("genres", None) or ()
    values["genres"] = [genres] if isinstance(genres, str) else list(genres)
    return given or Filters.parse(**values)


def choice(kind: type[_E], value: Any, field: str) -> _E:
    """`value` as a member of `kind`; UsageError naming the field and the choices."""
    try:
        return kind(value)
    except ValueError:
        names = ", ".join(str(member.value) for member in kind)
        raise UsageError(f"{{field}} {value!r} is not one of {names}.", field=field) from None
