"""`moviembed serve` under load: /api/search latency and throughput against a baseline commit,
and a soak with a build.

    python benchmarks/serve.py --index DIR [--baseline main] [--runs 3] [--requests 100]
                               [--levels 1,4,8] [--no-chroma-server] [--soak 60] [--cache DIR]

Needs an index of the TMDB 5000 dataset (`--index`, copied first since the soak writes to it;
else one is built, about two minutes). Each server is a real `moviembed serve` process: of
this checkout, and of `--baseline` (a git commit, unpacked with `git archive`; `none` to
skip), each with its own cache folder (sharing the ONNX export). Per run the two alternate,
so a machine that speeds up or slows down affects both alike, and each answers at 1, 4 and
8 concurrent clients (benchmarks/httpload.py), on the local index and on the same index
imported into a `chroma run` on loopback. The tables give every run, with the CPU that other
processes used meanwhile and the 1-minute load average when it started, then the medians
over runs of each figure.

The soak runs 8 clients for `--soak` seconds against a fresh server of this checkout while
a `moviembed build` adds 100 invented movies beside it; it reports failed requests, the
server's resident memory at the start and end, and how long after the build the new movies
were found by a dense search.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

from httpload import Load, moviembed, run_load, serving  # noqa: E402
from soak import soak  # noqa: E402

from tests.chroma_server import ChromaServer  # noqa: E402

DEFAULT_DATA = ROOT.parent / "shared" / "data" / "tmdb5000"
FIGURES = ("median_ms", "p95_ms", "per_second", "cpu_ms", "others_cores")


@dataclass
class Side:
    """One version of moviembed under test: its source tree and environment."""

    name: str
    source: Path  # the folder holding its `moviembed` package
    env: dict[str, str]


@dataclass
class Row:
    side: str
    backend: str
    clients: int
    run: int
    load_average: float
    load: Load


def unpack(ref: str, work: Path) -> Path:
    """The `moviembed` package as it is at `ref`, in a folder of its own."""
    folder = work / "baseline"
    folder.mkdir()
    archive = subprocess.run(
        ["git", "-C", str(ROOT), "archive", ref, "moviembed"], check=True, capture_output=True
    ).stdout
    subprocess.run(["tar", "-x", "-C", str(folder)], input=archive, check=True)
    return folder


def side(name: str, source: Path, cache: Path, shared_onnx: Path, env: dict[str, str]) -> Side:
    """A side running the package under `source`, with its own cache but the shared export."""
    cache.mkdir(parents=True, exist_ok=True)
    shared_onnx.mkdir(parents=True, exist_ok=True)
    if not (cache / "onnx").exists():
        (cache / "onnx").symlink_to(shared_onnx, target_is_directory=True)
    return Side(name, source, dict(env, MOVIEMBED_CACHE_DIR=str(cache)))


def speed_rows(sides: list[Side], backends: dict[str, list[str]], args: argparse.Namespace) -> list:
    """Every side at every level on every backend, `args.runs` times, sides alternating."""
    rows = []
    for run in range(args.runs):
        for backend, global_args in backends.items():
            for current in sides if run % 2 == 0 else sides[::-1]:
                with serving(global_args, current.env, current.source) as (port, pid):
                    run_load(port, 4, 20)  # warm up caches and the query model
                    for clients in args.levels:
                        print(
                            f"run {run + 1}: {current.name}, {backend}, {clients}…", file=sys.stderr
                        )
                        average = os.getloadavg()[0]
                        load = run_load(port, clients, args.requests, pid=pid)
                        rows.append(Row(current.name, backend, clients, run + 1, average, load))
    return rows


def print_tables(rows: list[Row], args: argparse.Namespace) -> None:
    print(f"\n/api/search, hybrid, 10 results, TMDB 5000; {args.requests} requests per client\n")
    print(
        "| run | code | backend | clients | median | p95 | requests/s | server CPU/request "
        "| errors | others' CPU | load average at start |"
    )
    print("|---:|---|---|---:|---:|---:|---:|---:|---:|---:|---:|")
    for row in rows:
        load = row.load
        print(
            f"| {row.run} | {row.side} | {row.backend} | {row.clients} | {load.median_ms:.1f} ms "
            f"| {load.p95_ms:.1f} ms | {load.per_second:.1f} | {load.cpu_ms:.1f} ms "
            f"| {len(load.errors)} | {load.others_cores:.2f} | {row.load_average:.2f} |"
        )
    print(f"\nMedians over {args.runs} runs\n")
    print(
        "| code | backend | clients | median | p95 | requests/s | server CPU/request | errors "
        "| others' CPU |"
    )
    print("|---|---|---:|---:|---:|---:|---:|---:|---:|")
    keys = dict.fromkeys((row.backend, row.clients, row.side) for row in rows)
    for backend, clients, name in keys:
        mine = [r for r in rows if (r.backend, r.clients, r.side) == (backend, clients, name)]
        median = {f: statistics.median(getattr(r.load, f) for r in mine) for f in FIGURES}
        errors = sum(len(r.load.errors) for r in mine)
        print(
            f"| {name} | {backend} | {clients} | {median['median_ms']:.1f} ms "
            f"| {median['p95_ms']:.1f} ms | {median['per_second']:.1f} "
            f"| {median['cpu_ms']:.1f} ms | {errors} | {median['others_cores']:.2f} |"
        )
    print(
        "\nothers' CPU: cores that processes other than the server and its clients (and the "
        "hypervisor) kept busy during the run, from /proc/stat; the load average counts the "
        "benchmark itself too."
    )


def arguments(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--index", type=Path, help="an existing local index of TMDB 5000")
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    parser.add_argument("--cache", type=Path, help="a MOVIEMBED_CACHE_DIR to reuse (ONNX export)")
    parser.add_argument("--baseline", default="main", help="git commit to compare; none: skip")
    parser.add_argument("--runs", type=int, default=3, help="runs of every figure (medians)")
    parser.add_argument("--requests", type=int, default=100, help="requests per client")
    parser.add_argument("--levels", default="1,4,8", help="concurrent clients, comma-separated")
    parser.add_argument("--no-chroma-server", action="store_true", help="local index only")
    parser.add_argument("--soak", type=float, default=60.0, help="soak seconds (0: no soak)")
    args = parser.parse_args(argv)
    args.levels = [int(level) for level in args.levels.split(",")]
    return args


def main(argv: list[str] | None = None) -> int:
    args = arguments(argv)
    work = Path(tempfile.mkdtemp(prefix="moviembed-serve-bench-"))
    base_env = dict(os.environ, NO_COLOR="1", ANONYMIZED_TELEMETRY="False")
    for name in ("MOVIEMBED_CHROMA_URL", "MOVIEMBED_SERVE_TOKEN", "MOVIEMBED_DB"):
        base_env.pop(name, None)
    onnx = (args.cache or work / "shared") / "onnx"
    sides = [side("this checkout", ROOT, work / "cache-current", onnx, base_env)]
    if args.baseline != "none":
        baseline = unpack(args.baseline, work)
        sides.insert(0, side(args.baseline, baseline, work / "cache-baseline", onnx, base_env))
    env = sides[-1].env
    index = work / "local"
    if args.index:
        shutil.copytree(args.index, index)
    else:
        movies, credits = (
            args.data / name for name in ("tmdb_5000_movies.csv.gz", "tmdb_5000_credits.csv.gz")
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
    backends = {"local": ["--db", str(index)]}
    try:
        if args.no_chroma_server:
            rows = speed_rows(sides, backends, args)
        else:
            backup = work / "tmdb5000.jsonl"
            moviembed("--db", str(index), "export", str(backup), env=env)
            with ChromaServer(work / "chroma") as chroma:
                moviembed("--chroma-url", chroma.url, "import", str(backup), env=env)
                backends["server (loopback)"] = ["--chroma-url", chroma.url]
                rows = speed_rows(sides, backends, args)
        print_tables(rows, args)
        if args.soak > 0:
            soak(index, work, args.soak, env)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
