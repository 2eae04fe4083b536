"""Graded relevance for the labelled query set in `quality_queries.json`.

Pure functions, no I/O. A query entry (one JSON object) is judged against a
`moviembed.movie.Movie` and gets a grade:

* 2 - a right answer (the movie the query describes, or one matching every part of it)
* 1 - a partial answer (fits the hard constraints but not the query's specific theme,
  or a sequel / near-duplicate of the movie a known-item query describes)
* 0 - not relevant

How an entry is judged:

1. `filters` (only on `filtered` queries) are the structured filters the search
   applies. A movie that fails them can never be a right answer: grade 0.
2. `relevant` maps TMDB ids (strings) to grades 1 or 2; any other movie gets 0.
3. `judge` is a rule over dataset facts. Hard constraints: `genres_all` (every
   genre present), `genres_any` (at least one present), `genres_none` (none
   present), `year` (a range, see `parse_year_range`), `language` (TMDB
   `original_language`, one code or a list), `director` (one name or a list;
   any credited director matches) and `keywords_required` (the movie has at
   least one of these TMDB keywords). A movie failing any of them gets 0.
   Otherwise the soft part decides: 2 if `keywords_any` is empty or the movie
   has one of those TMDB keywords, else 1.

   `keywords_required` is our refinement of the basic scheme: a theme query
   ("heartwarming coming-of-age story") has no genre narrow enough to bound the
   relevant set, so a broad keyword net is a hard constraint (teenager, high
   school, youth...) and the specific keywords (coming of age) earn grade 2.

All text comparisons (genres, keywords, directors, languages) ignore case and
surrounding whitespace. An entry with both `relevant` and `judge` takes the higher
of the two grades (the check script allows this only for `keyword` queries, where
a rule may miss an obviously right answer).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

GRADES = (0, 1, 2)

JUDGE_KEYS = frozenset(
    {
        "genres_all",
        "genres_any",
        "genres_none",
        "keywords_required",
        "keywords_any",
        "year",
        "language",
        "director",
    }
)
FILTER_KEYS = frozenset({"genres", "year", "director", "language"})

_YEAR = r"(\d{4})"
_RANGE_FORMS = (
    (re.compile(rf"^{_YEAR}$"), lambda a: (int(a), int(a))),
    (re.compile(rf"^{_YEAR}\.\.{_YEAR}$"), lambda a, b: (int(a), int(b))),
    (re.compile(rf"^\.\.{_YEAR}$"), lambda b: (None, int(b))),
    (re.compile(rf"^{_YEAR}\.\.$"), lambda a: (int(a), None)),
)


def parse_year_range(text: str) -> tuple[int | None, int | None]:
    """`"1990..1999"` -> (1990, 1999); `"1999"` -> (1999, 1999); `"..1980"` ->
    (None, 1980); `"2010.."` -> (2010, None). Bounds are inclusive.

    Raises ValueError for anything else, including an empty range (start > end).
    """
    cleaned = str(text).strip()
    for pattern, build in _RANGE_FORMS:
        match = pattern.match(cleaned)
        if match:
            start, end = build(*match.groups())
            if start is not None and end is not None and start > end:
                raise ValueError(f"year range {text!r} is empty (start after end)")
            return start, end
    raise ValueError(f"year range {text!r} is not one of 'YYYY', 'A..B', '..YYYY' or 'YYYY..'")


def year_in_range(year: int | None, text: str) -> bool:
    """Whether `year` lies in the range `text`; an unknown year lies in no range."""
    start, end = parse_year_range(text)
    if year is None:
        return False
    return (start is None or year >= start) and (end is None or year <= end)


def relevance(entry: dict[str, Any], movie: Any) -> int:
    """The grade (0, 1 or 2) of `movie` for the query `entry` (see the module docstring)."""
    filters = entry.get("filters")
    if filters and not passes_filters(filters, movie):
        return 0
    grade = 0
    relevant = entry.get("relevant")
    if relevant:
        grade = int(relevant.get(str(movie.id), 0))
    rule = entry.get("judge")
    if rule:
        grade = max(grade, rule_grade(rule, movie))
    return grade


def passes_filters(filters: dict[str, Any], movie: Any) -> bool:
    """Whether `movie` survives the structured filters a `filtered` query sets.

    `genres`: the movie has every listed genre; `year`: a range; `director`: one
    of the movie's credited directors; `language`: its original language.
    """
    if "genres" in filters and not _has_all(movie.genres, filters["genres"]):
        return False
    if "year" in filters and not year_in_range(movie.year, filters["year"]):
        return False
    if "director" in filters and not _has_any(movie.directors, _as_list(filters["director"])):
        return False
    if "language" in filters and not _has_any(
        [movie.original_language or ""], _as_list(filters["language"])
    ):
        return False
    return True


def rule_grade(rule: dict[str, Any], movie: Any) -> int:
    """The grade a `judge` rule gives: 0 on a failed hard constraint, else 2 or 1."""
    if not passes_hard(rule, movie):
        return 0
    keywords = _as_list(rule.get("keywords_any") or [])
    if not keywords or _has_any(movie.keywords, keywords):
        return 2
    return 1


def passes_hard(rule: dict[str, Any], movie: Any) -> bool:
    """Whether `movie` meets every hard constraint of a `judge` rule."""
    if "genres_all" in rule and not _has_all(movie.genres, rule["genres_all"]):
        return False
    if "genres_any" in rule and not _has_any(movie.genres, rule["genres_any"]):
        return False
    if "genres_none" in rule and _has_any(movie.genres, rule["genres_none"]):
        return False
    if "year" in rule and not year_in_range(movie.year, rule["year"]):
        return False
    if "language" in rule and not _has_any(
        [movie.original_language or ""], _as_list(rule["language"])
    ):
        return False
    if "director" in rule and not _has_any(movie.directors, _as_list(rule["director"])):
        return False
    if "keywords_required" in rule and not _has_any(movie.keywords, rule["keywords_required"]):
        return False
    return True


def _norm(text: str) -> str:
    return " ".join(str(text).split()).casefold()


def _as_list(value: Any) -> list[str]:
    return [value] if isinstance(value, str) else list(value)


def _has_all(have: Iterable[str], wanted: Iterable[str]) -> bool:
    present = {_norm(item) for item in have}
    return all(_norm(item) in present for item in wanted)


def _has_any(have: Iterable[str], wanted: Iterable[str]) -> bool:
    present = {_norm(item) for item in have}
    return any(_norm(item) in present for item in wanted)
