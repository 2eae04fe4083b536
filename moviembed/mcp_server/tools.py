"""The tools: search, similar, recommend, movie and context over the open index.

Each runs the library call in a worker thread (the event loop keeps serving other
requests), answers a typed result plus readable text, and turns a library error into a
tool error of one line: the model sees what to fix and the server keeps running.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Annotated, TypeVar

import anyio
from mcp.server.fastmcp.exceptions import ToolError
from mcp.types import CallToolResult, TextContent
from pydantic import BaseModel, Field

from moviembed.choices import DEFAULT_METHOD, DEFAULT_MODE, RankOrder, RecommendMethod
from moviembed.errors import MoviembedError
from moviembed.mcp_server.arguments import (
    FilterArg,
    Limit,
    Literal,
    Mode,
    QueryText,
    Rank,
    parsed,
)
from moviembed.mcp_server.results import (
    ContextResult,
    MovieFacts,
    Pick,
    RecommendResult,
    SearchResult,
    SimilarResult,
    hits_of,
    movie_text,
)
from moviembed.search.context import context_block
from moviembed.search.request_fields import MAX_MOVIES, MovieList, MovieRef, worded_line
from moviembed.search.service import IndexService

log = logging.getLogger(__name__)

T = TypeVar("T")
INTERNAL = "Internal error; the moviembed mcp log (its stderr) has the details."


async def answered(work: Callable[[], tuple[BaseModel, str]]) -> CallToolResult:
    """Run `work` in a thread; its model as structured content, its text as the content."""
    result, text = await in_thread(work, ToolError)
    return CallToolResult(
        content=[TextContent(type="text", text=text)],
        structuredContent=result.model_dump(mode="json"),
    )


async def in_thread(work: Callable[[], T], error: type[Exception]) -> T:
    """`work()` in a worker thread; a failure becomes `error` with one line for the client
    (a bug's details go to the log on stderr, not to the client)."""
    try:
        return await anyio.to_thread.run_sync(work)
    except MoviembedError as exc:  # a field by its name in the tool's arguments
        raise error(worded_line(exc)) from None
    except Exception:
        log.exception("A request failed")
        raise error(INTERNAL) from None


def names(movies: list[int | str] | None) -> list[str]:
    """Ids and titles as the library takes them (strings)."""
    return [str(movie) for movie in movies or []]


class MovieTools:
    """The tools, bound to one open index; each method's signature is its input schema."""

    def __init__(self, service: IndexService) -> None:
        self.service = service

    async def search(
        self,
        query: QueryText,
        filters: FilterArg = None,
        limit: Limit = 10,
        mode: Mode = DEFAULT_MODE,
        rank: Rank = RankOrder.relevance,
        literal: Literal = False,
    ) -> Annotated[CallToolResult, SearchResult]:
        """Find movies by what they are about (plot, mood, themes, people), best first, as
        `moviembed query` does. A request is understood first ("a short french comedy
        from the 90s, not a sequel", "like Inception but funnier": language, years,
        length, genres, people, negations, a named film); `understood` says how, and
        `literal` takes the words as written. Filters narrow by genre, year and more."""

        def work() -> tuple[SearchResult, str]:
            hits = self.service.search(
                query,
                limit=limit,
                filters=parsed(filters),
                mode=mode,
                rank=rank,
                literal=literal,
            )
            text = context_block(hits, heading=f"Movies for: {query}")
            if hits.understood.understood:
                text = f"Understood: {hits.understood.summary()}\n\n{text}"
            understood = hits.understood.to_dict()
            return SearchResult(query=query, understood=understood, results=hits_of(hits)), text

        return await answered(work)

    async def similar(
        self, movie: MovieRef, filters: FilterArg = None, limit: Limit = 10
    ) -> Annotated[CallToolResult, SimilarResult]:
        """Movies most like a stored one (itself excluded), as `moviembed similar` finds them."""

        def work() -> tuple[SimilarResult, str]:
            hits = self.service.index.similar(movie, limit, filters=parsed(filters))
            text = context_block(hits, heading=f"Movies like: {movie}")
            return SimilarResult(movie=str(movie), results=hits_of(hits)), text

        return await answered(work)

    async def recommend(
        self,
        liked: Annotated[MovieList, Field(min_length=1, description="Movies the person liked.")],
        disliked: Annotated[
            MovieList | None, Field(description="Movies they did not like.")
        ] = None,
        seen: Annotated[
            list[MovieRef] | None,
            Field(max_length=10 * MAX_MOVIES, description="Movies never to recommend."),
        ] = None,
        filters: FilterArg = None,
        limit: Limit = 10,
        method: Annotated[
            RecommendMethod, Field(description="How liked movies combine (docs/recommend.md).")
        ] = DEFAULT_METHOD,
    ) -> Annotated[CallToolResult, RecommendResult]:
        """Recommend movies for someone who liked some (ids or exact titles) and not others,
        none they have seen; each pick names the liked movie it is closest to."""

        def work() -> tuple[RecommendResult, str]:
            picks = self.service.index.recommend(
                liked, disliked or [], seen or [], limit, filters=parsed(filters), method=method
            )
            heading = f"Movies for someone who liked: {', '.join(names(liked))}"
            result = RecommendResult(results=[Pick.of_pick(pick) for pick in picks])
            return result, context_block(picks, heading=heading)

        return await answered(work)

    async def movie(self, movie: MovieRef) -> Annotated[CallToolResult, MovieFacts]:
        """A stored movie's facts and text, by TMDB id or exact title."""

        def work() -> tuple[MovieFacts, str]:
            stored = self.service.index.movie(movie)
            facts = MovieFacts.of(stored["id"], stored["document"], stored["metadata"])
            return facts, movie_text(stored)

        return await answered(work)

    async def context(
        self,
        question: QueryText,
        movies: Annotated[
            MovieList | None,
            Field(description="Movies to cover; none: the best matches (filters, limit) instead."),
        ] = None,
        filters: FilterArg = None,
        limit: Limit = 5,
    ) -> Annotated[CallToolResult, ContextResult]:
        """A prompt-ready block of movies (id, title, year and text each) for a question: the
        named movies, closest to the question first, or else the best search matches."""

        def work() -> tuple[ContextResult, str]:
            options = {} if movies else {"filters": parsed(filters)}  # named movies: no search
            hits = self.service.index.context_hits(question, names(movies), limit, **options)
            text = context_block(hits, heading=f"Movies for: {question}")
            ids = [hit.id for hit in hits]
            return ContextResult(question=question, ids=ids, text=text), text

        return await answered(work)
