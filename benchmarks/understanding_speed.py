"""What reading a request costs: `understand()` against a real index, per query, in ms.

    python benchmarks/understanding_speed.py --index DIR [--cache DIR] [--rounds 5]

Runs every query of quality_queries.json and discovery_queries.json through query
understanding with the index's keyword index (titles, people and the newest year are
looked up there, as `moviembed query` does), `--rounds` times, and prints the median, 95th
percentile and worst time per query kind. The issue's bound is 5 ms per query.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from moviembed.index.keywords import KeywordIndex  # noqa: E402
from moviembed.index.store import EmbeddingStore  # noqa: E402
from moviembed.search.lookup import IndexLookup  # noqa: E402
from moviembed.search.understand import understand  # noqa: E402

QUERY_SETS = ("quality_queries.json", "discovery_queries.json")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--index", type=Path, required=True)
    parser.add_argument("--cache", type=Path, help="the cache dir holding its keyword index")
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args(argv)
    store = EmbeddingStore(args.index)
    keywords = KeywordIndex.for_store(store, args.cache or args.index.parent / "cache")
    keywords.ensure_current(store)
    lookup = IndexLookup(store, keywords)
    entries = [
        entry
        for name in QUERY_SETS
        if (ROOT / "benchmarks" / name).exists()
        for entry in json.loads((ROOT / "benchmarks" / name).read_text(encoding="utf-8"))
    ]
    times: dict[str, list[float]] = {}
    for _ in range(args.rounds):
        for entry in entries:
            started = time.perf_counter()
            understand(entry["query"], lookup)
            elapsed = (time.perf_counter() - started) * 1000
            times.setdefault(entry["kind"], []).append(elapsed)
            times.setdefault("all", []).append(elapsed)
    print(f"{len(entries)} queries x {args.rounds} rounds\n")
    print("| kind | queries | median ms | p95 ms | max ms |")
    print("|---|---:|---:|---:|---:|")
    for kind, values in sorted(times.items(), key=lambda item: item[0] == "all"):
        p95 = statistics.quantiles(values, n=20)[-1] if len(values) > 1 else values[0]
        print(
            f"| {kind} | {len(values) // args.rounds} | {statistics.median(values):.2f} "
            f"| {p95:.2f} | {max(values):.2f} |"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
