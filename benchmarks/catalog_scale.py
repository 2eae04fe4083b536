"""Catalogs of 100,000 and 250,000 synthetic movies: build throughput, memory, size, query time.

    python benchmarks/catalog_scale.py [--sizes 100000 250000] [--onnx-cache DIR]

Each size gets a generated catalog file (made-up titles, people and synopses from a
seeded vocabulary, so no TMDB text) and a real `moviembed build --catalog FILE` process
with its own index and cache, in which the fake embedder of tests/fakes.py stands in for
the model: the build's movies/s is everything but encoding (reading and checking the
catalog, documents, hashing, Chroma upserts, the keyword index), the time spent in the
fake embedder taken out. Reported: that rate, the whole process's wall time and peak RSS
(wait4), and the index's size on disk (Chroma folder plus keyword index). Then queries use
the real model (its ONNX export from `--onnx-cache`, e.g. the cache of an earlier build):
the median of 30 `/api/search` requests to a `moviembed serve` on the index, and of 7 whole
`moviembed query` processes, answered by that service and with `--local`.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.parse
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks.run import run  # noqa: E402
from benchmarks.served_query import MOVIEMBED, start_service  # noqa: E402
from tests.chroma_server import free_port  # noqa: E402

GENRES = ["Action", "Comedy", "Drama", "Thriller", "Science Fiction", "Romance", "Horror"]
QUERIES = ["a detective hunts a crew of thieves", "robots in space", "a family holiday"]
CHILD = """
import json, sys, time
sys.path.insert(0, sys.argv[1])
from tests import fakes
from moviembed.cli.app import app

class Patch:
    setattr = staticmethod(setattr)

class Timed(fakes.HashingEmbedder):
    seconds = 0.0
    def embed(self, texts, on_progress=None):
        started = time.perf_counter()
        try:
            return super().embed(texts, on_progress)
        finally:
            Timed.seconds += time.perf_counter() - started

fakes.install(Patch(), Timed())
try:
    app(["build", "--catalog", sys.argv[2], "--quiet", "--json", "--device", "cpu"])
except SystemExit:
    pass
print(json.dumps({"embed_seconds": Timed.seconds}), file=sys.stderr)
"""


def vocabulary(rng: random.Random, size: int = 6000) -> list[str]:
    syllables = [c + v for c in "bdfgklmnprstvz" for v in "aeiou"] + ["ar", "en", "or", "ul"]
    return ["".join(rng.choices(syllables, k=rng.randint(2, 4))) for _ in range(size)]


def write_catalog(path: Path, size: int, seed: int = 30) -> None:
    """`size` made-up movies as JSON lines, in the bundled catalog's shape."""
    rng = random.Random(seed)
    words = vocabulary(rng)
    with path.open("w", encoding="utf-8") as out:
        for number in range(1, size + 1):
            title = " ".join(rng.choices(words, k=rng.randint(1, 4))).title()
            overview = " ".join(rng.choices(words, k=rng.randint(30, 90))).capitalize() + "."
            record = {
                "id": number,
                "title": title,
                "release_date": f"{rng.randint(1920, 2025)}-{rng.randint(1, 12):02d}-15",
                "genres": rng.sample(GENRES, rng.randint(1, 3)),
                "director": " ".join(rng.choices(words, k=2)).title(),
                "cast": [" ".join(rng.choices(words, k=2)).title() for _ in range(3)],
                "runtime": rng.randint(70, 180),
                "original_language": rng.choice(["en", "fr", "de", "ja", "es"]),
                "overview": overview,
                "popularity": round(rng.uniform(0.5, 80), 3),
                "vote_count": rng.randint(1, 20000),
                "vote_average": round(rng.uniform(1, 9.5), 1),
            }
            out.write(json.dumps(record) + "\n")


def size_on_disk(*folders: Path) -> int:
    return sum(f.stat().st_size for folder in folders for f in folder.rglob("*") if f.is_file())


def build(catalog: Path, env: dict[str, str], size: int) -> dict[str, float]:
    """One fake-model build of `catalog`: its rates, wall time and peak RSS."""
    command = [sys.executable, "-c", CHILD, str(ROOT), str(catalog)]
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        started = time.perf_counter()
        process = subprocess.Popen(command, env=env, stdout=out, stderr=err)
        _, _, usage = os.wait4(process.pid, 0)
        wall = time.perf_counter() - started
        out.seek(0)
        err.seek(0)
        report, notes = json.loads(out.read()), err.read().decode().strip().splitlines()
    embed = json.loads(notes[-1])["embed_seconds"]
    return {
        "wall": wall,
        "build": report["seconds"],
        "embed": embed,
        "rate": size / (report["seconds"] - embed),
        "peak": usage.ru_maxrss / 1024,
    }


def query_times(env: dict[str, str]) -> dict[str, float]:
    """Median seconds of a search in the service, and of whole CLI query processes."""
    port = free_port()
    service = start_service(env, port)
    try:
        api = []
        for number in range(33):
            text = urllib.parse.quote(QUERIES[number % len(QUERIES)])
            started = time.perf_counter()
            urllib.request.urlopen(f"http://127.0.0.1:{port}/api/search?q={text}&n=10").read()
            api.append(time.perf_counter() - started)
        served = [run([*MOVIEMBED, "query", QUERIES[0]], env)[0] for _ in range(7)]
        local = [run([*MOVIEMBED, "query", QUERIES[0], "--local"], env)[0] for _ in range(7)]
    finally:
        service.terminate()
        service.wait(timeout=120)
    return {
        "api": statistics.median(api[3:]),
        "served": statistics.median(served),
        "local": statistics.median(local),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[100_000, 250_000])
    parser.add_argument("--onnx-cache", type=Path, help="a cache dir holding onnx/ (queries)")
    parser.add_argument("--workdir", type=Path, help="kept after the run if given")
    args = parser.parse_args(argv)
    work = args.workdir or Path(tempfile.mkdtemp(prefix="moviembed-scale-"))
    print(
        "| movies | build movies/s (without encoding) | build wall | peak RSS | on disk "
        "| API search p50 | CLI query, served | CLI query, --local |"
    )
    print("|---:|---:|---:|---:|---:|---:|---:|---:|")
    for size in args.sizes:
        folder = work / str(size)
        (folder / "cache").mkdir(parents=True, exist_ok=True)
        catalog = folder / "catalog.jsonl"
        write_catalog(catalog, size)
        env = dict(
            os.environ,
            MOVIEMBED_DB=str(folder / "index"),
            MOVIEMBED_CACHE_DIR=str(folder / "cache"),
            NO_COLOR="1",
        )
        built = build(catalog, env, size)
        disk = size_on_disk(folder / "index", folder / "cache" / "keywords")
        times = {"api": float("nan"), "served": float("nan"), "local": float("nan")}
        if args.onnx_cache:
            (folder / "cache" / "onnx").symlink_to(args.onnx_cache / "onnx")
            times = query_times(env)
        print(
            f"| {size:,} | {built['rate']:,.0f} | {built['wall']:.0f} s "
            f"(encoding {built['embed']:.0f} s) | {built['peak']:,.0f} MiB "
            f"| {disk / 2**20:,.0f} MiB | {times['api'] * 1000:.0f} ms "
            f"| {times['served']:.2f} s | {times['local']:.2f} s |",
            flush=True,
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
