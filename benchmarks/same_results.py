"""Same results, less work: this checkout's search against another commit's, in one process.

    python benchmarks/same_results.py --index DIR [--baseline main] [--cache DIR]

Loads `moviembed/search/query.py` as it is at `--baseline` (git) beside this checkout's,
over the same open index (DIR: a TMDB 5000 index), and runs every query of
`quality_queries.json` through the baseline (plain reader), this checkout with the plain
reader (the CLI's) and this checkout with the caching reader (the service's), in turn:
hybrid and dense, with and without a filter, 10 and 60 results, and each `--rank` order. It
counts the cases whose results differ from the baseline's in any id, order, similarity,
score, explanation, document or metadata (compared exactly), and gives the median process
CPU time per search of each.

One process and one open store, because Chroma's approximate index answers slightly
differently each time an index is opened (see benchmarks/README.md). The query embedding is
computed once per text and shared, so the times are the search layer's own. The baseline's
query.py must only call store methods this checkout still has.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import time
import types
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from moviembed.choices import RankOrder, SearchMode  # noqa: E402
from moviembed.config import Settings  # noqa: E402
from moviembed.embedding.backends import query_embedder  # noqa: E402
from moviembed.index.cached import CachingReader  # noqa: E402
from moviembed.index.keywords import KeywordIndex  # noqa: E402
from moviembed.index.store import EmbeddingStore  # noqa: E402
from moviembed.search import query as current  # noqa: E402
from moviembed.search.filters import Filters  # noqa: E402

ENTRIES = json.loads((ROOT / "benchmarks" / "quality_queries.json").read_text())
FILTERS = [Filters(), Filters.parse(["drama"], "1990.."), Filters.parse(language="fr")]


def baseline_module(ref: str) -> types.ModuleType:
    """`moviembed.search.query` as it is at `ref`, importing this checkout's other modules."""
    path = "moviembed/search/query.py"
    source = subprocess.run(
        ["git", "show", f"{ref}:{path}"], cwd=ROOT, check=True, capture_output=True, text=True
    ).stdout
    module = types.ModuleType("baseline_query")
    sys.modules[module.__name__] = module  # dataclasses look their module up
    exec(compile(source, f"{ref}:{path}", "exec"), module.__dict__)
    return module


class Memo:
    """The query model, each text embedded once: every side gets the very same vector."""

    def __init__(self, embedder: Any) -> None:
        self.embedder = embedder
        self.vectors: dict[str, np.ndarray] = {}

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        key = texts[0]
        if key not in self.vectors:
            self.vectors[key] = self.embedder.embed(list(texts))
        return self.vectors[key]


def cases() -> Iterator[dict[str, Any]]:
    for number, entry in enumerate(ENTRIES):
        text = entry["query"]
        for mode in SearchMode:
            for filters in FILTERS:
                yield {"text": text, "mode": mode, "filters": filters}
        yield {"text": text, "limit": 60}
        yield {"text": text, "order": list(RankOrder)[1 + number % 3]}


def outcome(hits: list[Any]) -> list[tuple[Any, ...]]:
    return [
        (h.rank, h.id, h.similarity, h.score, h.explanation, h.document, h.metadata) for h in hits
    ]


def timed(module: types.ModuleType, store: Any, keywords: Any, memo: Memo, case: dict) -> tuple:
    began = time.process_time()
    hits = module.search(store=store, embedder=memo, keywords=keywords, **case)
    return outcome(hits), time.process_time() - began


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--index", type=Path, required=True, help="a TMDB 5000 index")
    parser.add_argument("--baseline", default="main", help="git commit or branch to compare")
    parser.add_argument("--cache", type=Path, help="a MOVIEMBED_CACHE_DIR with the ONNX export")
    args = parser.parse_args(argv)
    cache = args.cache or Settings().cache_dir
    store = EmbeddingStore(args.index)  # both readers share Chroma's one open index
    keywords = KeywordIndex.for_store(store, cache)
    keywords.ensure_current(store)
    memo = Memo(query_embedder(store.model_name(), cache, threads=1))
    sides = {
        f"{args.baseline} (plain reader)": (baseline_module(args.baseline), store),
        "this checkout, plain reader (CLI)": (current, store),
        "this checkout, caching reader (serve)": (current, CachingReader(args.index)),
    }
    seconds: dict[str, list[float]] = {name: [] for name in sides}
    differ: dict[str, int] = dict.fromkeys(sides, 0)
    for number, case in enumerate(cases()):
        names = list(sides)[number % 3 :] + list(sides)[: number % 3]
        results = {}
        for name in names:
            results[name], spent = timed(*sides[name], keywords, memo, case)
            seconds[name].append(spent)
        for name in sides:
            if results[name] != results[list(sides)[0]]:
                differ[name] += 1
                print(f"{name} differs: {case}", file=sys.stderr)
    total = len(seconds[list(sides)[0]])
    before = statistics.median(seconds[list(sides)[0]])
    print(f"\n{total} searches of each on {args.index} ({len(ENTRIES)} queries, 8 cases each)\n")
    print("| search | differing from the baseline | median CPU/search | ratio |")
    print("|---|---:|---:|---:|")
    for name, spent in seconds.items():
        median = statistics.median(spent)
        print(f"| {name} | {differ[name]} | {median * 1000:.1f} ms | {median / before:.2f} |")
    return 1 if any(differ.values()) else 0


if __name__ == "__main__":
    raise SystemExit(main())
