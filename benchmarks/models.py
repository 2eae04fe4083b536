"""The two models side by side on TMDB 5000: `moviembed query` processes and `serve` latency.

    python benchmarks/models.py --minilm DIR --mpnet DIR [--cache DIR] [--runs 7]

`DIR`s are TMDB 5000 indexes built with each model (`search_quality.py [--model mpnet]`
builds them). Both share one MOVIEMBED_CACHE_DIR, so the ONNX exports (and mpnet's checked
files) are made once in a warm-up, as a user's first build makes them. Then:

* whole `moviembed query` processes, the two indexes alternately (`run.py`'s wall time and
  peak RSS from wait4, medians and the median of the run-by-run ratios);
* `moviembed serve` on each index, one client sending the labelled queries
  (`httpload.py`): median and p95 latency and the server's CPU per request, each index
  served `--runs` times, alternately.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from httpload import run_load, serving  # noqa: E402
from run import QUERY, measure, pair_ratio  # noqa: E402

REQUESTS = 60  # per served run: enough for a median, a few seconds with MiniLM


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--minilm", type=Path, required=True, help="a MiniLM TMDB 5000 index")
    parser.add_argument("--mpnet", type=Path, required=True, help="an mpnet TMDB 5000 index")
    parser.add_argument("--cache", type=Path, help="MOVIEMBED_CACHE_DIR (default: yours)")
    parser.add_argument("--runs", type=int, default=7, help="runs of every figure (>= 1)")
    args = parser.parse_args(argv)
    env = dict(os.environ, NO_COLOR="1")
    if args.cache:
        env["MOVIEMBED_CACHE_DIR"] = str(args.cache)
    indexes = {"MiniLM": args.minilm, "mpnet": args.mpnet}
    commands = {
        name: [sys.executable, "-m", "moviembed", "--db", str(db), "query", QUERY, "--json"]
        for name, db in indexes.items()
    }
    measure(commands, env, 1)  # warm-up: ONNX exports, keyword indexes, mpnet's files
    samples = measure(commands, env, args.runs)
    print("| model | `moviembed query` (median) | peak RSS | ratio to MiniLM |")
    print("|---|---:|---:|---:|")
    for name, sample in samples.items():
        ratio = pair_ratio(sample, samples["MiniLM"])
        print(f"| {name} | {sample.wall:.2f} s | {sample.peak:.0f} MiB | {ratio:.2f} |")
    served: dict[str, list] = {name: [] for name in indexes}
    for run in range(args.runs):
        for name in list(indexes)[:: 1 if run % 2 == 0 else -1]:
            with serving(["--db", str(indexes[name])], env) as (port, pid):
                run_load(port, 1, 10)  # warm up
                served[name].append(run_load(port, 1, REQUESTS, pid=pid))
    print("\n| model | `/api/search` median | p95 | server CPU per request |")
    print("|---|---:|---:|---:|")
    for name, loads in served.items():
        median = statistics.median(load.median_ms for load in loads)
        p95 = statistics.median(load.p95_ms for load in loads)
        cpu = statistics.median(load.cpu_ms for load in loads)
        print(f"| {name} | {median:.1f} ms | {p95:.1f} ms | {cpu:.1f} ms |")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
