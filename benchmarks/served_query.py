"""A whole `moviembed query` process with a running `moviembed serve` on the same index,
against the same process searching the local index (`--local`).

    python benchmarks/served_query.py [--index DIR] [--runs 15]

Without `--index` the bundled catalog is built into a temporary folder first (about a
minute). A `moviembed serve` process is started on the index and registers itself;
each run then starts `moviembed query TEXT --json` and `moviembed query TEXT --json
--local` in turn (A, B, A, B, ...), timed from outside with their own peak RSS, and the
ratio is the median of the run-by-run ratios. Before timing, every query's output is
compared between the two paths (JSON and the piped table): they must be identical.
"""

from __future__ import annotations

import argparse
import os
import signal
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks.run import measure, pair_ratio, run  # noqa: E402
from tests.chroma_server import free_port  # noqa: E402

QUERIES = ("a heist crew plans one last job", "space adventure", "toys come to life")
MOVIEMBED = [sys.executable, "-m", "moviembed"]


def start_service(env: dict[str, str], port: int) -> subprocess.Popen[bytes]:
    """`moviembed serve` on `port`, once it answers /api/health."""
    process = subprocess.Popen([*MOVIEMBED, "serve", "--port", str(port)], env=env)
    deadline = time.monotonic() + 300
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit("moviembed serve stopped while starting")
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/api/health", timeout=5)
            return process
        except OSError:
            time.sleep(0.5)
    process.kill()
    raise SystemExit("moviembed serve did not answer within 300 s")


def check_same(env: dict[str, str]) -> None:
    """Every query's JSON and table output, from the service and from the local index."""
    for text in QUERIES:
        for output in (["--json"], ["--explain"]):
            served = run([*MOVIEMBED, "query", text, *output], env)[2]
            local = run([*MOVIEMBED, "query", text, *output, "--local"], env)[2]
            if served != local:
                raise SystemExit(f"different results for {text!r} {output}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--index", type=Path, help="an existing index folder")
    parser.add_argument("--runs", type=int, default=15, help="runs of each command")
    args = parser.parse_args(argv)
    work = Path(tempfile.mkdtemp(prefix="moviembed-served-"))
    env = dict(
        os.environ,
        MOVIEMBED_DB=str(args.index or work / "index"),
        MOVIEMBED_CACHE_DIR=str(work / "cache"),
        NO_COLOR="1",
    )
    os.chdir(work)  # no .env of the checkout
    if args.index is None:
        run([*MOVIEMBED, "build"], env)
    run([*MOVIEMBED, "query", QUERIES[0]], env)  # the ONNX export and keyword index, once
    service = start_service(env, free_port())
    try:
        check_same(env)
        commands = {
            "served": [*MOVIEMBED, "query", QUERIES[0], "--json"],
            "local": [*MOVIEMBED, "query", QUERIES[0], "--json", "--local"],
        }
        measure(commands, env, 2)  # warm-up
        samples = measure(commands, env, args.runs)
    finally:
        service.send_signal(signal.SIGINT)
        service.wait(timeout=60)
    served, local = samples["served"], samples["local"]
    ratios = sorted(a / b for a, b in zip(served.walls, local.walls, strict=True))
    print(f"| `moviembed query` ({args.runs} paired runs) | median wall | peak RSS |")
    print("|---|---:|---:|")
    print(f"| answered by `moviembed serve` | {served.wall:.3f} s | {served.peak:.0f} MiB |")
    print(f"| `--local` | {local.wall:.3f} s | {local.peak:.0f} MiB |")
    print(
        f"\nratio served/local, median of run-by-run ratios: {pair_ratio(served, local):.3f} "
        f"(range {ratios[0]:.3f}-{ratios[-1]:.3f}); outputs identical: yes"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
