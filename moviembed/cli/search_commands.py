"""Commands that read the index by meaning: query, similar and recommend."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from moviembed.choices import (
    DEFAULT_METHOD,
    DEFAULT_MODE,
    OutputFormat,
    RankOrder,
    SearchMode,
)
from moviembed.cli.options import (
    ExplainOption,
    FormatOption,
    JsonOption,
    LikedArgument,
    LimitOption,
    LiteralOption,
    LocalOption,
    MethodOption,
    RankOption,
    RatingsOption,
    SeenOption,
    filter_options,
    filters_of,
)
from moviembed.cli.served import local_index, search_options, served_hits
from moviembed.cli.support import load_settings, notice, open_store, say, warn_about
from moviembed.errors import UsageError

if TYPE_CHECKING:
    from moviembed.config import Settings
    from moviembed.index.store import EmbeddingStore
    from moviembed.search.answer import Searchable
    from moviembed.search.taste import Taste


@filter_options
def query(
    ctx: typer.Context,
    text: Annotated[str, typer.Argument(help="What the movie is about.", show_default=False)],
    limit: LimitOption = 10,
    mode: Annotated[
        SearchMode,
        typer.Option("--mode", help="hybrid: meaning plus exact words; dense: meaning only."),
    ] = DEFAULT_MODE,
    rank: RankOption = RankOrder.relevance,
    literal: LiteralOption = False,
    explain: ExplainOption = False,
    output: FormatOption = OutputFormat.table,
    as_json: JsonOption = False,
    local: LocalOption = False,
) -> None:
    """Find the movies closest to TEXT, in meaning and (hybrid mode) in words.

    TEXT may describe a film or ask for one: language, era, genre, mood, length, reception,
    people, "not X" and "like X but Y" are understood (said on stderr); flags win.

    Examples: moviembed query "dark thriller" -n 5;
    moviembed query "a short french comedy from the 90s, not a sequel";
    moviembed query "heist" --genre crime --year 1990s --min-votes 500 --explain
    """
    from moviembed.cli import output as render
    from moviembed.search.answer import answer
    from moviembed.search.query import check_query

    check_query(text, limit)
    output = output_format(output, as_json)
    settings = load_settings(ctx)
    options = search_options(ctx)
    index = None
    hits = served_hits(settings, "query", options, local)
    if hits is None:
        index = local_index(settings, for_text=True)
        hits = answer("query", options, index)
    render.print_hits(hits, output, heading=f"Movies for: {text}", explain=explain)
    if index is not None:
        save_fast_query_model(index, settings)


def save_fast_query_model(index: Searchable, settings: Settings) -> None:
    """After a query that had to use sentence-transformers, export the fast model for the
    next one (the export was missing or damaged)."""
    from moviembed.cli import output as render
    from moviembed.embedding import backends

    if not backends.is_fast_query_embedder(index.embedder()):
        with render.stderr.status("Saving a fast query model…"):
            problem = backends.prepare_query_model(index.store.model_name(), settings.cache_dir)
        if problem:
            notice(problem)


@filter_options
def similar(
    ctx: typer.Context,
    movie: Annotated[
        str,
        typer.Argument(metavar="ID|TITLE", help="A stored movie's TMDB id or exact title."),
    ],
    limit: LimitOption = 10,
    output: FormatOption = OutputFormat.table,
    as_json: JsonOption = False,
    local: LocalOption = False,
) -> None:
    """Find the movies most like a stored one (itself excluded).

    Examples: moviembed similar 949; moviembed similar "the matrix" --year ..1999
    """
    from moviembed.cli import output as render
    from moviembed.search.answer import answer

    output = output_format(output, as_json)
    settings = load_settings(ctx)
    options = search_options(ctx)
    hits = served_hits(settings, "similar", options, local)
    if hits is None:
        hits = answer("similar", options, local_index(settings))
    render.print_hits(hits, output, heading=f"Movies like: {movie}")


@filter_options
def recommend(
    ctx: typer.Context,
    liked: LikedArgument = None,
    disliked: Annotated[
        list[str] | None,
        typer.Option(
            "--not",
            metavar="ID|TITLE",
            help="A movie they did not like; results move away from it. Repeat for more.",
            show_default=False,
        ),
    ] = None,
    seen: SeenOption = None,
    ratings: RatingsOption = None,
    limit: LimitOption = 10,
    method: MethodOption = DEFAULT_METHOD,
    output: FormatOption = OutputFormat.table,
    as_json: JsonOption = False,
    local: LocalOption = False,
) -> None:
    """Recommend movies for someone who liked LIKED, each with the liked movie it is closest to.

    Examples: moviembed recommend "Toy Story" "Toy Story 2";
    moviembed recommend Heat Casino --not "Ocean's Eleven" --seen watched.txt --json;
    moviembed recommend --ratings letterboxd-export.zip
    """
    from moviembed.cli import output as render
    from moviembed.search.answer import answer
    from moviembed.sources.idfiles import read_id_file

    if not liked and ratings is None:
        raise UsageError("Name at least one liked movie, or give --ratings FILE.")
    output = output_format(output, as_json)
    exclude: list[str] = []
    if seen:
        seen_ids = read_id_file(seen)
        warn_about(seen_ids.problems)
        exclude = [str(movie_id) for movie_id in seen_ids.ids]
    settings = load_settings(ctx)
    if ratings is not None:  # a file of the user's: read here, so no fast path
        picks = _recommend_with_ratings(ctx, settings, ratings, exclude)
    else:
        options = search_options(ctx, exclude=exclude)
        picks = served_hits(settings, "recommend", options, local)
        if picks is None:
            picks = answer("recommend", options, local_index(settings))
    named = ", ".join([*(liked or []), *([ratings.name] if ratings else [])])
    render.print_hits(picks, output, heading=f"Movies for someone who liked: {named}")


def _recommend_with_ratings(
    ctx: typer.Context, settings: Settings, ratings: Path, exclude: list[str]
) -> list:
    """Picks for the taste in a ratings file plus the movies named on the command line."""
    from moviembed.search.recommend import resolve_movies
    from moviembed.search.taste import recommend_for

    params = ctx.params
    store = open_store(settings)
    taste = _taste_from_ratings(store, ratings, ctx.obj.verbose).with_named(
        resolve_movies(store, params["liked"] or []),
        resolve_movies(store, params["disliked"] or []),
    )
    return recommend_for(
        taste,
        store=store,
        exclude=exclude,
        limit=params["limit"],
        filters=filters_of(params),
        method=params["method"],
    )


def _taste_from_ratings(store: EmbeddingStore, path: Path, verbose: int) -> Taste:
    """The taste in a ratings file, saying on stderr how many films matched the index."""
    from moviembed.search.taste import taste_from
    from moviembed.sources.ratings import read_ratings

    read = read_ratings(path)
    taste = taste_from(store, read.films)
    missed = len(taste.unmatched)
    hint = " (moviembed -v recommend ... lists them)" if missed and not verbose else ""
    say(
        f"{path.name} ({read.kind}): {len(taste.seen):,} films matched the index, "
        f"{missed:,} did not{hint}; {len(taste.liked):,} liked, {len(taste.disliked):,} not."
    )
    if verbose:
        for line in [*taste.unmatched, *read.skipped]:
            say(f"  not used: {line}")
    return taste


def output_format(output: OutputFormat, as_json: bool) -> OutputFormat:
    """The one output format `--format` and `--json` ask for together."""
    if as_json and output not in (OutputFormat.table, OutputFormat.json):
        raise UsageError(f"--json and --format {output.value} ask for different output.")
    return OutputFormat.json if as_json else output
