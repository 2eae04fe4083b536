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
)
from moviembed.cli.served import local_index, search_options, served_hits
from moviembed.cli.support import load_settings, notice, say, warn_about
from moviembed.errors import UsageError

if TYPE_CHECKING:
    from moviembed.search.movie_index import MovieIndex
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
        save_fast_query_model(index)


def save_fast_query_model(index: MovieIndex) -> None:
    """After a query that had to use sentence-transformers, export the fast model for the
    next one (the export was missing or damaged)."""
    from moviembed.cli import output as render

    if index.needs_fast_query_model():
        with render.stderr.status("Saving a fast query model…"):
            problem = index.save_fast_query_model()
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

    if not liked and ratings is None:
        raise UsageError("Name at least one liked movie, or give --ratings FILE.")
    output = output_format(output, as_json)
    options = search_options(ctx, exclude=_seen_ids(seen))
    settings = load_settings(ctx)
    index = local_index(settings)
    picks = None
    if ratings is not None:  # a file of the user's, read here: no fast path
        options["taste"] = _taste_from_ratings(index, ratings, ctx.obj.verbose)
    else:
        picks = served_hits(settings, "recommend", options, local)
    picks = answer("recommend", options, index) if picks is None else picks
    named = ", ".join([*(liked or []), *([ratings.name] if ratings else [])])
    render.print_hits(picks, output, heading=f"Movies for someone who liked: {named}")


def _seen_ids(seen: Path | None) -> list[str]:
    """The ids in the --seen file (its problems said on stderr), none without one."""
    from moviembed.sources.idfiles import read_id_file

    if seen is None:
        return []
    seen_ids = read_id_file(seen)
    warn_about(seen_ids.problems)
    return [str(movie_id) for movie_id in seen_ids.ids]


def _taste_from_ratings(index: MovieIndex, path: Path, verbose: int) -> Taste:
    """The taste in a ratings file, saying on stderr how many films matched the index."""
    from moviembed.sources.ratings import read_ratings

    read = read_ratings(path)
    taste = index.taste(read.films)
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
