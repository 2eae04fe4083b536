"""The MCP server: the tools, a resource per movie and a prompt, over stdio or streamable HTTP.

Over stdio, stdout carries the protocol alone: the server writes it to a copy of the
original stdout and points file descriptor 1 at stderr, so a stray print or a library's
console output cannot corrupt a message.
"""

from __future__ import annotations

import logging
import os
import sys
from io import TextIOWrapper

import anyio
from mcp.server.fastmcp import FastMCP
from mcp.server.fastmcp.exceptions import ResourceError
from mcp.server.stdio import stdio_server
from mcp.types import ToolAnnotations
from starlette.datastructures import Headers
from starlette.responses import JSONResponse
from starlette.types import ASGIApp, Receive, Scope, Send

from moviembed.bearer import CHALLENGE, token_problem
from moviembed.mcp_server.results import movie_text
from moviembed.mcp_server.tools import MovieTools, in_thread
from moviembed.movie import parse_movie_id
from moviembed.search.names import resolve_movies
from moviembed.search.service import IndexService

INSTRUCTIONS = (
    "Semantic search over a local movie index (TMDB movies, each embedded from a short text: "
    "title, year, synopsis, genres, director, cast). search finds movies by what they are "
    "about; similar finds movies like one; recommend answers a person's taste (liked, "
    "disliked, seen); movie gives one movie's facts; context gives a prompt-ready block of "
    "movie texts for a question. Movies are named by TMDB id (an integer) or exact title."
)
READ_ONLY = ToolAnnotations(
    readOnlyHint=True, destructiveHint=False, idempotentHint=True, openWorldHint=False
)
TITLES = {
    "search": "Search movies",
    "similar": "Movies like one",
    "recommend": "Recommend movies",
    "movie": "One movie",
    "context": "Movies as prompt context",
}
PROMPT = (
    "I liked these movies: {liked}. Would I like {title}? Explain why or why not, given my "
    "taste: point to concrete likenesses and differences in story, themes, tone, genre and "
    "the people who made them. Use only the descriptions below.\n\n"
    "The movie:\n{movie}\nMovies I liked:\n{liked_texts}"
)


def create_server(service: IndexService, host: str = "127.0.0.1") -> FastMCP:
    """The server over `service`'s index (opened by the caller, who also closes it).

    `host` is where HTTP will listen: on loopback the SDK accepts only loopback Host
    headers (a browser page cannot reach the server by DNS rebinding)."""
    server = FastMCP("moviembed", instructions=INSTRUCTIONS, host=host, log_level="WARNING")
    tools = MovieTools(service)
    for name, title in TITLES.items():
        server.add_tool(getattr(tools, name), name=name, title=title, annotations=READ_ONLY)
    add_movie_resource(server, service)
    add_explain_prompt(server, service)
    return server


def add_movie_resource(server: FastMCP, service: IndexService) -> None:
    """`movie://{id}`: a stored movie's text and numbers, as the `movie` tool gives them."""

    @server.resource(
        "movie://{movie_id}",
        name="movie",
        title="A movie in the index",
        description="A stored movie's text (title, year, synopsis, genres, people) and numbers.",
        mime_type="text/plain",
    )
    async def movie_resource(movie_id: str) -> str:
        def work() -> str:
            return movie_text(service.index.movie(parse_movie_id(movie_id)))

        return await in_thread(work, ResourceError)


def add_explain_prompt(server: FastMCP, service: IndexService) -> None:
    """`explain_match`: ask the model why a movie fits (or not) the movies someone liked."""

    @server.prompt(
        name="explain_match",
        title="Why would I like this movie?",
        description="Explain why someone who liked some movies would (or would not) like "
        "another, from the index's texts. liked: ids or titles separated by semicolons.",
    )
    async def explain_match(movie: str, liked: str) -> str:
        loved = [name.strip() for name in liked.replace("\n", ";").split(";") if name.strip()]

        def work() -> str:
            with service.reading() as index:
                target = index.movie(movie)
                liked_movies = index.store.get_by_ids(resolve_movies(index.store, loved, "liked"))
            return PROMPT.format(
                liked="; ".join(str(hit["metadata"].get("title", "")) for hit in liked_movies),
                title=target["metadata"].get("title", movie),
                movie=movie_text(target),
                liked_texts="\n".join(movie_text(hit) for hit in liked_movies),
            )

        return await in_thread(work, ValueError)


def run_stdio(server: FastMCP) -> None:
    """Serve over stdin and stdout until the client closes stdin."""
    sys.stdout.flush()
    protocol = TextIOWrapper(os.fdopen(os.dup(sys.stdout.fileno()), "wb"), encoding="utf-8")
    os.dup2(sys.stderr.fileno(), sys.stdout.fileno())  # every other write to stdout: stderr

    async def serve() -> None:
        # FastMCP.run_stdio_async, writing to `protocol` instead of sys.stdout
        lowlevel = server._mcp_server
        async with stdio_server(stdout=anyio.wrap_file(protocol)) as (read, write):
            await lowlevel.run(read, write, lowlevel.create_initialization_options())

    anyio.run(serve)


def closed_stream_is_not_an_error(record: logging.LogRecord) -> bool:
    """Drop the SDK's (1.30) error and traceback for a client ending its session: the
    stream it was listening on closes, which is the normal end, not a failure."""
    closed = record.exc_info and isinstance(record.exc_info[1], anyio.ClosedResourceError)
    return not closed


def http_app(server: FastMCP, token: str | None) -> ASGIApp:
    """The streamable HTTP endpoint at `/mcp`; with a token, requests without
    `Authorization: Bearer <token>` are answered 401, as `moviembed serve` answers them."""
    app = server.streamable_http_app()
    logging.getLogger("mcp.server.streamable_http").addFilter(closed_stream_is_not_an_error)

    async def token_gate(scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            problem = token_problem(Headers(scope=scope).get("authorization", ""), token)
            if problem:
                refusal = JSONResponse({"error": problem}, status_code=401, headers=CHALLENGE)
                await refusal(scope, receive, send)
                return
        await app(scope, receive, send)

    return token_gate
