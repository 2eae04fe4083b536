"""HTTP load on `moviembed serve` processes, for benchmarks/serve.py and soak.py.

Each client is a thread with its own keep-alive connection, cycling through the queries of
`quality_queries.json` (`/api/search`, hybrid, 10 results). After a warm-up every client
waits at a barrier, then sends its requests; latency is per request, throughput is all
requests over the wall time from the barrier to the last answer.
"""

from __future__ import annotations

import http.client
import json
import os
import statistics
import subprocess
import sys
import threading
import time
import urllib.parse
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.chroma_server import free_port  # noqa: E402

QUERIES = [
    e["query"] for e in json.loads((ROOT / "benchmarks" / "quality_queries.json").read_text())
]
WARM_UP = 5  # requests per client before measuring


@dataclass
class Load:
    """What the clients of one run saw, and the server's CPU time meanwhile."""

    latencies: list[float] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    seconds: float = 0.0
    server_cpu: float = 0.0  # seconds, all of the server's threads
    others_cpu: float = 0.0  # seconds of CPU that neither the server nor the clients used

    @property
    def median_ms(self) -> float:
        return statistics.median(self.latencies) * 1000 if self.latencies else float("nan")

    @property
    def p95_ms(self) -> float:
        ordered = sorted(self.latencies)
        return ordered[max(0, int(len(ordered) * 0.95) - 1)] * 1000 if ordered else float("nan")

    @property
    def per_second(self) -> float:
        return len(self.latencies) / self.seconds if self.seconds else float("nan")

    @property
    def others_cores(self) -> float:
        """How many cores other processes kept busy meanwhile, on average (the load average
        would count the benchmark's own threads too)."""
        return self.others_cpu / self.seconds if self.seconds else float("nan")

    @property
    def cpu_ms(self) -> float:
        """Server CPU per request."""
        return self.server_cpu / len(self.latencies) * 1000 if self.latencies else float("nan")


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
    pid: int | None = None,
) -> Load:
    """`clients` threads against the server on `port`; `count` requests each, or until `stop`.
    With the server's `pid`, its CPU time over the run is recorded too."""
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
    cpu_before = cpu_seconds(pid) if pid else 0.0
    busy_before, own_before = machine_busy_seconds(), time.process_time()
    began = time.perf_counter()
    for thread in threads:
        thread.join()
    load.seconds = time.perf_counter() - began
    load.server_cpu = cpu_seconds(pid) - cpu_before if pid else 0.0
    busy = machine_busy_seconds() - busy_before
    load.others_cpu = max(0.0, busy - load.server_cpu - (time.process_time() - own_before))
    return load


def moviembed(*args: str, env: dict[str, str]) -> None:
    """This checkout's CLI."""
    command = [sys.executable, "-m", "moviembed", *args]
    subprocess.run(command, env=dict(env, PYTHONPATH=str(ROOT)), cwd=ROOT, check=True)


def rss_mib(pid: int) -> float:
    """Resident memory of a process, from /proc."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    raise RuntimeError(f"no VmRSS for pid {pid}")


def machine_busy_seconds() -> float:
    """CPU time every core of the machine has spent busy since boot, from /proc/stat."""
    fields = [int(value) for value in Path("/proc/stat").read_text().split()[1:9]]
    user, nice, system, _idle, _iowait, irq, softirq, steal = fields
    return (user + nice + system + irq + softirq + steal) / os.sysconf("SC_CLK_TCK")


def cpu_seconds(pid: int) -> float:
    """User plus system CPU time of a process (all threads), from /proc."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


@contextmanager
def serving(
    global_args: list[str], env: dict[str, str], source: Path = ROOT
) -> Iterator[tuple[int, int]]:
    """A `moviembed serve` process of the package in `source`; yields (port, pid) once
    /api/health answers. (`python -m` looks in the working folder first.)"""
    port = free_port()
    command = [sys.executable, "-m", "moviembed", *global_args, "serve", "--port", str(port)]
    environment = dict(env, PYTHONPATH=str(source))
    process = subprocess.Popen(command, env=environment, cwd=source, stdout=subprocess.DEVNULL)
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
