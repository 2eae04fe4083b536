"""A catalog of tens of thousands: build throughput, memory, a crash and resume, a sync.

    python benchmarks/scale.py [--movies 20000] [--small 5000] [--rate 40] [--changed 200]

The fake TMDB (tests/fake_tmdb.py, in this process) serves the TMDB 5000 movies
plus generated variants with ids of their own, and TMDB's daily id export of
them. Each build is a real `moviembed build --ids export.json.gz --limit N`
process with its own index and cache, so every movie is fetched at `--rate`
and embedded by the real model. The table reports, per catalog size: requests
per second achieved, movies per second, and the build process's peak RSS
(`ru_maxrss`; the 20,000 build must stay within 10% of the 5,000 one). Then a
build of the small catalog is SIGKILLed at a random moment and resumed: the
extra requests and embeddings the resume costs. Then `--changed` movies of the
large index are revised on the fake TMDB and `build --changes` syncs them. Last,
the fetcher alone against a fake TMDB that takes `--latency` to answer, as a
real one across the internet does: the request rate reached with one request
at a time and with four in flight.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import random
import signal
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from moviembed.index.store import EmbeddingStore  # noqa: E402
from moviembed.sources.tmdb.cache import ResponseCache  # noqa: E402
from moviembed.sources.tmdb.client import TmdbClient  # noqa: E402
from moviembed.sources.tmdb.fetcher import TmdbFetcher  # noqa: E402
from tests.fake_tmdb import FakeTmdb, dataset_movies  # noqa: E402
from tests.fake_tmdb_data import write_id_export  # noqa: E402

DEFAULT_DATA = ROOT.parent / "shared" / "data" / "tmdb5000"
VARIANT_ID_BASE = 10_000_000  # above every TMDB 5000 id
KEY = "scale-benchmark-key"


def catalog(data: Path, size: int) -> dict[int, dict[str, Any]]:
    """The dataset's movies, then variants of them (own id, title, reordered overview)."""
    movies = dataset_movies(data)
    originals = list(movies.values())
    number = 0
    while len(movies) < size:
        base = originals[number % len(originals)]
        sentences = (base.get("overview") or "").split(". ")
        variant = {
            **base,
            "id": VARIANT_ID_BASE + number,
            "title": f"{base.get('title')} (variant {number // len(originals) + 1})",
            "overview": ". ".join(reversed(sentences)) + f" Variant {number}.",
            "popularity": float(base.get("popularity") or 0) / (2 + number // len(originals)),
        }
        movies[variant["id"]] = variant
        number += 1
    return movies


@dataclass
class Run:
    """One `moviembed build` process: what it reported and what it cost."""

    seconds: float
    peak_rss_mib: float
    requests: int
    report: dict[str, Any]
    killed: bool = False


def build(fake: FakeTmdb, workdir: Path, args: list[str], kill_at: int | None = None) -> Run:
    """Run `moviembed build ARGS` in its own process against `fake`; SIGKILL it once the
    fake has answered `kill_at` requests, if given."""
    env = {
        **os.environ,
        "MOVIEMBED_DB": str(workdir / "index"),
        "MOVIEMBED_CACHE_DIR": str(workdir / "cache"),
        "MOVIEMBED_TMDB_URL": fake.url,
        "TMDB_API_KEY": KEY,
        "ANONYMIZED_TELEMETRY": "False",
        "PYTHONPATH": str(ROOT),
    }
    command = [sys.executable, "-m", "moviembed", "build", *args, "--quiet", "--json"]
    workdir.mkdir(parents=True, exist_ok=True)
    out, err = workdir / "build.out", workdir / "build.err"
    before = fake.count
    started = time.perf_counter()
    with out.open("wb") as stdout, err.open("wb") as stderr:
        process = subprocess.Popen(command, env=env, stdout=stdout, stderr=stderr)
        # wait4, not wait: it also returns the child's own peak RSS.
        pid, status, usage = os.wait4(process.pid, os.WNOHANG if kill_at else 0)
        while kill_at is not None and pid == 0:
            if fake.count - before >= kill_at:
                process.kill()
                kill_at = None
            time.sleep(0.02)
            pid, status, usage = os.wait4(process.pid, os.WNOHANG if kill_at else 0)
    process.returncode = code = os.waitstatus_to_exitcode(status)
    seconds = time.perf_counter() - started
    killed = code == -signal.SIGKILL
    if not killed and code != 0:
        raise SystemExit(f"build failed ({code}): {err.read_text()[-2000:]}")
    report = json.loads(out.read_text()) if not killed else {}
    return Run(seconds, usage.ru_maxrss / 1024, fake.count - before, report, killed)


def _share_query_model(base: Path, workdir: Path) -> None:
    """Point the build's cache at one ONNX query model, exported once beforehand: the
    one-off export would otherwise add its own time and memory to whichever build ran it."""
    (workdir / "cache").mkdir(parents=True, exist_ok=True)
    (workdir / "cache" / "onnx").symlink_to(base / "shared-cache" / "onnx")


def size_rows(fake: FakeTmdb, export: Path, sizes: list[int], rate: float, base: Path) -> dict:
    build(fake, base / "shared", ["--ids", str(export), "--limit", "1"])  # exports the model
    (base / "shared" / "cache").rename(base / "shared-cache")
    runs = {}
    for size in sizes:
        workdir = base / f"build-{size}"
        _share_query_model(base, workdir)
        run = build(
            fake, workdir, ["--ids", str(export), "--limit", str(size), "--rate", str(rate)]
        )
        runs[size] = (run, workdir)
        print(
            f"| {size:,} | {run.seconds:,.0f} s | {run.requests / run.seconds:.1f} | "
            f"{size / run.seconds:.1f} | {run.peak_rss_mib:,.0f} MiB |",
            flush=True,
        )
    return runs


def kill_and_resume(fake: FakeTmdb, export: Path, size: int, rate: float, base: Path) -> None:
    workdir = base / "killed"
    args = ["--ids", str(export), "--limit", str(size), "--rate", str(rate)]
    moment = random.randint(size // 5, size * 4 // 5)  # somewhere in the fetching
    _share_query_model(base, workdir)
    killed = build(fake, workdir, args, kill_at=moment)
    stored = EmbeddingStore(workdir / "index").count() if (workdir / "index").exists() else 0
    resumed = build(fake, workdir, args)
    added = resumed.report["added"]
    print(
        f"| SIGKILL after {moment:,} requests, then resume | {killed.requests:,} requests, "
        f"{stored:,} movies stored | {resumed.requests:,} requests, {added:,} embedded, "
        f"{resumed.seconds:.0f} s | {killed.requests + resumed.requests - size:,} requests, "
        f"{stored + added - size:,} embeddings |",
        flush=True,
    )


def sync_changes(fake: FakeTmdb, workdir: Path, changed: int, rate: float) -> None:
    store_count = EmbeddingStore(workdir / "index").count()
    indexed = sorted(int(id_) for id_ in EmbeddingStore(workdir / "index").all_ids())
    chosen = random.sample(indexed, changed)
    fake.revise(chosen[: changed * 3 // 4], kind="overview")
    fake.revise(chosen[changed * 3 // 4 :], kind="votes")
    today = dt.date.today().isoformat()
    run = build(fake, workdir, ["--changes", "--since", today, "--rate", str(rate)])
    movie_requests = run.report["fetched"]
    after = EmbeddingStore(workdir / "index").count()
    print("| sync | time | requests | re-embedded | updated | count before → after |")
    print("|---|---:|---|---:|---:|---|")
    print(
        f"| {changed} changed in {store_count:,} | {run.seconds:.1f} s | "
        f"{movie_requests} movies + {run.requests - movie_requests} change pages | "
        f"{run.report['reembedded']} | {run.report['updated']} | {store_count:,} → {after:,} |",
        flush=True,
    )


def slow_link(fake: FakeTmdb, latency: float, rate: float, base: Path, count: int = 200) -> None:
    """Requests per second the fetcher reaches when each answer takes `latency` seconds,
    one request at a time against the default four in flight."""
    fake.delay = latency
    print("| answer latency | --rate | connections | movies | time | requests/s |")
    print("|---:|---:|---:|---:|---:|---:|")
    for connections, ids in ((1, sorted(fake.movies)[:count]), (4, sorted(fake.movies)[-count:])):
        client = TmdbClient(api_key=KEY, base_url=fake.url, rate=rate)
        cache = ResponseCache(base / f"slow-link-{connections}")
        fetcher = TmdbFetcher(client, cache, connections=connections)
        started = time.perf_counter()
        fetched = sum(1 for _ in fetcher.movies(ids))
        seconds = time.perf_counter() - started
        print(
            f"| {latency * 1000:.0f} ms | {rate:g} | {connections} | {fetched} | "
            f"{seconds:.1f} s | {fetched / seconds:.1f} |",
            flush=True,
        )
    fake.delay = 0.0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    parser.add_argument("--movies", type=int, default=20_000)
    parser.add_argument("--small", type=int, default=5_000)
    parser.add_argument("--rate", type=float, default=40.0)
    parser.add_argument("--changed", type=int, default=200)
    parser.add_argument("--latency", type=float, default=0.08, help="seconds per answer")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--skip-kill", action="store_true", help="no SIGKILL and resume")
    args = parser.parse_args()
    if not (args.data / "tmdb_5000_movies.csv.gz").is_file():
        raise SystemExit(f"No TMDB 5000 data in {args.data}.")
    random.seed(args.seed)
    movies = catalog(args.data, args.movies)
    with tempfile.TemporaryDirectory(prefix="moviembed-scale-") as folder:
        base = Path(folder)
        export = write_id_export(movies.values(), base / "movie_ids_11_27_2026.json.gz")
        with FakeTmdb(movies, api_key=KEY) as fake:
            print(f"{len(movies):,} movies on the fake TMDB, --rate {args.rate:g}\n")
            print("| movies | build | requests/s | movies/s | peak RSS |")
            print("|---:|---:|---:|---:|---:|")
            runs = size_rows(fake, export, [args.small, args.movies], args.rate, base)
            small, large = runs[args.small][0], runs[args.movies][0]
            growth = large.peak_rss_mib / small.peak_rss_mib - 1
            print(f"\nPeak RSS {args.movies:,} vs {args.small:,}: {growth:+.1%}\n")
            if not args.skip_kill:
                print("| crash | killed run | resumed run | extra work |")
                print("|---|---|---|---|")
                kill_and_resume(fake, export, args.small, args.rate, base)
                print()
            sync_changes(fake, runs[args.movies][1], args.changed, args.rate)
            print()
            slow_link(fake, args.latency, args.rate, base)


if __name__ == "__main__":
    main()
