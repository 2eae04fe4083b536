"""`moviembed mcp` over stdio, a real process driven by the MCP SDK's own client: the tools
answer as the CLI does, bad arguments are tool errors, a build beside it shows up."""

from __future__ import annotations

import json
import time
from pathlib import Path

import anyio
import pytest
from mcp import ClientSession
from mcp.shared.exceptions import McpError
from typer.testing import CliRunner

from moviembed.cli.app import app
from tests.serve.test_reopen import NEW_MOVIE

from .client import call, cli_json, error_of, ids_and_titles, over_stdio, text_of

pytestmark = pytest.mark.processes

TOOLS = {"search", "similar", "recommend", "movie", "context"}


def test_the_tools_answer_as_the_cli_does(fake_index: Path) -> None:
    query = cli_json("query", "space adventure", "-n", "5", "--year", "1970..")
    like = cli_json("similar", "Toy Story", "-n", "4")
    picks = cli_json("recommend", "862", "Pulp Fiction", "--not", "Alien", "-n", "3")

    async def steps(session: ClientSession) -> None:
        tools = (await session.list_tools()).tools
        assert {tool.name for tool in tools} == TOOLS
        assert all(tool.outputSchema and tool.annotations.readOnlyHint for tool in tools)
        found = await call(
            session, "search", query="space adventure", limit=5, filters={"year": "1970.."}
        )
        assert ids_and_titles(found["results"]) == ids_and_titles(query)
        assert all(isinstance(hit["id"], int) for hit in found["results"])
        liked = await call(session, "similar", movie="Toy Story", limit=4)
        assert ids_and_titles(liked["results"]) == ids_and_titles(like)
        chosen = await call(
            session, "recommend", liked=[862, "Pulp Fiction"], disliked=["Alien"], limit=3
        )
        assert ids_and_titles(chosen["results"]) == ids_and_titles(picks)
        assert [hit["because"]["id"] for hit in chosen["results"]] == [
            int(pick["because"]["id"]) for pick in picks
        ]
        first = chosen["results"][0]
        unseen = await call(
            session, "recommend", liked=[862, "Pulp Fiction"], seen=[first["title"]], limit=3
        )
        assert first["id"] not in {hit["id"] for hit in unseen["results"]}

    over_stdio(steps)


def test_movie_context_resource_and_prompt(fake_index: Path) -> None:
    async def steps(session: ClientSession) -> None:
        result = await session.call_tool("movie", {"movie": "toy story"})
        facts = result.structuredContent
        assert facts and facts["id"] == 862 and facts["title"] == "Toy Story"
        resource = await session.read_resource("movie://862")
        assert resource.contents[0].text == text_of(result)
        assert text_of(result).startswith(facts["document"])
        block = await call(session, "context", question="a funny one?", movies=[680, "Toy Story"])
        assert sorted(block["ids"]) == [680, 862]
        assert "[1] " in block["text"] and facts["document"] in block["text"]
        best = await call(session, "context", question="space adventure", limit=3)
        searched = await call(session, "search", query="space adventure", limit=3)
        assert best["ids"] == [hit["id"] for hit in searched["results"]]
        prompt = await session.get_prompt("explain_match", {"movie": "Alien", "liked": "862; 680"})
        text = prompt.messages[0].content.text
        assert text.startswith("I liked these movies: Toy Story; Pulp Fiction. Would I like Alien?")
        assert facts["document"] in text

    over_stdio(steps)


def test_bad_arguments_are_tool_errors_and_the_server_stays_up(fake_index: Path) -> None:
    async def steps(session: ClientSession) -> None:
        assert "greater than or equal to 1" in await error_of(
            session, "search", query="heist", limit=0
        )
        assert "Field required" in await error_of(session, "search", limit=3)
        message = await error_of(session, "search", query="heist", filters={"genre": ["nope"]})
        assert message.endswith(  # named as the tool's argument, not as the CLI's flag
            ": genre 'nope' is not a TMDB genre. Known genres: Action, "
            "Adventure, Animation, Comedy, Crime, Documentary, Drama, Family, "
            "Fantasy, History, Horror, Music, Mystery, Romance, Science "
            "Fiction, TV Movie, Thriller, War, Western."
        )
        assert "No movie with id or title 'Nowhere' in the index." in await error_of(
            session, "similar", movie="Nowhere"
        )
        assert "is both liked and disliked" in await error_of(
            session, "recommend", liked=[862], disliked=["Toy Story"]
        )
        with pytest.raises(McpError, match="No movie with id or title '1' in the index"):
            await session.read_resource("movie://1")
        found = await call(session, "search", query="heist", limit=2)
        assert len(found["results"]) == 2

    over_stdio(steps)


def test_a_build_beside_the_server_shows_without_a_restart(
    fake_index: Path, tmp_path: Path, runner: CliRunner
) -> None:
    catalog = tmp_path / "new.json"
    catalog.write_text(json.dumps([NEW_MOVIE]), encoding="utf-8")

    async def top(session: ClientSession) -> int:
        # hybrid: the build rewrites the keyword index before the server reopens its store
        found = await call(session, "search", query="cartographer lighthouse", limit=1)
        return found["results"][0]["id"]

    async def steps(session: ClientSession) -> None:
        assert await top(session) != NEW_MOVIE["id"]
        built = runner.invoke(app, ["build", "-q", "--catalog", str(catalog)])  # this process
        assert built.exit_code == 0, built.output
        deadline = time.monotonic() + 30
        while await top(session) != NEW_MOVIE["id"]:
            assert time.monotonic() < deadline, "the server did not reopen the index in 30 s"
            await anyio.sleep(0.2)

    over_stdio(steps)
