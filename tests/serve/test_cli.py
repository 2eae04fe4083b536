"""`moviembed serve` as a user runs it: a real process, stopped with Ctrl-C (SIGINT)."""

from __future__ import annotations

import json
import os
import signal
import stat
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest
from typer.testing import CliRunner

from moviembed.cli.app import app
from moviembed.config import Settings
from tests.chroma_server import free_port

ROOT = Path(__file__).resolve().parents[2]


def test_a_bad_cors_origin_is_a_usage_error(runner: CliRunner) -> None:
    result = runner.invoke(app, ["serve", "--cors", "localhost:3000/app"])
    assert result.exit_code == 2
    assert result.stderr.strip().splitlines() == [
        "Error: --cors 'localhost:3000/app' is not an origin: give scheme, host and port, "
        "e.g. --cors http://localhost:3000."
    ]


def wait_for_health(url: str, token: str, process: subprocess.Popen[str]) -> httpx.Response:
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        assert process.poll() is None, process.communicate()[1]
        try:
            return httpx.get(f"{url}/api/health", headers={"Authorization": f"Bearer {token}"})
        except httpx.ConnectError:
            time.sleep(0.2)
    pytest.fail("moviembed serve did not answer within 120 s")


@pytest.mark.slow
@pytest.mark.processes
def test_serve_with_a_token_from_the_environment_then_ctrl_c(index_copy: Path) -> None:
    port = free_port()
    token = "t0ken-from-the-env"
    env = {**os.environ, "MOVIEMBED_SERVE_TOKEN": token, "PYTHONPATH": str(ROOT)}
    process = subprocess.Popen(
        [sys.executable, "-m", "moviembed", "serve", "--port", str(port)],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        url = f"http://127.0.0.1:{port}"
        health = wait_for_health(url, token, process)
        assert health.status_code == 200 and health.json()["count"] == 12
        assert httpx.get(f"{url}/api/health").status_code == 401
        registration = Settings.load().cache_dir / "services" / f"{process.pid}.json"
        assert stat.S_IMODE(registration.stat().st_mode) == 0o600
        assert json.loads(registration.read_text())["token"] == token
    finally:
        process.send_signal(signal.SIGINT)
        stdout, stderr = process.communicate(timeout=30)
    assert not registration.exists()
    assert process.returncode == 0
    assert stdout == ""
    assert f"Serving {index_copy} on {url}/ (Ctrl-C to stop)." in stderr
    assert token not in stderr and "Traceback" not in stderr
