"""`moviembed mcp --http` as a user runs it: a real process on a free port of 127.0.0.1,
the token required, the SDK's streamable HTTP client, stopped with Ctrl-C (SIGINT)."""

from __future__ import annotations

import signal
import subprocess
import time
from pathlib import Path

import anyio
import httpx
import pytest
from mcp import ClientSession
from mcp.client.streamable_http import streamable_http_client

from tests.chroma_server import free_port

from .client import FAKE_CLI, call, cli_json, environment, ids_and_titles

pytestmark = pytest.mark.processes

TOKEN = "mcp-t0ken-of-the-tests"


def wait_until_listening(url: str, process: subprocess.Popen[str]) -> httpx.Response:
    """The first answer to a request without the token."""
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        assert process.poll() is None, process.communicate()[1]
        try:
            return httpx.post(url, json={})
        except httpx.ConnectError:
            time.sleep(0.1)
    pytest.fail("moviembed mcp --http did not answer within 60 s")


def search_over_http(url: str) -> list[tuple[int, str]]:
    async def run() -> list[tuple[int, str]]:
        headers = {"Authorization": f"Bearer {TOKEN}"}
        async with (
            httpx.AsyncClient(headers=headers, timeout=30) as http,
            streamable_http_client(url, http_client=http) as (read, write, _),
            ClientSession(read, write) as session,
        ):
            await session.initialize()
            assert len((await session.list_tools()).tools) == 5
            found = await call(session, "search", query="space adventure", limit=5)
            return ids_and_titles(found["results"])

    return anyio.run(run)


def test_http_needs_the_token_and_answers_as_the_cli(fake_index: Path) -> None:
    port = free_port()
    url = f"http://127.0.0.1:{port}/mcp"
    process = subprocess.Popen(
        [*FAKE_CLI, "mcp", "--http", "--port", str(port)],
        env=environment(MOVIEMBED_SERVE_TOKEN=TOKEN),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        refused = wait_until_listening(url, process)
        assert refused.status_code == 401
        assert refused.headers["www-authenticate"] == "Bearer"
        assert refused.json() == {"error": "This service needs Authorization: Bearer <token>."}
        wrong = httpx.post(url, json={}, headers={"Authorization": "Bearer nope"})
        assert (wrong.status_code, wrong.json()) == (401, {"error": "Wrong token."})
        assert search_over_http(url) == ids_and_titles(cli_json("query", "space adventure"))[:5]
    finally:
        process.send_signal(signal.SIGINT)
        stdout, stderr = process.communicate(timeout=30)
    assert process.returncode == 0, stderr
    assert stdout == ""
    assert f"on {url} (Ctrl-C to stop)." in stderr
    assert TOKEN not in stderr and "Traceback" not in stderr
