"""Driving a real `moviembed mcp` process (with the stand-in model) through the SDK's client."""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import anyio
from mcp import ClientSession, StdioServerParameters
from mcp.client.stdio import stdio_client
from mcp.types import CallToolResult
from typer.testing import CliRunner

from moviembed.cli.app import app

ROOT = Path(__file__).resolve().parents[2]
FAKE_CLI = [sys.executable, "-m", "tests.fake_cli"]
Steps = Callable[[ClientSession], Awaitable[None]]


def environment(**extra: str) -> dict[str, str]:
    """This test's environment (index, cache), able to import `tests`."""
    return {**os.environ, "PYTHONPATH": str(ROOT), **extra}


def over_stdio(steps: Steps) -> None:
    """Start `moviembed mcp` on stdio, initialize a session, run `steps` with it."""
    server = StdioServerParameters(
        command=FAKE_CLI[0], args=[*FAKE_CLI[1:], "mcp"], env=environment(), cwd=os.getcwd()
    )

    async def run() -> None:
        async with stdio_client(server) as (read, write), ClientSession(read, write) as session:
            await session.initialize()
            await steps(session)

    anyio.run(run)


async def call(session: ClientSession, tool: str, **arguments: Any) -> dict[str, Any]:
    """A tool call that must succeed: its structured content."""
    result = await session.call_tool(tool, arguments)
    assert not result.isError, text_of(result)
    assert isinstance(result.structuredContent, dict)
    return result.structuredContent


async def error_of(session: ClientSession, tool: str, **arguments: Any) -> str:
    """A tool call that must fail: its one message."""
    result = await session.call_tool(tool, arguments)
    assert result.isError, result
    return text_of(result)


def text_of(result: CallToolResult) -> str:
    (content,) = result.content
    assert content.type == "text"
    return content.text


def cli_json(*args: str) -> list[dict[str, Any]]:
    """`moviembed ARGS --json` in this process (the stand-in model too)."""
    result = CliRunner().invoke(app, [*args, "--json"])
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def ids_and_titles(items: list[dict[str, Any]]) -> list[tuple[int, str]]:
    return [(int(item["id"]), item["title"]) for item in items]
