"""Query latency and throughput: local index vs a Chroma server on loopback, TMDB 5000 scale.

    python benchmarks/server.py [--index DIR] [--data ../shared/data/tmdb5000] [--queries 200]

Needs a local index of the TMDB 5000 dataset: `--index` (e.g. the one `run.py --workdir`
leaves), or it is built first (about two minutes). The index is copied to a fresh
`chroma run` server with `moviembed export` / `import` (no re-embedding). Each client is a
separate process that loads its query model, then runs the labelled queries of
`quality_queries.json` in a loop through `moviembed.search.search` (hybrid, the default):
query embedding (ONNX), Chroma query, keyword lookup. Clients start together at a barrier;
the table gives per-query latency (median, p95) and total queries per second.
"""

from __future__ import annotations

import argparse
import json
import multiprocessing as mp
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.chroma_server import ChromaServer  # noqa: E402

QUERIES = [
    e["query"] for e in json.loads((ROOT / "benchmarks" / "quality_queries.json").read_text())
]
DEFAULT_DATA = ROOT.parent / "shared" / "data" / "tmdb5000"


def client(
    store_args: dict[str, str | None], cache: str, count: int, barrier: mp.Barrier, out: mp.Queue
) -> None:
    """One client process: warm up, wait for the others, run `count` queries, report latencies."""
    from moviembed.embedding.onnx_embedder import load_query_embedder
    from moviembed.index.keywords import KeywordIndex
    from moviembed.index.store import EmbeddingStore
    from moviembed.search.query import search

    store = EmbeddingStore(**store_args)  # type: ignore[arg-type]
    embedder = load_query_embedder(store.model_name(), Path(cache))
    keywords = KeywordIndex.for_store(store, Path(cache))
    keywords.ensure_current(store)
    search(QUERIES[0], store=store, embedder=embedder, keywords=keywords)  # warm-up
    barrier.wait()
    latencies = []
    for number in range(count):
        started = time.perf_counter()
        search(QUERIES[number % len(QUERIES)], store=store, embedder=embedder, keywords=keywords)
        latencies.append(time.perf_counter() - started)
    out.put(latencies)


def measure(store_args: dict[str, str | None], cache: str, clients: int, count: int) -> dict:
    context = mp.get_context("spawn")
    barrier = context.Barrier(clients + 1)
    out = context.Queue()
    workers = [
        context.Process(target=client, args=(store_args, cache, count, barrier, out))
        for _ in range(clients)
    ]
    for worker in workers:
        worker.start()
    barrier.wait()
    started = time.perf_counter()
    latencies = [value for _ in workers for value in out.get()]
    wall = time.perf_counter() - started
    for worker in workers:
        worker.join()
    latencies.sort()
    return {
        "median_ms": statistics.median(latencies) * 1000,
        "p95_ms": latencies[int(len(latencies) * 0.95) - 1] * 1000,
        "qps": len(latencies) / wall,
    }


def moviembed(*args: str, env: dict[str, str]) -> None:
    subprocess.run([sys.executable, "-m", "moviembed", *args], env=env, check=True)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--index", type=Path, help="an existing local index of TMDB 5000")
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    parser.add_argument("--queries", type=int, default=200, help="queries per client")
    args = parser.parse_args(argv)
    work = Path(tempfile.mkdtemp(prefix="moviembed-server-bench-"))
    cache = str(work / "cache")
    env = dict(os.environ, MOVIEMBED_CACHE_DIR=cache, NO_COLOR="1")
    env.pop("MOVIEMBED_CHROMA_URL", None)
    index = args.index
    if index is None:
        index = work / "local"
        movies, credits = (
            args.data / "tmdb_5000_movies.csv.gz",
            args.data / "tmdb_5000_credits.csv.gz",
        )
        moviembed(
            "--db",
            str(index),
            "build",
            "-q",
            "--tmdb-csv",
            str(movies),
            "--credits",
            str(credits),
            env=env,
        )
    backup = work / "tmdb5000.jsonl"
    moviembed("--db", str(index), "export", str(backup), env=env)
    moviembed("--db", str(work / "warm"), "build", "-q", env=env)  # the ONNX export, once
    rows = []
    with ChromaServer(work / "server") as server:
        moviembed("--chroma-url", server.url, "import", str(backup), env=env)
        for backend, store_args in (
            ("local", {"persist_dir": str(index)}),
            ("server (loopback)", {"chroma_url": server.url}),
        ):
            for clients in (1, 4):
                print(f"{backend}, {clients} client(s)…", file=sys.stderr)
                rows.append((backend, clients, measure(store_args, cache, clients, args.queries)))
    print(f"\n{args.queries} queries per client, hybrid search, TMDB 5000 (4,803 movies)\n")
    print("| backend | clients | median latency | p95 latency | queries/s |")
    print("|---|---:|---:|---:|---:|")
    for backend, clients, figures in rows:
        print(
            f"| {backend} | {clients} | {figures['median_ms']:.1f} ms | "
            f"{figures['p95_ms']:.1f} ms | {figures['qps']:.1f} |"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
