"""Validate benchmarks/discovery_queries.json against the TMDB 5000 dataset.

    python benchmarks/check_discovery.py [--queries FILE] [--data DIR] [--quiet]

Checks, per request: the entry's keys, id form, kind and split; the condition's
keys (discovery_conditions.KEYS) and value types; that every genre, keyword,
language, director and cast name it names exists in the dataset and every
excluded id is a dataset movie; and that at least one catalog movie meets it
(fewer than TARGET is a warning: the metric then divides by the smaller best).
Over the file: at least MIN_QUERIES requests, MIN_PER_KIND of each kind, no
duplicate ids or texts, and tune and test halves within one of each other per
kind. Exits 1 on any problem, 2 if the files cannot be read.
"""

from __future__ import annotations

import json
import re
import sys
from collections import Counter
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

from check_queries import arguments, load_movies, verdict, words  # noqa: E402
from discovery_conditions import KEYS, meets  # noqa: E402

from moviembed.errors import InputError  # noqa: E402
from moviembed.movie import Movie  # noqa: E402

DEFAULT_QUERIES = ROOT / "benchmarks" / "discovery_queries.json"
KINDS = (
    "language",
    "era",
    "genre",
    "mood",
    "length",
    "reception",
    "people",
    "negation",
    "reference",
)
SPLITS = ("tune", "test")  # drawn per kind with a fixed seed before anything was measured
ENTRY_KEYS = {"id", "kind", "query", "condition", "split", "note"}
MIN_QUERIES = 180
MIN_PER_KIND = 18
TARGET = 10  # a condition met by fewer catalog movies cannot fill a top 10
NAMED = {  # condition key -> the dataset vocabulary its names must come from
    "genres_all": "genre",
    "genres_any": "genre",
    "genres_none": "genre",
    "keywords_any": "keyword",
    "keywords_none": "keyword",
    "language": "language",
    "director_any": "director",
    "cast_any": "cast",
}
RANGES = ("year", "runtime")
NUMBERS = ("min_rating", "min_votes", "max_votes")


def vocabulary(movies: list[Movie]) -> dict[str, set[str]]:
    """The names each NAMED field may use, case-folded."""
    fold = str.casefold
    return {
        "genre": {fold(g) for m in movies for g in m.genres},
        "keyword": {fold(" ".join(k.split())) for m in movies for k in m.keywords},
        "language": {fold(m.original_language or "") for m in movies},
        "director": {fold(d) for m in movies for d in m.directors},
        "cast": {fold(c) for m in movies for c in m.cast},
    }


def check_value(key: str, value: Any, vocab: dict[str, set[str]], ids: set[str]) -> list[str]:
    """Problems with one condition key's value."""
    if key not in KEYS:
        return [f"unknown condition key {key!r}"]
    if key in NAMED:
        names = [value] if key == "language" and isinstance(value, str) else value
        if not isinstance(names, list) or not names or not all(isinstance(n, str) for n in names):
            return [f"{key} must be a non-empty list of strings"]
        pool = vocab[NAMED[key]]
        return [f"unknown {NAMED[key]} {n!r} in {key}" for n in names if n.casefold() not in pool]
    if key in RANGES:
        ok = isinstance(value, list) and len(value) == 2 and value != [None, None]
        if not ok or not all(v is None or isinstance(v, int) for v in value):
            return [f"{key} must be [from, to] with integers or null, not both null"]
        return [] if None in value or value[0] <= value[1] else [f"{key} range is empty"]
    if key in NUMBERS:
        ok = isinstance(value, (int, float)) and not isinstance(value, bool) and value >= 0
        return [] if ok else [f"{key} must be a non-negative number"]
    if key == "exclude_ids":
        if not isinstance(value, list) or not value:
            return ["exclude_ids must be a non-empty list of movie ids"]
        return [f"excluded id {i!r} is not in the dataset" for i in value if str(i) not in ids]
    return [] if value is True else [f"{key} must be true"]  # not_sequel


def check_entry(entry: Any, vocab: dict[str, set[str]], ids: set[str]) -> list[str]:
    """Problems with one entry's shape and condition (not its count of matches)."""
    if not isinstance(entry, dict):
        return ["entry is not an object"]
    problems = [f"unknown key {k!r}" for k in entry if k not in ENTRY_KEYS]
    if not re.fullmatch(r"disc-\d{3,}", str(entry.get("id"))):
        problems.append(f"id {entry.get('id')!r} must look like 'disc-001'")
    if entry.get("kind") not in KINDS:
        problems.append(f"kind {entry.get('kind')!r} is not one of {', '.join(KINDS)}")
    if entry.get("split") not in SPLITS:
        problems.append(f"split must be one of {', '.join(SPLITS)}")
    query = entry.get("query")
    if not isinstance(query, str) or not query.strip():
        problems.append("query must be a non-empty string")
    if not isinstance(entry.get("note", ""), str):
        problems.append("note must be a string")
    condition = entry.get("condition")
    if not isinstance(condition, dict) or not condition:
        return problems + ["condition must be a non-empty object"]
    for key, value in condition.items():
        problems += check_value(key, value, vocab, ids)
    return problems


def check_file(entries: list[Any]) -> list[str]:
    """Problems of the whole set: size, kinds, duplicates, balanced halves."""
    dicts = [e for e in entries if isinstance(e, dict)]
    problems = []
    if len(entries) < MIN_QUERIES:
        problems.append(f"only {len(entries)} requests, need at least {MIN_QUERIES}")
    ids = Counter(str(e.get("id")) for e in dicts)
    problems += [f"duplicate id {i!r}" for i, n in ids.items() if n > 1]
    texts = Counter(" ".join(words(str(e.get("query", "")))) for e in dicts)
    problems += [f"duplicate query text {t!r}" for t, n in texts.items() if n > 1]
    halves = Counter((e.get("kind"), e.get("split")) for e in dicts)
    for kind in KINDS:
        tune, test = halves[(kind, "tune")], halves[(kind, "test")]
        if tune + test < MIN_PER_KIND:
            problems.append(f"only {tune + test} {kind} requests, want >= {MIN_PER_KIND}")
        if abs(tune - test) > 1:
            problems.append(f"{kind} halves are unbalanced: tune {tune}, test {test}")
    return problems


def validate(entries: list[Any], movies: list[Movie]) -> tuple[list[str], list[str]]:
    """(problems, warnings) for the whole set, each line naming its request."""
    vocab = vocabulary(movies)
    ids = {str(m.id) for m in movies}
    problems, warnings = [], []
    for position, entry in enumerate(entries):
        label = entry.get("id", f"#{position}") if isinstance(entry, dict) else f"#{position}"
        mine = check_entry(entry, vocab, ids)
        if not mine:
            met = sum(1 for movie in movies if meets(entry["condition"], movie))
            if met == 0:
                mine.append("no catalog movie meets the condition")
            elif met < TARGET:
                warnings.append(f"{label}: only {met} catalog movies meet the condition")
        problems += [f"{label}: {text}" for text in mine]
    return problems + check_file(entries), warnings


def main(argv: list[str] | None = None) -> int:
    args = arguments(argv, __doc__.splitlines()[0], DEFAULT_QUERIES)
    try:
        movies = load_movies(args.data)
        entries = json.loads(args.queries.read_text(encoding="utf-8"))
    except (InputError, OSError, json.JSONDecodeError) as exc:
        print(f"error: cannot read the set or the dataset: {exc}", file=sys.stderr)
        return 2
    if not isinstance(entries, list):
        print("error: the query file must hold a JSON list", file=sys.stderr)
        return 1
    problems, warnings = validate(entries, movies)
    for text in problems:
        print(f"problem: {text}")
    for text in [] if args.quiet else warnings:
        print(f"warning: {text}")
    halves = Counter((e.get("kind"), e.get("split")) for e in entries if isinstance(e, dict))
    counts = ", ".join(f"{k} {halves[(k, 'tune')]}+{halves[(k, 'test')]}" for k in KINDS)
    print(f"{len(entries)} requests (tune+test: {counts}) against {len(movies)} movies.")
    return verdict(problems, warnings)


if __name__ == "__main__":
    sys.exit(main())
