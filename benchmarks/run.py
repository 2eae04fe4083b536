"""Whole-process timings of moviembed against the obvious approach, as a table.

    python benchmarks/run.py [--runs 5] [--data ../shared/data/tmdb5000] [--workdir DIR]

Every figure is the median of `--runs` runs of a separate process (wall time
and its own peak RSS, read with wait4), and every comparison runs its two
commands alternately so a drifting machine affects both alike:

  a. `moviembed query` vs `baselines.py query` (sentence-transformers + Chroma in one process)
  b. `moviembed count` and `moviembed inspect` vs `python -c "import chromadb"`
  c. a full `moviembed build --tmdb-csv` of TMDB 5000 vs `baselines.py encode`
     (model.encode() of the same 4,803 documents, model load excluded)
  d. an unchanged re-run of that build vs the first build
  e. peak RSS of build and query

The ONNX export and the bundled model's first load happen once in a warm-up,
as they do once per machine for a user.

    python benchmarks/run.py --query-against ../main --index DIR [--runs 9]

only times `moviembed query` of this checkout against another checkout's (say,
before a ranking change) on an existing index, alternately, each with its own
cache folder so neither rebuilds the other's keyword index.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BASELINES = ROOT / "benchmarks" / "baselines.py"
DEFAULT_DATA = ROOT.parent / "shared" / "data" / "tmdb5000"
QUERY = "a heist crew plans one last job in Los Angeles"


@dataclass
class Sample:
    """Wall seconds and peak resident memory (MiB) of each run of one command."""

    walls: list[float] = field(default_factory=list)
    peaks: list[float] = field(default_factory=list)

    @property
    def wall(self) -> float:
        return statistics.median(self.walls)

    @property
    def peak(self) -> float:
        return statistics.median(self.peaks)


def run(command: Sequence[str], env: dict[str, str]) -> tuple[float, float, str]:
    """Run one process; its wall time, its own peak RSS in MiB (from wait4) and its stdout."""
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        started = time.perf_counter()
        process = subprocess.Popen(command, env=env, stdout=out, stderr=err)
        _, status, usage = os.wait4(process.pid, 0)
        wall = time.perf_counter() - started
        process.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        err.seek(0)
        stdout, stderr = out.read().decode(), err.read().decode()
    if process.returncode:
        raise SystemExit(f"{' '.join(command)} failed ({process.returncode}):\n{stderr[-2000:]}")
    return wall, usage.ru_maxrss / 1024, stdout


def measure(
    commands: dict[str, Sequence[str]], env: dict[str, str], runs: int
) -> dict[str, Sample]:
    """Run each command `runs` times, interleaved A, B, A, B, ..."""
    samples = {name: Sample() for name in commands}
    for _ in range(runs):
        for name, command in commands.items():
            wall, peak, _ = run(command, env)
            samples[name].walls.append(wall)
            samples[name].peaks.append(peak)
    return samples


def pair_ratio(a: Sample, b: Sample) -> float:
    """Median of the run-by-run ratios A/B."""
    return statistics.median(x / y for x, y in zip(a.walls, b.walls, strict=True))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=5, help="runs of each command (>= 1)")
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    parser.add_argument("--workdir", type=Path, help="kept after the run if given")
    parser.add_argument("--query-against", type=Path, help="another checkout to compare query with")
    parser.add_argument("--index", type=Path, help="the index --query-against queries")
    args = parser.parse_args(argv)
    if args.query_against:
        return compare_queries(args.query_against.resolve(), args.index, args.runs)
    movies = args.data / "tmdb_5000_movies.csv.gz"
    credits = args.data / "tmdb_5000_credits.csv.gz"
    if not movies.is_file():
        raise SystemExit(f"TMDB 5000 dataset not found in {args.data} (use --data)")
    workdir = args.workdir or Path(tempfile.mkdtemp(prefix="moviembed-bench-"))
    env = dict(os.environ, MOVIEMBED_CACHE_DIR=str(workdir / "cache"), NO_COLOR="1")
    env.pop("MOVIEMBED_MODEL", None)
    moviembed = [sys.executable, "-m", "moviembed"]
    index = workdir / "tmdb5000"

    def with_db(path: Path) -> dict[str, str]:
        return dict(env, MOVIEMBED_DB=str(path))

    print("warm-up: bundled catalog build (creates the ONNX export once)", file=sys.stderr)
    run([*moviembed, "build", "-q"], with_db(workdir / "warmup"))

    build = [*moviembed, "build", "-q", "--tmdb-csv", str(movies), "--credits", str(credits)]
    encode = [sys.executable, str(BASELINES), "encode", str(movies), str(credits)]
    first = {"build": Sample(), "encode": Sample()}
    for number in range(args.runs):
        print(f"c. full build {number + 1}/{args.runs}", file=sys.stderr)
        shutil.rmtree(index, ignore_errors=True)
        for name, command in (("build", build), ("encode", encode)):
            wall, peak, stdout = run(command, with_db(index))
            # the encode baseline reports its own encode-only seconds on stdout
            first[name].walls.append(float(stdout.split()[-1]) if name == "encode" else wall)
            first[name].peaks.append(peak)

    print("d. unchanged re-runs", file=sys.stderr)
    rerun = measure({"rerun": build}, with_db(index), args.runs)["rerun"]
    print("a. queries", file=sys.stderr)
    queries = measure(
        {
            "query": [*moviembed, "query", QUERY],
            "baseline": [sys.executable, str(BASELINES), "query", str(index), QUERY],
        },
        with_db(index),
        args.runs,
    )
    print("b. count and inspect", file=sys.stderr)
    light = measure(
        {
            "count": [*moviembed, "count"],
            "inspect": [*moviembed, "inspect"],
            "import chromadb": [sys.executable, "-c", "import chromadb"],
        },
        with_db(index),
        args.runs,
    )
    print_table(args.runs, first, rerun, queries, light)
    if not args.workdir:
        shutil.rmtree(workdir, ignore_errors=True)
    return 0


def compare_queries(other: Path, index: Path | None, runs: int) -> int:
    """Median whole-process `moviembed query` time of this checkout and of `other`."""
    if index is None or not index.is_dir():
        raise SystemExit("--query-against needs --index DIR, an existing index folder")
    caches = Path(tempfile.mkdtemp(prefix="moviembed-bench-"))
    commands = {
        name: [
            "env",
            f"PYTHONPATH={checkout}",
            f"MOVIEMBED_CACHE_DIR={caches / name}",
            sys.executable,
            "-m",
            "moviembed",
            "query",
            QUERY,
        ]
        for name, checkout in (("this", ROOT), ("other", other))
    }
    env = dict(os.environ, MOVIEMBED_DB=str(index), NO_COLOR="1")
    os.chdir(caches)  # `python -m` looks in the working folder first: it must hold no checkout
    measure(commands, env, 2)  # warm-up: ONNX export and keyword index, once each
    samples = measure(commands, env, runs)
    print(f"| checkout | median wall ({runs} runs) | peak RSS |\n|---|---:|---:|")
    for name, checkout in (("this", ROOT), ("other", other)):
        sample = samples[name]
        print(f"| {checkout} | {sample.wall:.3f} s | {sample.peak:.0f} MiB |")
    print(
        f"\nratio this/other (median of run-by-run ratios): "
        f"{pair_ratio(samples['this'], samples['other']):.3f}"
    )
    shutil.rmtree(caches, ignore_errors=True)
    return 0


def print_table(
    runs: int,
    first: dict[str, Sample],
    rerun: Sample,
    queries: dict[str, Sample],
    light: dict[str, Sample],
) -> None:
    floor = light["import chromadb"]
    rows = [
        (
            "a. `moviembed query` (whole process)",
            queries["query"],
            "baseline query script",
            queries["baseline"],
            pair_ratio(queries["query"], queries["baseline"]),
            "<= 0.25, <= 1.2 s",
        ),
        (
            "b. `moviembed count`",
            light["count"],
            "`python -c 'import chromadb'`",
            floor,
            pair_ratio(light["count"], floor),
            "<= 1.15",
        ),
        (
            "b. `moviembed inspect`",
            light["inspect"],
            "`python -c 'import chromadb'`",
            floor,
            pair_ratio(light["inspect"], floor),
            "<= 1.15",
        ),
        (
            "c. full build, TMDB 5000",
            first["build"],
            "raw `model.encode()` of the same texts",
            first["encode"],
            pair_ratio(first["build"], first["encode"]),
            "<= 1.15",
        ),
        (
            "d. unchanged re-run",
            rerun,
            "first build",
            first["build"],
            rerun.wall / first["build"].wall,
            "<= 0.05",
        ),
    ]
    print(f"\nMedians of {runs} runs; ratios are medians of run-by-run ratios.\n")
    print("| measure | ours | vs | theirs | ratio | target |")
    print("|---|---:|---|---:|---:|---|")
    for label, ours, against, theirs, ratio, target in rows:
        figures = f"{ours.wall:.2f} s | {against} | {theirs.wall:.2f} s | {ratio:.3f}"
        print(f"| {label} | {figures} | {target} |")
    print("\n| process | peak RSS (median) | target |")
    print("|---|---:|---|")
    build_peak = f"{first['build'].peak:.0f} MiB"
    print(f"| `moviembed build --tmdb-csv` (4,803 movies) | {build_peak} | <= 1.5 GB |")
    print(f"| `moviembed query` | {queries['query'].peak:.0f} MiB | |")
    print(f"| baseline query script | {queries['baseline'].peak:.0f} MiB | |")
    print(f"| `moviembed count` | {light['count'].peak:.0f} MiB | |")


if __name__ == "__main__":
    raise SystemExit(main())
