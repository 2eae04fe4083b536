"""Search quality on the TMDB 5000 dataset: MRR@10, Recall@10 and nDCG@10 per split and kind.

    python benchmarks/search_quality.py [--data ../shared/data/tmdb5000] [--workdir DIR]
    python benchmarks/search_quality.py --sweep   # the tuning-half sweep behind the defaults
    python benchmarks/search_quality.py --model mpnet --workdir DIR   # all-mpnet-base-v2

Builds the index once (reused on later runs; a build after a code change only
updates metadata), runs every query of `quality_queries.json`, grades the top
10 with `judge.relevance` and prints one table per configuration:

* "RRF, no prior": the ranking before issue 16 (reciprocal-rank fusion, title weight 1);
* "RRF, faded prior": the first issue-16 ranking (RRF plus a prior faded by similarity);
* "scores, literal": the same, with the query taken word for word (before issue 25);
* "scores (default)": today's, similarity + keyword share + prior (search/ranking.py) after
  the query is understood (search/understand.py).

The two RRF rankings are reproduced here from the candidates `search` finds, so
all three run in one process on one index. `--sweep` scores the keyword weight,
the prior's form and weight and the BM25 title weight (and a query-decade boost)
on the tuning half only; the test half is for reporting.
"""

from __future__ import annotations

import argparse
import contextlib
import functools
import itertools
import json
import math
import re
import statistics
import sys
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

from judge import relevance  # noqa: E402
from same_results import Memo  # noqa: E402

from moviembed.choices import SearchMode  # noqa: E402
from moviembed.embedding.embedder import SentenceTransformerEmbedder  # noqa: E402
from moviembed.index.builder import build_index  # noqa: E402
from moviembed.index.keywords import TITLE_WEIGHT, KeywordIndex  # noqa: E402
from moviembed.index.store import EmbeddingStore  # noqa: E402
from moviembed.movie import Movie, Skipped, movie_from_tmdb  # noqa: E402
from moviembed.search import query as query_module  # noqa: E402
from moviembed.search import ranking  # noqa: E402
from moviembed.search.filters import Filters  # noqa: E402
from moviembed.search.query import SearchHit, search  # noqa: E402
from moviembed.sources.dataset import iter_api_records  # noqa: E402

QUERIES = ROOT / "benchmarks" / "quality_queries.json"
DEFAULT_DATA = Path("/work/shared/data/tmdb5000")
DEFAULT_WORKDIR = Path.home() / ".cache" / "moviembed-bench" / "quality"
K = 10
KINDS = ("known_item", "mood", "filtered", "keyword")
_DECADE = re.compile(r"\b(1[89]\d|20[0-2])0s\b")


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


def recall(grades: list[int], ideal: list[int]) -> float:
    """Right answers (grade 2) in the top K over as many as could fit there."""
    wanted = min(K, sum(1 for g in ideal if g == 2))
    return sum(1 for g in grades[:K] if g == 2) / wanted if wanted else 0.0


def year_boosted(text: str, hits: list[SearchHit], boost: float) -> list[SearchHit]:
    """Re-rank by adding `boost` to movies released in a decade the query names."""
    decades = {int(match) * 10 for match in _DECADE.findall(text)}
    if not decades or not boost:
        return hits

    def score(hit: SearchHit) -> float:
        year = hit.year or 0
        return hit.score + (boost if any(d <= year <= d + 9 for d in decades) else 0.0)

    return sorted(hits, key=score, reverse=True)


Config = dict[str, Any]


def ideal_grades(entries: list[dict[str, Any]], movies: dict[str, Movie]) -> dict[str, list[int]]:
    """Every movie's non-zero grade, per query id: the best possible top 10 comes from these."""
    return {
        entry["id"]: [g for g in (relevance(entry, m) for m in movies.values()) if g]
        for entry in entries
    }


def evaluate(
    entries: list[dict[str, Any]],
    movies: dict[str, Movie],
    ideals: dict[str, list[int]],
    run: Callable,
) -> dict:
    """{split: {kind: {mrr, recall, ndcg}}} for the search `run(entry) -> hits`."""
    scores: dict[str, dict[str, dict[str, list[float]]]] = {}
    for entry in entries:
        grades = [relevance(entry, movies[str(hit.id)]) for hit in run(entry)][:K]
        ideal = ideals[entry["id"]]
        for split in (entry["split"], "all"):
            kind = scores.setdefault(split, {}).setdefault(entry["kind"], {})
            kind.setdefault("mrr", []).append(reciprocal_rank(grades))
            kind.setdefault("recall", []).append(recall(grades, ideal))
            kind.setdefault("ndcg", []).append(ndcg(grades, ideal))
    return {
        split: {kind: {n: statistics.fmean(v) for n, v in m.items()} for kind, m in kinds.items()}
        for split, kinds in scores.items()
    }


def runner(store: EmbeddingStore, embedder: Any, keywords: KeywordIndex, config: Config):
    def run(entry: dict[str, Any]) -> list[SearchHit]:
        form = config.get("prior", ranking.liked_prior)
        with fusion(config):
            hits = search(
                entry["query"],
                store=store,
                embedder=embedder,
                limit=ranking_pool(config),
                filters=filters_of(entry),
                mode=config.get("mode", SearchMode.hybrid),
                keywords=keywords,
                prior=form if config.get("weight", ranking.PRIOR_WEIGHT) else None,
                literal=config.get("literal", False),
            )
        return year_boosted(entry["query"], hits, config.get("year_boost", 0.0))[:K]

    return run


@contextlib.contextmanager
def fusion(config: Config) -> Iterator[None]:
    """Search with the config's fusion: RRF (`rrf`), or scores with its weights."""
    saved = query_module.fuse
    if config.get("rrf"):
        query_module.fuse = functools.partial(rrf_fuse, margin=config["rrf"])
    else:
        query_module.fuse = functools.partial(
            ranking.fuse,
            weight=config.get("weight", ranking.PRIOR_WEIGHT),
            keyword_weight=config.get("keyword_weight", ranking.KEYWORD_WEIGHT),
        )
    try:
        yield
    finally:
        query_module.fuse = saved


def rrf_fuse(
    found: ranking.Candidates, prior: ranking.Prior | None, margin: float
) -> dict[str, tuple[float, ranking.Explanation]]:
    """The ranking before scores were added: reciprocal ranks of the dense and keyword
    lists (k=60), the title bonus, and a prior of weight 0.006 that fades to nothing for a
    movie `margin` below the best similarity."""
    ranks = [
        {i: r for r, i in enumerate(ids, start=1)}
        for ids in (found.dense, [i for i, _ in found.keyword])
    ]
    best = max(found.similarity.values(), default=0.0)
    scored = {}
    for movie_id, meta in found.metadata.items():
        fit = min(max(1.0 - (best - found.similarity[movie_id]) / margin, 0.0), 1.0)
        boost = 0.006 * prior(meta) * fit if prior else 0.0
        score = sum(1.0 / (ranking.RRF_K + r[movie_id]) for r in ranks if movie_id in r) + boost
        score += ranking.TITLE_BONUS if movie_id in found.titled else 0.0
        why = ranking.Explanation(None, None, movie_id in found.titled, 0.0, boost)
        scored[movie_id] = (score, why)
    return scored


def ranking_pool(config: Config) -> int:
    return 50 if config.get("year_boost") else K


def popularity_prior(metadata: ranking.Metadata) -> float:
    """TMDB's popularity (a recent-activity measure), log-scaled like `vote_prior`."""
    value = metadata.get("popularity")
    if not isinstance(value, (int, float)):
        return 0.0
    return min(math.log1p(value) / math.log1p(100), 1.0) - 0.5


CONFIGS: dict[str, Config] = {
    "RRF, no prior": {"rrf": 0.25, "weight": 0.0, "title_weight": 1.0, "literal": True},
    "RRF, faded prior": {"rrf": 0.25, "literal": True},
    "scores, literal (before issue 25)": {"literal": True},
    "scores (default)": {},
}
FORMS = {
    "votes": ranking.vote_prior,
    "popularity": popularity_prior,
    "votes+rating": ranking.liked_prior,
}


def sweep() -> dict[str, Config]:
    """The grid behind the defaults (keyword weight x prior weight x title weight), the
    prior's other forms, dense mode and a decade boost, for the tuning half."""
    configs: dict[str, Config] = dict(CONFIGS)
    for title_weight, keyword_weight, weight in itertools.product(
        (1.0, 5.0), (0.2, 0.25, 0.3), (0.25, 0.3, 0.35)
    ):
        name = f"title x{title_weight:g}, keywords {keyword_weight}, prior {weight}"
        configs[name] = {
            "title_weight": title_weight,
            "keyword_weight": keyword_weight,
            "weight": weight,
        }
    for name, form in FORMS.items():
        configs[f"prior {name} x0.3"] = {"prior": form}
    configs["dense, no prior"] = {"mode": SearchMode.dense, "weight": 0.0}
    configs["dense, prior"] = {"mode": SearchMode.dense}
    for boost in (0.01, 0.03):
        configs[f"decade boost {boost}"] = {"year_boost": boost}
    return configs


def open_index(
    data: Path, workdir: Path, index: Path | None, model: str | None = None
) -> tuple[list[Movie], EmbeddingStore, SentenceTransformerEmbedder, Path]:
    """The dataset's movies, their index (`index`, else one in `workdir`, of `model`: the
    bundled MiniLM by default) built or brought up to date, the embedder, and the path of
    the keyword index, current with the store."""
    movies = load_movies(data)
    embedder = SentenceTransformerEmbedder(model, cache_root=workdir / "cache")
    store = EmbeddingStore(index or workdir / "index", model_name=model)
    report = build_index(movies, store=store, embedder=embedder)
    print(f"index: {report.added} added, {report.updated} updated", file=sys.stderr)
    path = KeywordIndex.for_store(store, workdir / "cache").path
    KeywordIndex(path).ensure_current(store)
    return movies, store, embedder, path


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    parser.add_argument("--workdir", type=Path, default=DEFAULT_WORKDIR)
    parser.add_argument("--index", type=Path, help="an index folder to reuse (default: in workdir)")
    parser.add_argument("--sweep", action="store_true", help="tune: the tuning half only")
    parser.add_argument("--json", type=Path, help="also write the results here")
    parser.add_argument("--model", help="the model of a new index (default: MiniLM; mpnet)")
    parser.add_argument("--only", help="run only configurations whose name has this (+ default)")
    args = parser.parse_args(argv)
    entries = json.loads(QUERIES.read_text(encoding="utf-8"))
    movies, store, embedder, path = open_index(args.data, args.workdir, args.index, args.model)
    by_id = {str(movie.id): movie for movie in movies}
    configs = sweep() if args.sweep else CONFIGS
    if args.only:
        configs = {n: c for n, c in configs.items() if args.only in n or n == "scores (default)"}
    if args.sweep:
        entries = [entry for entry in entries if entry["split"] == "tune"]
    ideals = ideal_grades(entries, by_id)
    results = {}
    queries = Memo(embedder)  # each query embedded once, whatever the configuration
    for name, config in configs.items():
        keywords = KeywordIndex(path, config.get("title_weight", TITLE_WEIGHT))
        run = runner(store, queries, keywords, config)
        results[name] = evaluate(entries, by_id, ideals, run)
        print(f"{name}: done", file=sys.stderr)
    print_table(results, entries)
    if args.json:
        args.json.write_text(json.dumps(results, indent=2))
    return 0


def objective(result: dict[str, dict[str, float]]) -> float:
    """What the sweep maximises on the tuning half: known-item MRR@10 + Recall@10 / 2, plus
    half of mood and filtered nDCG@10, so a gain for known items cannot hide a loss there."""
    known = result["known_item"]
    return (
        known["mrr"]
        + known["recall"] / 2
        + (result["mood"]["ndcg"] + result["filtered"]["ndcg"]) / 2
    )


def print_table(results: dict[str, dict], entries: list[dict[str, Any]]) -> None:
    counts = {s: sum(1 for e in entries if e["split"] == s) for s in ("tune", "test")}
    print(f"\n{len(entries)} queries (tune {counts['tune']}, test {counts['test']})")
    print(
        "| configuration | half | known-item MRR@10 | known-item Recall@10 | known-item nDCG@10 "
        "| mood nDCG@10 | filtered nDCG@10 | keyword nDCG@10 | keyword Recall@10 | objective |"
    )
    print("|---|---|---:|---:|---:|---:|---:|---:|---:|---:|")
    for name, splits in results.items():
        for split in ("tune", "test"):
            if split not in splits:
                continue
            r = splits[split]
            cells = [
                r["known_item"]["mrr"],
                r["known_item"]["recall"],
                r["known_item"]["ndcg"],
                r["mood"]["ndcg"],
                r["filtered"]["ndcg"],
                r["keyword"]["ndcg"],
                r["keyword"]["recall"],
                objective(r),
            ]
            print(f"| {name} | {split} | " + " | ".join(f"{v:.3f}" for v in cells) + " |")


if __name__ == "__main__":
    raise SystemExit(main())
