"""`moviembed serve` under load: /api/search latency and throughput, and a soak with a build.

    python benchmarks/serve.py [--index DIR] [--data ../shared/data/tmdb5000] [--requests 150]
                               [--soak 60] [--cache DIR]

Needs an index of the TMDB 5000 dataset (`--index`, copied first since the soak writes to it;
else one is built, about two minutes). Each server is a real `moviembed serve` process; the
clients are threads here, each with its own keep-alive HTTP connection, cycling through the 71
labelled queries of `quality_queries.json` (hybrid search, 10 results). After a warm-up every
client waits at a barrier, then sends `--requests` requests; the table gives per-request
latency (median, p95) and total requests per second, at 1, 4 and 8 clients, for the local
index and for the same index imported into a `chroma run` on loopback.

The soak runs 8 clients for `--soak` seconds against a fresh local server while a
`moviembed build` adds 100 invented movies beside it; it reports failed requests, the
server's resident memory at the start and end, and how long after the build the new movies
were found by a dense search.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.chroma_server import ChromaServer, free_port  # noqa: E402

QUERIES = [
    e["query"] for e in json.loads((ROOT / "benchmarks" / "quality_queries.json").read_text())
]
DEFAULT_DATA = ROOT.parent / "shared" / "data" / "tmdb5000"
LEVELS = (1, 4, 8)
WARM_UP = 5  # requests per client before measuring
NEW_MOVIES = 100
ADJECTIVES = "Silent Crimson Hollow Northern Paper Glass Iron Last Quiet Wandering".split()
NOUNS = "Harbor Orchard Signal Lantern Archive Meridian Furnace Tide Courier Atlas".split()
GENRES = ["Drama", "Mystery", "Comedy", "Thriller", "Adventure"]


@dataclass
class Load:
    """What the clients of one run saw."""

    latencies: list[float] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    seconds: float = 0.0

    def row(self) -> str:
        ordered = sorted(self.latencies)
        p95 = ordered[max(0, int(len(ordered) * 0.95) - 1)] if ordered else float("nan")
        median = statistics.median(ordered) if ordered else float("nan")
        return (
            f"{median * 1000:.1f} ms | {p95 * 1000:.1f} ms | "
            f"{len(ordered) / self.seconds:.1f} | {len(self.errors)}"
        )


def search_path(number: int) -> str:
    return "/api/search?" + urllib.parse.urlencode({"q": QUERIES[number % len(QUERIES)]})


def client(
    port: int,
    first: int,
    start: threading.Barrier,
    stop: threading.Event,
    count: int | None,
    load: Load,
    lock: threading.Lock,
) -> None:
    """One client: warm up, wait for the others, then send `count` requests (or until `stop`)."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    mine: list[float] = []
    errors: list[str] = []
    number = first
    for _ in range(WARM_UP):
        connection.request("GET", search_path(number))
        connection.getresponse().read()
        number += 1
    start.wait()
    while (count is None and not stop.is_set()) or (count is not None and len(mine) < count):
        began = time.perf_counter()
        try:
            connection.request("GET", search_path(number))
            response = connection.getresponse()
            response.read()
            if response.status != 200:
                errors.append(f"HTTP {response.status}")
        except (OSError, http.client.HTTPException) as exc:
            errors.append(type(exc).__name__)
            connection.close()
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        mine.append(time.perf_counter() - began)
        number += 1
    connection.close()
    with lock:
        load.latencies.extend(mine)
        load.errors.extend(errors)


def run_load(
    port: int,
    clients: int,
    count: int | None,
    stop: threading.Event | None = None,
    on_start: threading.Event | None = None,
) -> Load:
    """`clients` threads against the server on `port`; `count` requests each, or until `stop`."""
    load, lock = Load(), threading.Lock()
    start = threading.Barrier(clients + 1)
    stop = stop or threading.Event()
    threads = [
        threading.Thread(target=client, args=(port, k * 17, start, stop, count, load, lock))
        for k in range(clients)
    ]
    for thread in threads:
        thread.start()
    start.wait()
    if on_start:
        on_start.set()
    began = time.perf_counter()
    for thread in threads:
        thread.join()
    load.seconds = time.perf_counter() - began
    return load


def rss_mib(pid: int) -> float:
    """Resident memory of a process, from /proc."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    raise RuntimeError(f"no VmRSS for pid {pid}")


@contextmanager
def serving(global_args: list[str], env: dict[str, str]) -> Iterator[tuple[int, int]]:
    """A `moviembed serve` process; yields (port, pid) once /api/health answers."""
    port = free_port()
    command = [sys.executable, "-m", "moviembed", *global_args, "serve", "--port", str(port)]
    process = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 300
        while True:
            if process.poll() is not None:
                raise RuntimeError(f"moviembed serve exited with {process.returncode}")
            try:
                connection = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
                connection.request("GET", "/api/health")
                if connection.getresponse().status == 200:
                    break
            except OSError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.2)
        yield port, process.pid
    finally:
        process.terminate()
        process.wait(timeout=30)


def moviembed(*args: str, env: dict[str, str]) -> None:
    subprocess.run([sys.executable, "-m", "moviembed", *args], env=env, check=True)


def new_movies() -> list[dict]:
    """Invented movies (facts and text written here), for the build during the soak."""
    movies = []
    for number in range(NEW_MOVIES):
        adjective = ADJECTIVES[number % len(ADJECTIVES)]
        noun = NOUNS[number // len(ADJECTIVES) % len(NOUNS)]
        movies.append(
            {
                "id": 990000 + number,
                "title": f"The {adjective} {noun} {number}",
                "release_date": f"{2025 + number % 5}-0{1 + number % 9}-15",
                "genres": [GENRES[number % len(GENRES)]],
                "director": f"Director Number {number}",
                "cast": [f"Actor {number} A", f"Actor {number} B"],
                "runtime": 90 + number % 40,
                "original_language": "en",
                "overview": f"A keeper of the {noun.lower()} called {adjective.lower()} finds "
                f"ledger number {number} and follows it across a winter of strange weather.",
            }
        )
    return movies


def dense_top(port: int, text: str) -> str | None:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    query = urllib.parse.urlencode({"q": text, "n": 1, "mode": "dense"})
    connection.request("GET", f"/api/search?{query}")
    response = connection.getresponse()
    body = json.loads(response.read())
    return body["results"][0]["id"] if response.status == 200 and body["results"] else None


def seconds_until_found(port: int, movie: dict, timeout: float = 120.0) -> float:
    """Seconds until a dense search for the movie's synopsis ranks it first."""
    began = time.monotonic()
    while dense_top(port, movie["overview"]) != str(movie["id"]):
        if time.monotonic() - began > timeout:
            raise RuntimeError(f"{movie['title']} was not found within {timeout:.0f} s")
        time.sleep(0.1)
    return time.monotonic() - began


def soak(index: Path, work: Path, seconds: float, env: dict[str, str]) -> dict:
    """8 clients for `seconds` while a build adds NEW_MOVIES movies to `index`."""
    catalog = work / "new-movies.json"
    movies = new_movies()
    catalog.write_text(json.dumps(movies))
    with serving(["--db", str(index)], env) as (port, pid):
        run_load(port, 8, 20)  # the same warm-up as the speed runs
        stop, started = threading.Event(), threading.Event()
        result: dict = {"rss_start": rss_mib(pid)}
        load_thread = threading.Thread(
            target=lambda: result.update(load=run_load(port, 8, None, stop, started))
        )
        load_thread.start()
        started.wait()
        try:
            build_began = time.monotonic()
            moviembed("--db", str(index), "build", "-q", "--catalog", str(catalog), env=env)
            result["build_seconds"] = time.monotonic() - build_began
            result["visible_after"] = seconds_until_found(port, movies[-1])
            time.sleep(max(0.0, seconds - (time.monotonic() - build_began)))
        finally:
            stop.set()
            load_thread.join()
        result["rss_end"] = rss_mib(pid)
    return result


def speed_rows(label: str, global_args: list[str], env: dict[str, str], requests: int) -> list:
    rows = []
    with serving(global_args, env) as (port, _):
        for clients in LEVELS:
            print(f"{label}, {clients} client(s)…", file=sys.stderr)
            rows.append((label, clients, run_load(port, clients, requests)))
    return rows


def in_process(index: Path, cache: Path, requests: int) -> Load:
    """The baseline: the same searches through the library in this process, no HTTP."""
    from moviembed.config import Settings
    from moviembed.search.query import search
    from moviembed.serve.service import IndexService

    service = IndexService.open(Settings(db_path=index, cache_dir=cache), recheck_seconds=0)
    load = Load()
    with service.reading() as opened:
        for number in range(WARM_UP + requests):
            began = time.perf_counter()
            search(
                QUERIES[number % len(QUERIES)],
                store=opened.store,
                embedder=opened.embedder,
                keywords=opened.keywords,
            )
            if number >= WARM_UP:
                load.latencies.append(time.perf_counter() - began)
    load.seconds = sum(load.latencies)
    service.close()
    return load


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--index", type=Path, help="an existing local index of TMDB 5000")
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    parser.add_argument("--cache", type=Path, help="a MOVIEMBED_CACHE_DIR to reuse (ONNX export)")
    parser.add_argument("--requests", type=int, default=150, help="requests per client")
    parser.add_argument("--soak", type=float, default=60.0, help="soak seconds (0: no soak)")
    args = parser.parse_args(argv)
    work = Path(tempfile.mkdtemp(prefix="moviembed-serve-bench-"))
    env = dict(os.environ, MOVIEMBED_CACHE_DIR=str(args.cache or work / "cache"), NO_COLOR="1")
    env.pop("MOVIEMBED_CHROMA_URL", None)
    env.pop("MOVIEMBED_SERVE_TOKEN", None)
    index = work / "local"
    if args.index:
        shutil.copytree(args.index, index)
    else:
        moviembed(
            "--db",
            str(index),
            "build",
            "-q",
            "--tmdb-csv",
            str(args.data / "tmdb_5000_movies.csv.gz"),
            "--credits",
            str(args.data / "tmdb_5000_credits.csv.gz"),
            env=env,
        )
    load_before = os.getloadavg()[0]
    rows = [
        (
            "library in-process, no HTTP",
            1,
            in_process(index, Path(env["MOVIEMBED_CACHE_DIR"]), args.requests),
        )
    ]
    rows += speed_rows("local", ["--db", str(index)], env, args.requests)
    backup = work / "tmdb5000.jsonl"
    moviembed("--db", str(index), "export", str(backup), env=env)
    with ChromaServer(work / "chroma") as chroma:
        moviembed("--chroma-url", chroma.url, "import", str(backup), env=env)
        rows += speed_rows("server (loopback)", ["--chroma-url", chroma.url], env, args.requests)
    print(
        f"\n/api/search, hybrid, 10 results, TMDB 5000; {args.requests} requests per client "
        f"(1-minute load average {load_before:.1f} before, {os.getloadavg()[0]:.1f} after)\n"
    )
    print("| backend | clients | median latency | p95 latency | requests/s | errors |")
    print("|---|---:|---:|---:|---:|---:|")
    for label, clients, load in rows:
        print(f"| {label} | {clients} | {load.row()} |")
    if args.soak > 0:
        print(f"soak: {args.soak:.0f} s at 8 clients with a build…", file=sys.stderr)
        result = soak(index, work, args.soak, env)
        load, start, end = result["load"], result["rss_start"], result["rss_end"]
        print(
            f"\nSoak: 8 clients for {load.seconds:.0f} s, local index, a build of "
            f"{NEW_MOVIES} new movies ({result['build_seconds']:.0f} s) during it\n"
        )
        print(
            "| requests | errors | median latency | p95 latency | requests/s | "
            "server RSS start | end | growth | new movies found after |"
        )
        print("|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
        ordered = sorted(load.latencies)
        print(
            f"| {len(ordered)} | {len(load.errors)} | "
            f"{statistics.median(ordered) * 1000:.1f} ms | "
            f"{ordered[int(len(ordered) * 0.95) - 1] * 1000:.1f} ms | "
            f"{len(ordered) / load.seconds:.1f} | {start:.0f} MiB | {end:.0f} MiB | "
            f"{(end - start) / start * 100:+.1f}% | {result['visible_after']:.1f} s |"
        )
    shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
