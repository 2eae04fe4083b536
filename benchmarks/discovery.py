"""Discovery quality (issue 25): how much of the top 10 meets a request for something to watch.

    python benchmarks/discovery.py [--index DIR] [--workdir DIR] [--json] [--show ID | --verbose]

Runs each request of `discovery_queries.json` through the library's `search`
(hybrid, keyword index, default prior: what `moviembed query` does) on a TMDB
5000 index, built or reused as in search_quality.py, and scores its top 10:
P@10 = the share of the 10 that meets the request's condition, divided by the
best share the catalog allows (min(10, movies meeting it) / 10). The table gives
the mean per kind and overall, per half (tune, test). When `search` takes
`literal`, it runs twice: "literal" (word for word) and "understood"; otherwise
once, as "today". `--show ID` (repeatable) or `--verbose` lists the top 10 with
a check or a cross per movie.

Condition conventions (what a reasonable person accepts; never tuned to a system).
A movie meets a condition when it meets every key; an unknown fact fails its key.

* language: TMDB's original language; "chinese" = zh or cn (Mandarin, Cantonese),
  "hong kong" = cn or zh, "bollywood" = hi, "foreign"/"not in english" = any code but en.
* era: "the 90s" = 1990-1999 (likewise any decade); "early 2000s" = 2000-2004;
  "before 1960" = up to 1959; "old" = up to 1969; "classic" = up to 1979;
  "recent" / "last few years" = 2012 on; "new" / "latest" = 2014 on (the data ends
  in 2016, with one 2017 film).
* genre: TMDB genres ("rom-com" = Romance and Comedy, "sci-fi" = Science Fiction,
  "animated"/"cartoon" = Animation, "anime" = Animation in Japanese, "scary" =
  Horror, "funny" = Comedy, "for kids"/"family" = Family); genres TMDB lacks are
  keywords: musical, heist, superhero, zombie, spy.
* mood: "feel-good", "uplifting", "cozy", "wholesome", "relaxing" = one of Comedy,
  Family, Romance, Animation, Music and none of Horror, War, Crime, Thriller;
  "dark", "gritty", "bleak" = one of Thriller, Crime, Horror, Mystery, War, Drama and
  none of Comedy, Family, Animation; "tear-jerker", "sad" = Drama and none of
  Horror, Action, Thriller; "mind-bending", "trippy" = a keyword such as dream,
  time travel, hallucination, amnesia, parallel world, virtual reality, identity,
  paranoia, delusion, unreliable narrator, and neither Family nor Animation;
  "psychological thriller" = Thriller with one of Mystery, Drama, Horror, Science
  Fiction, none of Comedy, Family, Animation, Action; "tense", "creepy" = one of Thriller,
  Horror, Mystery and none of Comedy, Family, Animation; "dark comedy" = Comedy with
  one of Crime, Thriller, Drama, Horror, War, neither Family nor Animation.
* length: "under N minutes" = runtime < N; "over three hours" = > 180; "short" =
  at most 95 minutes; "long" = at least 150; "about an hour and a half" = 80-100;
  "3 hour" = 170-200.
* reception: "highly rated", "best", "top rated", "acclaimed", "greatest" = rating
  >= 7.5 with >= 500 votes; "good", "well reviewed", "really good" in a request
  about reception = >= 6.8 with >= 200 votes; "hidden gem", "underrated", "under
  the radar" = >= 7.0 with 50-1000 votes (fewer than 50 votes make no rating);
  "little-known", "obscure" = at most 500 votes; "popular", "blockbuster", "crowd
  pleaser" = at least 2000 votes. A casual "good" elsewhere ("a good heist movie")
  is not checked.
* people: director_any (any credited director; the Coen brothers = either) and
  cast_any (the top three billed, as the index stores them); a named genre too.
* negation: "not gory" = none of the keywords gore, splatter, torture, blood,
  slasher, dismemberment, cannibal, brutality, extreme violence, decapitation,
  mutilation, body horror, massacre; "no violence" = none of Action, War, Crime,
  Horror, Thriller and no violence keyword; "without romance" = not Romance; "not
  animated" = not Animation; "not a sequel" = `not_sequel` (no "sequel" keyword
  and no sequel number ending the title: discovery_conditions.is_sequel).
* reference: the named film (all of a named series) is absent, the result shares
  one of its defining genres (its TMDB genres without Drama, or the ones named in
  the note), and the modifier applies ("funnier" = Comedy, "darker" = the dark
  mood's exclusions, "more recent" = 2000 on, "scarier" = Horror or Thriller).
"""

from __future__ import annotations

import argparse
import inspect
import json
import statistics
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any, TextIO

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

from check_discovery import DEFAULT_QUERIES, KINDS, SPLITS  # noqa: E402
from discovery_conditions import best_share, meets  # noqa: E402
from search_quality import DEFAULT_DATA, open_index  # noqa: E402

from moviembed.index.keywords import KeywordIndex  # noqa: E402
from moviembed.movie import Movie  # noqa: E402
from moviembed.search.query import SearchHit, search  # noqa: E402

DEFAULT_WORKDIR = Path.home() / ".cache" / "moviembed-bench" / "discovery"
K = 10
Run = Callable[[str], list[SearchHit]]


def rows(run: Callable[..., list[SearchHit]] = search) -> dict[str, dict[str, Any]]:
    """The searches to compare: literal and understood once `search` can tell them apart."""
    if "literal" in inspect.signature(run).parameters:
        return {"literal": {"literal": True}, "understood": {"literal": False}}
    return {"today": {}}


def precision(condition: dict[str, Any], hits: list[SearchHit], best: float, by_id: dict) -> float:
    """P@10 over the best the catalog allows."""
    met = sum(1 for hit in hits[:K] if meets(condition, by_id[str(hit.id)]))
    return met / K / best


def summary(entries: list[dict[str, Any]], scores: dict[str, float]) -> dict[str, dict]:
    """{split: {kind or "overall": mean P@10}} for tune, test and all (kinds with requests)."""
    table: dict[str, dict[str, float]] = {}
    for split in (*SPLITS, "all"):
        chosen = [e for e in entries if split in ("all", e["split"])]
        kinds = [kind for kind in KINDS if any(e["kind"] == kind for e in chosen)]
        table[split] = {
            kind: statistics.fmean(scores[e["id"]] for e in chosen if e["kind"] == kind)
            for kind in kinds
        }
        if chosen:
            table[split]["overall"] = statistics.fmean(scores[e["id"]] for e in chosen)
    return table


def print_table(results: dict[str, dict], entries: list[dict[str, Any]]) -> None:
    counts = {s: sum(1 for e in entries if e["split"] == s) for s in SPLITS}
    print(f"\n{len(entries)} requests (tune {counts['tune']}, test {counts['test']}); P@10 / best")
    print("| search | half | " + " | ".join(KINDS) + " | overall |")
    print("|---|---|" + "---:|" * (len(KINDS) + 1))
    for name, splits in results.items():
        for split in (*SPLITS, "all"):
            cells = [splits[split].get(kind) for kind in (*KINDS, "overall")]
            text = " | ".join("-" if v is None else f"{v:.3f}" for v in cells)
            print(f"| {name} | {split} | {text} |")


def show(
    entry: dict[str, Any], name: str, hits: list[SearchHit], by_id: dict[str, Movie], out: TextIO
) -> None:
    """The top 10 of one request, each marked by whether it meets the condition."""
    where = f"{entry['kind']}, {entry['split']}, {name}"
    print(f"\n{entry['id']} [{where}] {entry['query']!r}", file=out)
    print(f"    condition: {json.dumps(entry['condition'], ensure_ascii=False)}", file=out)
    for hit in hits[:K]:
        movie = by_id[str(hit.id)]
        mark = "✓" if meets(entry["condition"], movie) else "✗"
        facts = f"{movie.year}, {movie.original_language}, {movie.runtime} min"
        genres = ", ".join(movie.genres)
        votes = f"{movie.vote_average}/{movie.vote_count} votes"
        print(f"  {mark} {movie.title} ({facts}; {genres}; {votes})", file=out)


def evaluate(
    entries: list[dict[str, Any]],
    movies: list[Movie],
    runs: dict[str, Run],
    shown: set[str],
    out: TextIO = sys.stdout,
) -> tuple[dict[str, dict], dict[str, dict[str, float]]]:
    """(summary per search, P@10 per request id per search), listing the `shown` requests'
    top 10 on `out`."""
    by_id = {str(movie.id): movie for movie in movies}
    best = {e["id"]: best_share(e["condition"], movies, K) for e in entries}
    unmet = [e["id"] for e in entries if not best[e["id"]]]
    if unmet:  # only with another --data: check_discovery.py holds the set to >= 1 movie
        print(f"left out, no catalog movie meets them: {', '.join(unmet)}", file=sys.stderr)
        entries = [e for e in entries if best[e["id"]]]
    per_query: dict[str, dict[str, float]] = {e["id"]: {} for e in entries}
    results = {}
    for name, run in runs.items():
        scores = {}
        for entry in entries:
            hits = run(entry["query"])
            scores[entry["id"]] = precision(entry["condition"], hits, best[entry["id"]], by_id)
            per_query[entry["id"]][name] = round(scores[entry["id"]], 4)
            if entry["id"] in shown:
                show(entry, name, hits, by_id, out)
        results[name] = summary(entries, scores)
        print(f"{name}: done", file=sys.stderr)
    return results, per_query


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA, help="TMDB 5000 directory")
    parser.add_argument("--workdir", type=Path, default=DEFAULT_WORKDIR)
    parser.add_argument("--index", type=Path, help="an index folder to reuse (default: in workdir)")
    parser.add_argument("--queries", type=Path, default=DEFAULT_QUERIES)
    parser.add_argument("--json", action="store_true", help="print the results as JSON")
    parser.add_argument("--show", action="append", default=[], metavar="ID", help="list its top 10")
    parser.add_argument("--verbose", action="store_true", help="list every request's top 10")
    args = parser.parse_args(argv)
    entries = json.loads(args.queries.read_text(encoding="utf-8"))
    unknown = set(args.show) - {e["id"] for e in entries}
    if unknown:
        print(f"error: no request {', '.join(sorted(unknown))} in {args.queries}", file=sys.stderr)
        return 2
    movies, store, embedder, path = open_index(args.data, args.workdir, args.index)
    keywords = KeywordIndex(path)

    def runner(options: dict[str, Any]) -> Run:
        return lambda text: search(
            text, store=store, embedder=embedder, limit=K, keywords=keywords, **options
        )

    runs = {name: runner(options) for name, options in rows().items()}
    shown = {e["id"] for e in entries} if args.verbose else set(args.show)
    out = sys.stderr if args.json else sys.stdout  # --json keeps stdout for the data
    results, per_query = evaluate(entries, movies, runs, shown, out)
    if args.json:
        print(json.dumps({"summary": results, "requests": per_query}, indent=2))
    else:
        print_table(results, entries)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
