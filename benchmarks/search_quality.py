"""Search quality on the TMDB 5000 dataset: MRR@10 and nDCG@10 per document recipe and mode.

    python benchmarks/search_quality.py [--data ../shared/data/tmdb5000] [--workdir DIR]

Builds one index per document recipe (reused on later runs), runs every query
of `quality_queries.json` in each search mode, grades the top 10 with
`judge.relevance`, and prints a table. The seed's recipe is the document text
of issue 3 (title, year, synopsis, genres, director, cast) searched densely;
ours adds TMDB keywords and hybrid ranking. Filtered queries apply their
filters in every configuration.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import math
import statistics
import sys
import time
from collections import Counter
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

from judge import relevance  # noqa: E402

from moviembed.embedding.embedder import SentenceTransformerEmbedder  # noqa: E402
from moviembed.index.builder import build_index  # noqa: E402
from moviembed.index.keywords import KeywordIndex  # noqa: E402
from moviembed.index.store import EmbeddingStore  # noqa: E402
from moviembed.movie import Movie, Skipped, movie_from_tmdb  # noqa: E402
from moviembed.search.filters import Filters  # noqa: E402
from moviembed.search.query import SearchMode, search  # noqa: E402
from moviembed.sources.dataset import iter_api_records  # noqa: E402

QUERIES = ROOT / "benchmarks" / "quality_queries.json"
DEFAULT_DATA = ROOT.parent / "shared" / "data" / "tmdb5000"
DEFAULT_WORKDIR = Path.home() / ".cache" / "moviembed-bench" / "quality"
K = 10

RECIPES: dict[str, Callable[[Movie], Movie]] = {
    "seed (no keywords)": lambda movie: dataclasses.replace(movie, keywords=()),
    "ours (with keywords)": lambda movie: movie,
}


def load_movies(data: Path) -> list[Movie]:
    records = iter_api_records(data / "tmdb_5000_movies.csv.gz", data / "tmdb_5000_credits.csv.gz")
    return [movie_from_tmdb(r) for r in records if not isinstance(r, Skipped)]


def filters_of(entry: dict[str, Any]) -> Filters:
    spec = entry.get("filters") or {}
    return Filters.parse(
        genres=spec.get("genres", ()),
        year=spec.get("year"),
        director=spec.get("director"),
        language=spec.get("language"),
    )


def ndcg(grades: list[int], ideal: list[int]) -> float:
    def dcg(values: Iterable[int]) -> float:
        return sum((2**g - 1) / math.log2(i + 2) for i, g in enumerate(values))

    best = dcg(sorted(ideal, reverse=True)[:K])
    return dcg(grades[:K]) / best if best else 0.0


def reciprocal_rank(grades: list[int]) -> float:
    """1/rank of the first right answer (grade 2) in the top K, else 0."""
    return next((1.0 / (i + 1) for i, g in enumerate(grades[:K]) if g == 2), 0.0)


def evaluate(
    entries: list[dict[str, Any]],
    movies: dict[str, Movie],
    store: EmbeddingStore,
    embedder: SentenceTransformerEmbedder,
    mode: SearchMode,
    keywords: KeywordIndex,
) -> dict[str, Any]:
    by_kind: dict[str, dict[str, list[float]]] = {}
    latencies = []
    for entry in entries:
        started = time.perf_counter()
        hits = search(
            entry["query"],
            store=store,
            embedder=embedder,
            limit=K,
            filters=filters_of(entry),
            mode=mode,
            keywords=keywords,
        )
        latencies.append(time.perf_counter() - started)
        grades = [relevance(entry, movies[hit.id]) for hit in hits]
        ideal = [g for g in (relevance(entry, m) for m in movies.values()) if g]
        scores = by_kind.setdefault(entry["kind"], {"mrr": [], "ndcg": []})
        scores["mrr"].append(reciprocal_rank(grades))
        scores["ndcg"].append(ndcg(grades, ideal))
    result: dict[str, Any] = {
        kind: {name: statistics.fmean(values) for name, values in scores.items()}
        for kind, scores in by_kind.items()
    }
    every = [v for scores in by_kind.values() for v in scores["ndcg"]]
    result["overall_ndcg"] = statistics.fmean(every)
    result["latency_ms"] = statistics.median(latencies) * 1000
    return result


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    parser.add_argument("--workdir", type=Path, default=DEFAULT_WORKDIR)
    parser.add_argument("--json", type=Path, help="also write the results here")
    args = parser.parse_args(argv)
    entries = json.loads(QUERIES.read_text(encoding="utf-8"))
    movies = load_movies(args.data)
    by_id = {str(movie.id): movie for movie in movies}
    embedder = SentenceTransformerEmbedder()
    rows = []
    for number, (recipe, transform) in enumerate(RECIPES.items()):
        store = EmbeddingStore(args.workdir / f"index-{number}")
        started = time.perf_counter()
        report = build_index(map(transform, movies), store=store, embedder=embedder)
        seconds = time.perf_counter() - started
        print(f"{recipe}: index ready ({report.added} added) in {seconds:.0f} s", file=sys.stderr)
        keywords = KeywordIndex.for_store(store, args.workdir / "cache")
        for mode in SearchMode:
            scores = evaluate(entries, by_id, store, embedder, mode, keywords)
            rows.append({"recipe": recipe, "mode": mode.value, **scores})
    print_table(rows, Counter(entry["kind"] for entry in entries))
    if args.json:
        args.json.write_text(json.dumps(rows, indent=2))
    return 0


def print_table(rows: list[dict[str, Any]], kinds: Counter[str]) -> None:
    print(f"\n{kinds.total()} queries: " + ", ".join(f"{n} {k}" for k, n in kinds.items()))
    header = (
        "| recipe | mode | known-item MRR@10 | known-item nDCG@10 | mood nDCG@10 | "
        "filtered nDCG@10 | keyword nDCG@10 | overall nDCG@10 | median latency |"
    )
    print(header)
    print("|---|---|---:|---:|---:|---:|---:|---:|---:|")
    for row in rows:
        print(
            f"| {row['recipe']} | {row['mode']} | {row['known_item']['mrr']:.3f} | "
            f"{row['known_item']['ndcg']:.3f} | {row['mood']['ndcg']:.3f} | "
            f"{row['filtered']['ndcg']:.3f} | {row['keyword']['ndcg']:.3f} | "
            f"{row['overall_ndcg']:.3f} | {row['latency_ms']:.0f} ms |"
        )


if __name__ == "__main__":
    raise SystemExit(main())
