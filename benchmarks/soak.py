"""The soak of benchmarks/serve.py: 8 clients against `moviembed serve` while a build writes.

A `moviembed build` adds 100 invented movies (facts and text written here) to the served
index; the table gives failed requests, the server's resident memory after the warm-up and
at the end, and how long after the build a dense search found the last new movie.
"""

from __future__ import annotations

import http.client
import json
import os
import sys
import threading
import time
import urllib.parse
from pathlib import Path

from httpload import moviembed, rss_mib, run_load, serving

NEW_MOVIES = 100
ADJECTIVES = "Silent Crimson Hollow Northern Paper Glass Iron Last Quiet Wandering".split()
NOUNS = "Harbor Orchard Signal Lantern Archive Meridian Furnace Tide Courier Atlas".split()
GENRES = ["Drama", "Mystery", "Comedy", "Thriller", "Adventure"]


def new_movies() -> list[dict]:
    """Invented movies, for the build during the soak."""
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


def dense_top(port: int, text: str) -> int | None:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    query = urllib.parse.urlencode({"q": text, "n": 1, "mode": "dense"})
    connection.request("GET", f"/api/search?{query}")
    response = connection.getresponse()
    body = json.loads(response.read())
    return body["results"][0]["id"] if response.status == 200 and body["results"] else None


def seconds_until_found(port: int, movie: dict, timeout: float = 120.0) -> float:
    """Seconds until a dense search for the movie's synopsis ranks it first."""
    began = time.monotonic()
    while dense_top(port, movie["overview"]) != int(movie["id"]):
        if time.monotonic() - began > timeout:
            raise RuntimeError(f"{movie['title']} was not found within {timeout:.0f} s")
        time.sleep(0.1)
    return time.monotonic() - began


def soak(index: Path, work: Path, seconds: float, env: dict[str, str]) -> None:
    """8 clients for `seconds` while a build adds NEW_MOVIES movies to `index`; prints a table."""
    print(f"soak: {seconds:.0f} s at 8 clients with a build…", file=sys.stderr)
    catalog = work / "new-movies.json"
    movies = new_movies()
    catalog.write_text(json.dumps(movies))
    with serving(["--db", str(index)], env) as (port, pid):
        run_load(port, 8, 20)  # the same warm-up as the speed runs
        stop, started = threading.Event(), threading.Event()
        result: dict = {"rss_start": rss_mib(pid), "load_average": os.getloadavg()[0]}
        load_thread = threading.Thread(
            target=lambda: result.update(load=run_load(port, 8, None, stop, started))
        )
        load_thread.start()
        started.wait()
        try:
            build_began = time.monotonic()
            command = ["--db", str(index), "build", "-q", "--catalog", str(catalog)]
            moviembed(*command, env=env)
            build_seconds = time.monotonic() - build_began
            visible_after = seconds_until_found(port, movies[-1])
            time.sleep(max(0.0, seconds - (time.monotonic() - build_began)))
        finally:
            stop.set()
            load_thread.join()
        rss_end = rss_mib(pid)
    load, start = result["load"], result["rss_start"]
    print(
        f"\nSoak: 8 clients for {load.seconds:.0f} s, local index, a build of {NEW_MOVIES} new "
        f"movies ({build_seconds:.0f} s) during it; load average {result['load_average']:.2f} "
        f"at the start, {os.getloadavg()[0]:.2f} at the end\n"
    )
    print(
        "| requests | errors | median latency | p95 latency | requests/s | "
        "server RSS start | end | growth | new movies found after |"
    )
    print("|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    print(
        f"| {len(load.latencies)} | {len(load.errors)} | "
        f"{load.median_ms:.1f} ms | {load.p95_ms:.1f} ms | "
        f"{load.per_second:.1f} | {start:.0f} MiB | {rss_end:.0f} MiB | "
        f"{(rss_end - start) / start * 100:+.1f}% | {visible_after:.1f} s |"
    )
