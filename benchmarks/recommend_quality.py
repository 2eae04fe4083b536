"""Recommendation quality on TMDB 5000 per method, and the latency of a whole `recommend` process.

    python benchmarks/recommend_quality.py [--data ../shared/data/tmdb5000] [--db DIR] [--runs 5]

`recommend_profiles.json` holds taste profiles written for this project: a
few films of a series, a director or a theme are liked (some profiles also
dislike a film from a neighbouring group), and the group's other films are the
right answers (a fixed list for series, a `judge.py` rule for directors and
themes). Each method and setting is scored on the profiles' tuning half and
the best by nDCG@10 is reported again on the test half, which played no part
in choosing it. Metrics over the top 10: hit rate (at least one right answer),
nDCG@10 (ideal ranking over the whole dataset), intra-list diversity (mean
cosine distance between the picks) and, for profiles with a disliked film,
how many picks are among that film's 20 nearest neighbours (lower is better).
"""

from __future__ import annotations

import argparse
import csv
import itertools
import json
import math
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

from judge import relevance  # noqa: E402
from run import measure, pair_ratio  # noqa: E402
from search_quality import DEFAULT_DATA, K, load_movies, ndcg  # noqa: E402

from moviembed.choices import RecommendMethod  # noqa: E402
from moviembed.index.store import EmbeddingStore  # noqa: E402
from moviembed.movie import Movie  # noqa: E402
from moviembed.search import recommend as recommender  # noqa: E402
from moviembed.sources.dataset import open_text  # noqa: E402

PROFILES = ROOT / "benchmarks" / "recommend_profiles.json"
DEFAULT_DB = Path.home() / ".cache" / "moviembed-bench" / "recommend" / "tmdb5000"
LEAK_NEIGHBOURS = 20
PRIOR_WEIGHTS = (0.0, 0.05, 0.1, 0.2)
GROUPS = ("kind", "reach")  # profile fields the results are also broken down by


@dataclass(frozen=True)
class Setting:
    """One method with its knobs (module constants of moviembed.search.recommend)."""

    method: RecommendMethod
    negative_weight: float
    mmr_lambda: float = recommender.MMR_LAMBDA

    @property
    def label(self) -> str:
        knobs = f"negatives {self.negative_weight:g}"
        if self.method is RecommendMethod.mmr:
            knobs += f", λ {self.mmr_lambda:g}"
        return f"{self.method.value} ({knobs})"


SETTINGS = [
    *(Setting(method, weight) for method in RecommendMethod for weight in (0.25, 0.5, 1.0)),
    *(Setting(RecommendMethod.mmr, 0.5, mmr_lambda) for mmr_lambda in (0.5, 0.85)),
]


@contextmanager
def applied(setting: Setting) -> Iterator[None]:
    """The library's knobs set to `setting` for the duration."""
    saved = recommender.NEGATIVE_WEIGHT, recommender.MMR_LAMBDA
    recommender.NEGATIVE_WEIGHT, recommender.MMR_LAMBDA = (
        setting.negative_weight,
        setting.mmr_lambda,
    )
    try:
        yield
    finally:
        recommender.NEGATIVE_WEIGHT, recommender.MMR_LAMBDA = saved


class Judge:
    """Grades, ideal grades and vectors for scoring one profile's picks."""

    def __init__(self, movies: dict[str, Movie], store: EmbeddingStore) -> None:
        self.movies = movies
        self.store = store
        self.vectors = {
            hit["id"]: np.asarray(hit["embedding"]) / np.linalg.norm(hit["embedding"])
            for page in store.iter_movies(include_embeddings=True)
            for hit in page
        }

    def score(self, profile: dict[str, Any], picks: list[str]) -> dict[str, float]:
        entry = {"relevant": dict.fromkeys(profile.get("relevant", {}), 2)}
        if "judge" in profile:
            entry["judge"] = profile["judge"]
        given = set(profile["liked"]) | set(profile.get("disliked", {}))
        grades = [relevance(entry, self.movies[movie_id]) for movie_id in picks]
        ideal = [relevance(entry, m) for key, m in self.movies.items() if key not in given]
        scores = {
            "hit": float(any(grades)),
            "ndcg": ndcg(grades, ideal),
            "diversity": self.diversity(picks),
        }
        if profile.get("disliked"):
            near = self.neighbours(profile["disliked"])
            scores["leak"] = (
                sum(m in near and not g for m, g in zip(picks, grades, strict=True)) / K
            )
        return scores

    def diversity(self, picks: list[str]) -> float:
        pairs = list(itertools.combinations(picks, 2))
        return statistics.fmean(1 - self.vectors[a] @ self.vectors[b] for a, b in pairs)

    def neighbours(self, movie_ids: dict[str, str]) -> set[str]:
        found = set()
        for movie_id in movie_ids:
            vector = self.vectors[movie_id].tolist()
            found |= {hit["id"] for hit in self.store.query_similar(vector, LEAK_NEIGHBOURS + 1)}
        return found  # the disliked films themselves included


def evaluate(
    profiles: list[dict[str, Any]], judge: Judge, setting: Setting, disliked: bool = True
) -> dict[str, Any]:
    """Mean scores of `setting` over `profiles`, and its median in-process latency."""
    rows, latencies = [], []
    with applied(setting):
        for profile in profiles:
            started = time.perf_counter()
            picks = recommender.recommend(
                list(profile["liked"]),
                store=judge.store,
                disliked=list(profile.get("disliked", {})) if disliked else [],
                limit=K,
                method=setting.method,
            )
            latencies.append(time.perf_counter() - started)
            row = judge.score(profile, [str(pick.id) for pick in picks])
            rows.append(row | {f"ndcg {profile[group]}": row["ndcg"] for group in GROUPS})
    return {**means(rows), "latency_ms": statistics.median(latencies) * 1000}


def means(rows: list[dict[str, float]]) -> dict[str, float]:
    keys = sorted({key for row in rows for key in row})
    return {key: statistics.fmean(row[key] for row in rows if key in row) for key in keys}


def popularity_prior(
    halves: dict[str, list[dict[str, Any]]], judge: Judge, setting: Setting, votes: dict[str, int]
) -> dict[float, dict[str, dict[str, float]]]:
    """nDCG with the centroid's top 50 re-ranked by similarity plus a vote-count prior,
    w * log(1 + votes) / log(1 + most votes), as search-quality work would add it."""
    most = math.log1p(max(votes.values()))
    results: dict[float, dict[str, dict[str, float]]] = {}
    with applied(setting):
        pools = {
            profile["name"]: recommender.recommend(
                list(profile["liked"]),
                store=judge.store,
                disliked=list(profile.get("disliked", {})),
                limit=50,
                method=setting.method,
            )
            for profile in halves["tune"] + halves["test"]
        }
    for weight in PRIOR_WEIGHTS:

        def reranked(profile: dict[str, Any], weight: float = weight) -> list[str]:
            pool = pools[profile["name"]]
            prior = [weight * math.log1p(votes.get(str(pick.id), 0)) / most for pick in pool]
            order = sorted(range(len(pool)), key=lambda i: -(pool[i].similarity + prior[i]))
            return [str(pool[i].id) for i in order[:K]]

        results[weight] = {
            half: means([judge.score(profile, reranked(profile)) for profile in profiles])
            for half, profiles in halves.items()
        }
    return results


def vote_counts(data: Path) -> dict[str, int]:
    """TMDB vote counts from the dataset (the index does not store them yet)."""
    with open_text(data / "tmdb_5000_movies.csv.gz") as handle:
        return {row["id"]: int(row["vote_count"] or 0) for row in csv.DictReader(handle)}


def process_latency(db: Path, runs: int) -> list[tuple[str, float, float]]:
    """Median wall time of whole CLI processes, recommend against similar, run alternately."""
    moviembed = [sys.executable, "-m", "moviembed"]
    env = dict(os.environ, MOVIEMBED_DB=str(db), NO_COLOR="1", ANONYMIZED_TELEMETRY="False")
    with tempfile.TemporaryDirectory() as folder:
        seen = Path(folder) / "seen.txt"
        seen.write_text("\n".join(map(str, range(1, 2001))))
        commands = {
            "similar 862": [*moviembed, "similar", "862", "--json"],
            "recommend 862 863": [*moviembed, "recommend", "862", "863", "--json"],
            "recommend, 5 liked, --method rrf": [
                *moviembed,
                "recommend",
                "603",
                "604",
                "105",
                "165",
                "218",
                "--method",
                "rrf",
                "--json",
            ],  # fmt: skip
            "recommend 862 863 --seen (2,000 ids)": [
                *moviembed,
                "recommend",
                "862",
                "863",
                "--seen",
                str(seen),
                "--json",
            ],  # fmt: skip
        }
        samples = measure(commands, env, runs)
    baseline = samples["similar 862"]
    return [(name, sample.wall, pair_ratio(sample, baseline)) for name, sample in samples.items()]


def ensure_index(db: Path, data: Path) -> EmbeddingStore:
    """The TMDB 5000 index at `db`, built with `moviembed build` when empty."""
    store = EmbeddingStore(db)
    if store.count() == 0:
        print(f"building the TMDB 5000 index in {db} (a few minutes)", file=sys.stderr)
        subprocess.run(
            [sys.executable, "-m", "moviembed", "--db", str(db), "build", "-q"]
            + ["--tmdb-csv", str(data / "tmdb_5000_movies.csv.gz")]
            + ["--credits", str(data / "tmdb_5000_credits.csv.gz")],
            check=True,
        )
    return store


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    parser.add_argument("--db", type=Path, default=DEFAULT_DB, help="index folder, reused")
    parser.add_argument(
        "--runs", type=int, default=5, help="runs of each CLI process (0: quality only)"
    )
    parser.add_argument("--json", type=Path, help="also write the results here")
    args = parser.parse_args(argv)
    profiles = json.loads(PROFILES.read_text(encoding="utf-8"))
    halves = {half: [p for p in profiles if p["split"] == half] for half in ("tune", "test")}
    store = ensure_index(args.db, args.data)
    judge = Judge({str(movie.id): movie for movie in load_movies(args.data)}, store)
    tuned = {s: evaluate(halves["tune"], judge, s) for s in SETTINGS}
    best = {
        method: max((s for s in SETTINGS if s.method is method), key=lambda s: tuned[s]["ndcg"])
        for method in RecommendMethod
    }
    chosen = max(best.values(), key=lambda s: tuned[s]["ndcg"])
    tested = {s: evaluate(halves["test"], judge, s) for s in best.values()}
    negatives = [p for p in profiles if p.get("disliked")]
    ablation = {
        (s, used): evaluate(negatives, judge, s, disliked=used)
        for s in best.values()
        for used in (False, True)
    }
    print_report(profiles, tuned, tested, ablation, chosen)
    print_groups(profiles, {s: evaluate(profiles, judge, s) for s in best.values()})
    centroid = best[RecommendMethod.centroid]
    prior = popularity_prior(halves, judge, centroid, vote_counts(args.data))
    print_prior(prior, centroid)
    latency = process_latency(args.db, args.runs) if args.runs else []
    if latency:
        print_latency(latency, args.runs)
    if args.json:
        results = {
            "tuning": {s.label: r for s, r in tuned.items()},
            "test": {s.label: r for s, r in tested.items()},
            "chosen": chosen.label,
            "popularity_prior": prior,
            "latency": latency,
        }
        args.json.write_text(json.dumps(results, indent=2, ensure_ascii=False))
    return 0


def print_report(
    profiles: list[dict[str, Any]],
    tuned: dict[Setting, dict[str, Any]],
    tested: dict[Setting, dict[str, Any]],
    ablation: dict[tuple[Setting, bool], dict[str, Any]],
    chosen: Setting,
) -> None:
    counts = {kind: sum(p["kind"] == kind for p in profiles) for kind in ("series", "director")}
    counts["theme"] = len(profiles) - sum(counts.values())
    kinds = ", ".join(f"{number} {kind}" for kind, number in counts.items())
    print(f"\n{len(profiles)} profiles ({kinds}); tuning half, every setting:\n")
    print("| setting | hit rate@10 | nDCG@10 | diversity@10 | median latency |")
    print("|---|---:|---:|---:|---:|")
    for setting, row in tuned.items():
        print(
            f"| {setting.label} | {row['hit']:.3f} | {row['ndcg']:.3f} | "
            f"{row['diversity']:.3f} | {row['latency_ms']:.0f} ms |"
        )
    print("\nBest setting of each method: tuning half / test half\n")
    print("| setting | hit rate@10 | nDCG@10 | diversity@10 |")
    print("|---|---:|---:|---:|")
    for setting, row in tested.items():
        tune = tuned[setting]
        name = f"**{setting.label}**" if setting == chosen else setting.label
        print(
            f"| {name} | {tune['hit']:.3f} / {row['hit']:.3f} | {tune['ndcg']:.3f} / "
            f"{row['ndcg']:.3f} | {tune['diversity']:.3f} / {row['diversity']:.3f} |"
        )
    count = sum(bool(p.get("disliked")) for p in profiles)
    print(f"\nThe {count} profiles with a disliked film, without / with it:\n")
    print("| setting | nDCG@10 | picks near the disliked film |")
    print("|---|---:|---:|")
    for setting in tested:
        off, on = ablation[(setting, False)], ablation[(setting, True)]
        print(
            f"| {setting.label} | {off['ndcg']:.3f} / {on['ndcg']:.3f} | "
            f"{off['leak']:.3f} / {on['leak']:.3f} |"
        )
    print(f"\nchosen: {chosen.label}")


def print_groups(profiles: list[dict[str, Any]], results: dict[Setting, dict[str, Any]]) -> None:
    names = [
        f"ndcg {value}" for group in GROUPS for value in dict.fromkeys(p[group] for p in profiles)
    ]
    print("\nnDCG@10 over all profiles, by kind and reach:\n")
    print("| setting | " + " | ".join(name.removeprefix("ndcg ") for name in names) + " |")
    print("|---|" + "---:|" * len(names))
    for setting, row in results.items():
        print(f"| {setting.label} | " + " | ".join(f"{row[name]:.3f}" for name in names) + " |")


def print_prior(prior: dict[float, dict[str, dict[str, float]]], setting: Setting) -> None:
    print(f"\n{setting.label} with a popularity prior, tuning half / test half:\n")
    print("| prior weight | hit rate@10 | nDCG@10 | diversity@10 |")
    print("|---:|---:|---:|---:|")
    for weight, halves in prior.items():
        tune, test = halves["tune"], halves["test"]
        print(
            f"| {weight:g} | {tune['hit']:.3f} / {test['hit']:.3f} | {tune['ndcg']:.3f} / "
            f"{test['ndcg']:.3f} | {tune['diversity']:.3f} / {test['diversity']:.3f} |"
        )


def print_latency(latency: list[tuple[str, float, float]], runs: int) -> None:
    print(f"\nWhole processes, median of {runs} alternating runs:\n")
    print("| command | median wall | vs similar |")
    print("|---|---:|---:|")
    for name, wall, ratio in latency:
        print(f"| `moviembed {name}` | {wall:.2f} s | {ratio:.2f}× |")


if __name__ == "__main__":
    raise SystemExit(main())
