"""Validate `quality_queries.json` against the TMDB 5000 dataset.

    python benchmarks/check_queries.py [--queries FILE] [--data DIR] [--quiet]

Checks, for every query:

* the schema (keys, kinds, id prefixes, types, grades, year ranges) and that
  genres, keywords, directors and languages named in rules exist in the dataset
  (catches typos that would silently match nothing);
* every `relevant` id exists in the dataset;
* the number of movies with grade >= 1 and grade 2: a rule-judged query must
  have MIN_RELEVANT..MAX_RELEVANT movies with grade >= 1 and at least
  MIN_PERFECT with grade 2;
* known-item queries share no run of OVERLAP_WORDS or more consecutive words
  with the TMDB overview of any movie they grade 2 (the overview text itself is
  never printed, only the shared words, which are also the query's own words).

`--supplement` checks a tuning-only set (known_tuning_queries.json) the same way, without
the minimum counts. It prints one line per query and a summary, and exits 1 on any problem (2 if
the files cannot be read). Warnings (a known-item query naming its target's
title, or a long word run shared with any other overview) do not fail the check.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import unicodedata
from collections import Counter
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

from judge import FILTER_KEYS, JUDGE_KEYS, parse_year_range, relevance  # noqa: E402

from moviembed.errors import InputError  # noqa: E402
from moviembed.movie import Movie, Skipped, movie_from_tmdb  # noqa: E402
from moviembed.sources.dataset import iter_api_records  # noqa: E402

DEFAULT_QUERIES = ROOT / "benchmarks" / "quality_queries.json"
DEFAULT_DATA = Path("/work/shared/data/tmdb5000")
MOVIES_FILE = "tmdb_5000_movies.csv.gz"
CREDITS_FILE = "tmdb_5000_credits.csv.gz"

KINDS = {"known_item": "known", "mood": "mood", "filtered": "filter", "keyword": "keyword"}
MIN_PER_KIND = {"known_item": 80, "mood": 12, "filtered": 12, "keyword": 8}
MIN_QUERIES = 150
ENTRY_KEYS = {"id", "kind", "query", "relevant", "judge", "filters", "note", "split"}
SPLITS = ("tune", "test")  # fixed before any tuning: tune on one half, report the other
MIN_RELEVANT, MAX_RELEVANT = 5, 300
MIN_PERFECT = 2
OVERLAP_WORDS = 4
COPY_WARN_WORDS = 6  # shared with *any* overview: only a warning (stock phrases happen)
LIST_RULE_KEYS = ("genres_all", "genres_any", "genres_none", "keywords_required", "keywords_any")


def words(text: str) -> list[str]:
    """Lower-case alphanumeric words with accents stripped ("Amélie's" -> amelie, s)."""
    folded = unicodedata.normalize("NFKD", text.casefold())
    folded = "".join(ch for ch in folded if not unicodedata.combining(ch))
    return re.findall(r"[a-z0-9]+", folded)


def ngrams(tokens: list[str], n: int) -> set[tuple[str, ...]]:
    return {tuple(tokens[i : i + n]) for i in range(len(tokens) - n + 1)}


def shared_runs(query: str, other: str, n: int) -> list[str]:
    """The n-word runs `query` shares with `other`, as text, in query order."""
    theirs = ngrams(words(other), n)
    mine = words(query)
    seen: list[str] = []
    for i in range(len(mine) - n + 1):
        gram = tuple(mine[i : i + n])
        text = " ".join(gram)
        if gram in theirs and text not in seen:
            seen.append(text)
    return seen


def load_movies(data_dir: Path) -> list[Movie]:
    movies = []
    for record in iter_api_records(data_dir / MOVIES_FILE, data_dir / CREDITS_FILE):
        if not isinstance(record, Skipped):
            movies.append(movie_from_tmdb(record))
    return movies


class Vocabulary:
    """Names that exist in the dataset, compared case-insensitively."""

    def __init__(self, movies: list[Movie]) -> None:
        self.genres = {g.casefold() for m in movies for g in m.genres}
        self.keywords = {k.casefold().strip() for m in movies for k in m.keywords}
        self.directors = {d.casefold() for m in movies for d in m.directors}
        self.languages = {(m.original_language or "").casefold() for m in movies}

    def check(self, field: str, values: list[str]) -> list[str]:
        pool = {
            "genre": self.genres,
            "keyword": self.keywords,
            "director": self.directors,
            "language": self.languages,
        }[field]
        return [f"unknown {field} {v!r}" for v in values if _norm(v) not in pool]


def _norm(text: str) -> str:
    return " ".join(text.split()).casefold()


def _string_list(value: Any, *, allow_str: bool = False) -> list[str] | None:
    """The value as a non-empty list of non-empty strings, or None if it is not one."""
    if allow_str and isinstance(value, str):
        value = [value]
    if not isinstance(value, list) or not value:
        return None
    if not all(isinstance(v, str) and v.strip() for v in value):
        return None
    return value


def check_year(value: Any, where: str) -> list[str]:
    if not isinstance(value, str):
        return [f"{where}.year must be a string like '1990..1999'"]
    try:
        parse_year_range(value)
    except ValueError as exc:
        return [f"{where}.year: {exc}"]
    return []


def check_rule(rule: Any, vocab: Vocabulary) -> list[str]:
    if not isinstance(rule, dict) or not rule:
        return ["judge must be a non-empty object"]
    problems = [f"judge has unknown key {k!r}" for k in rule if k not in JUDGE_KEYS]
    for key in LIST_RULE_KEYS:
        if key in rule:
            values = _string_list(rule[key])
            if values is None:
                problems.append(f"judge.{key} must be a non-empty list of strings")
                continue
            problems += vocab.check("keyword" if key.startswith("keywords") else "genre", values)
    for key, field in (("director", "director"), ("language", "language")):
        if key in rule:
            values = _string_list(rule[key], allow_str=True)
            if values is None:
                problems.append(f"judge.{key} must be a string or a list of strings")
            else:
                problems += vocab.check(field, values)
    if "year" in rule:
        problems += check_year(rule["year"], "judge")
    hard = set(rule) - {"keywords_any"}
    if not hard:
        problems.append("judge needs at least one hard constraint besides keywords_any")
    return problems


def check_filters(filters: Any, vocab: Vocabulary) -> list[str]:
    if not isinstance(filters, dict) or not filters:
        return ["filters must be a non-empty object"]
    problems = [f"filters has unknown key {k!r}" for k in filters if k not in FILTER_KEYS]
    if "genres" in filters:
        values = _string_list(filters["genres"])
        if values is None:
            problems.append("filters.genres must be a non-empty list of strings")
        else:
            problems += vocab.check("genre", values)
    for key in ("director", "language"):
        if key in filters:
            if not isinstance(filters[key], str) or not filters[key].strip():
                problems.append(f"filters.{key} must be a non-empty string")
            else:
                problems += vocab.check(key, [filters[key]])
    if "year" in filters:
        problems += check_year(filters["year"], "filters")
    return problems


def check_relevant(relevant: Any, ids: set[str]) -> list[str]:
    if not isinstance(relevant, dict) or not relevant:
        return ["relevant must be a non-empty object of id -> grade"]
    problems = []
    for movie_id, grade in relevant.items():
        if not (isinstance(movie_id, str) and movie_id.isdigit()):
            problems.append(f"relevant id {movie_id!r} is not a string of digits")
        elif movie_id not in ids:
            problems.append(f"relevant id {movie_id} is not in the dataset")
        if grade not in (1, 2) or isinstance(grade, bool):
            problems.append(f"relevant grade for {movie_id} must be 1 or 2, got {grade!r}")
    if 2 not in relevant.values():
        problems.append("relevant has no grade-2 movie")
    return problems


def check_schema(entry: Any, ids: set[str], vocab: Vocabulary) -> list[str]:
    if not isinstance(entry, dict):
        return ["entry is not an object"]
    problems = [f"unknown key {k!r}" for k in entry if k not in ENTRY_KEYS]
    kind = entry.get("kind")
    if kind not in KINDS:
        return problems + [f"kind {kind!r} is not one of {', '.join(KINDS)}"]
    qid = entry.get("id")
    if not isinstance(qid, str) or not re.fullmatch(rf"{KINDS[kind]}-\d{{2,}}", qid):
        problems.append(f"id {qid!r} must look like '{KINDS[kind]}-01' for kind {kind}")
    query = entry.get("query")
    if not isinstance(query, str) or not query.strip():
        problems.append("query must be a non-empty string")
    if "note" in entry and not isinstance(entry["note"], str):
        problems.append("note must be a string")
    if entry.get("split") not in SPLITS:
        problems.append(f"split must be one of {', '.join(SPLITS)}")

    has = {key: key in entry for key in ("relevant", "judge", "filters")}
    allowed = {
        "known_item": ({"relevant"}, set()),
        "mood": ({"judge"}, set()),
        "filtered": ({"filters", "judge"}, set()),
        "keyword": (set(), {"relevant", "judge"}),
    }[kind]
    required, optional = allowed
    for key, present in has.items():
        if key in required and not present:
            problems.append(f"{kind} query needs {key!r}")
        if present and key not in required | optional:
            problems.append(f"{kind} query must not have {key!r}")
    if kind == "keyword" and not (has["relevant"] or has["judge"]):
        problems.append("keyword query needs 'relevant' or 'judge'")

    if has["relevant"]:
        problems += check_relevant(entry["relevant"], ids)
    if has["judge"]:
        problems += check_rule(entry["judge"], vocab)
    if has["filters"]:
        problems += check_filters(entry["filters"], vocab)
    return problems


def check_known_item(entry: dict, by_id: dict[str, Movie]) -> tuple[list[str], list[str]]:
    """(problems, warnings) for a known-item query against its targets' overviews."""
    problems, warnings = [], []
    for movie_id, grade in entry["relevant"].items():
        movie = by_id.get(movie_id)
        if grade != 2 or movie is None:
            continue
        runs = shared_runs(entry["query"], movie.overview, OVERLAP_WORDS)
        if runs:
            quoted = "; ".join(f'"{r}"' for r in runs)
            problems.append(
                f"shares {OVERLAP_WORDS}+ word runs with the overview of {movie_id}: {quoted}"
            )
        title = " ".join(words(movie.title))
        query = " ".join(words(entry["query"]))
        if len(title) > 3 and re.search(rf"\b{re.escape(title)}\b", query):
            warnings.append(f"names its target's title {movie.title!r}")
    return problems, warnings


def arguments(argv: list[str] | None, description: str, queries: Path) -> argparse.Namespace:
    """A query-set check's options: the set, the dataset and --quiet."""
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("--queries", type=Path, default=queries)
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA, help="TMDB 5000 directory")
    parser.add_argument("--quiet", action="store_true", help="print only problems and the summary")
    parser.add_argument(
        "--supplement",
        action="store_true",
        help="a tuning-only supplement (known_tuning_queries.json): every entry tune, any size",
    )
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = arguments(argv, __doc__.splitlines()[0], DEFAULT_QUERIES)

    try:
        movies = load_movies(args.data)
    except InputError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    try:
        entries = json.loads(args.queries.read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError) as exc:
        print(f"error: cannot read {args.queries}: {exc}", file=sys.stderr)
        return 2
    if not isinstance(entries, list):
        print("error: the query file must hold a JSON list", file=sys.stderr)
        return 1

    context = EntryContext(movies)
    problems: list[str] = []
    warnings: list[str] = []
    file_problems = whole_file_problems(entries, args.supplement)
    per_kind = context.per_kind
    print(f"{'id':<12} {'kind':<10} {'>=1':>5} {'=2':>5}  status")
    for position, entry in enumerate(entries):
        label = entry.get("id", f"#{position}") if isinstance(entry, dict) else f"#{position}"
        mine, notes, n_any, n_perfect = context.check(entry)
        kind_label = entry.get("kind", "?") if isinstance(entry, dict) else "?"
        status = "ok" if not mine else "PROBLEM"
        if mine or notes or not args.quiet:
            print(f"{label:<12} {kind_label!s:<10} {n_any:>5} {n_perfect:>5}  {status}")
        for text in mine:
            print(f"    problem: {text}")
            problems.append(f"{label}: {text}")
        for text in notes:
            print(f"    warning: {text}")
            warnings.append(f"{label}: {text}")

    for kind, minimum in MIN_PER_KIND.items():
        if per_kind[kind] < minimum and not args.supplement:
            file_problems.append(f"only {per_kind[kind]} valid {kind} queries, want >= {minimum}")
    if file_problems:
        print("\nwhole file:")
        for text in file_problems:
            print(f"    problem: {text}")
    problems += file_problems

    print()
    counts = ", ".join(f"{kind} {per_kind[kind]}" for kind in KINDS)
    print(f"{len(entries)} queries ({counts}) checked against {len(movies)} movies.")
    return verdict(problems, warnings)


def whole_file_problems(entries: list[Any], supplement: bool) -> list[str]:
    """The set's size (a supplement: tuning entries only), duplicate ids and texts."""
    found: list[str] = []
    if supplement:
        tested = [e.get("id") for e in entries if isinstance(e, dict) and e.get("split") != "tune"]
        found += [f"{qid}: a supplement holds tuning queries only" for qid in tested]
    elif len(entries) < MIN_QUERIES:
        found.append(f"only {len(entries)} queries, need at least {MIN_QUERIES}")
    dicts = [e for e in entries if isinstance(e, dict)]
    ids = Counter(str(e.get("id")) for e in dicts)
    found += [f"duplicate id {qid!r}" for qid, n in ids.items() if n > 1]
    texts = Counter(" ".join(words(str(e.get("query", "")))) for e in dicts)
    found += [f"duplicate query text {t!r}" for t, n in texts.items() if n > 1]
    return found


class EntryContext:
    """What checking one entry needs from the dataset, computed once, and the valid
    entries counted per kind."""

    def __init__(self, movies: list[Movie]) -> None:
        self.movies = movies
        self.by_id = {str(m.id): m for m in movies}
        self.vocab = Vocabulary(movies)
        self.grams = [(str(m.id), ngrams(words(m.overview), COPY_WARN_WORDS)) for m in movies]
        self.per_kind: Counter[str] = Counter()

    def check(self, entry: Any) -> tuple[list[str], list[str], int, int]:
        """(problems, warnings, movies graded >= 1, movies graded 2) for one entry."""
        mine = check_schema(entry, set(self.by_id), self.vocab)
        notes: list[str] = []
        if mine:
            return mine, notes, 0, 0
        self.per_kind[entry["kind"]] += 1
        grades = [relevance(entry, m) for m in self.movies]
        n_any = sum(1 for g in grades if g >= 1)
        n_perfect = sum(1 for g in grades if g == 2)
        if "judge" in entry and "relevant" not in entry:
            if not MIN_RELEVANT <= n_any <= MAX_RELEVANT:
                mine.append(f"{n_any} movies with grade >= 1, want {MIN_RELEVANT}..{MAX_RELEVANT}")
            if n_perfect < MIN_PERFECT:
                mine.append(f"only {n_perfect} movies with grade 2, want >= {MIN_PERFECT}")
        if n_perfect == 0:
            mine.append("no movie has grade 2")
        if entry["kind"] == "known_item":
            found, notes = check_known_item(entry, self.by_id)
            mine += found
        query_grams = ngrams(words(entry["query"]), COPY_WARN_WORDS)
        copied = [mid for mid, grams in self.grams if query_grams & grams]
        if copied:
            notes.append(
                f"shares a {COPY_WARN_WORDS}-word run with the overview of {', '.join(copied)}"
            )
        return mine, notes, n_any, n_perfect


def verdict(problems: list[str], warnings: list[str]) -> int:
    """Print the counts and OK or FAILED; the exit status (1 on any problem)."""
    print(f"{len(problems)} problem(s), {len(warnings)} warning(s).")
    if problems:
        print("FAILED", file=sys.stderr)
        return 1
    print("OK")
    return 0


if __name__ == "__main__":
    sys.exit(main())
