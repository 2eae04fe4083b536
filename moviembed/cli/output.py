"""How the CLI shows things: tables and JSON on stdout, progress and summaries on stderr.

Rich decides colour and live bars from the terminal and `NO_COLOR`, so piped
output stays plain and `--json` output is only JSON.
"""

from __future__ import annotations

import json
import math
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

from rich.console import Console
from rich.markup import escape
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TaskID,
    TextColumn,
    TimeElapsedColumn,
)
from rich.table import Table

from moviembed.choices import OutputFormat
from moviembed.index.store import IndexInfo, StoredMovie
from moviembed.search.context import context_block
from moviembed.search.hits import Recommendation
from moviembed.search.query import SearchHit, SearchResults

if TYPE_CHECKING:
    from moviembed.index.pipeline import BuildOutcome

EMBEDDING_PREVIEW = 8

stdout = Console(soft_wrap=True)
stderr = Console(stderr=True, soft_wrap=True)


def print_json(data: Any) -> None:
    """Exactly one JSON document on stdout, nothing else."""
    print(json.dumps(data, ensure_ascii=False, indent=2), flush=True)


def print_hits(
    hits: Sequence[SearchHit],
    output: OutputFormat = OutputFormat.table,
    heading: str = "",
    explain: bool = False,
) -> None:
    """Ranked results: a table on a terminal (tab-separated lines when piped), a JSON list,
    or a prompt-ready context block. `explain` adds what ranked each movie to the table.
    What a search understood of its query goes to stderr (when it understood anything) and
    into each JSON item."""
    if isinstance(hits, SearchResults) and hits.understood.understood:
        summary = escape(hits.understood.summary())
        stderr.print(
            f"Understood: {summary} (--literal takes the words as written)", highlight=False
        )
    if output is OutputFormat.json:
        if isinstance(hits, SearchResults):
            print_json(hits.to_dicts())
        else:
            print_json([hit.to_dict() for hit in hits])
    elif output is OutputFormat.context:
        print(context_block(hits, heading), end="", flush=True)
    else:
        _print_table(hits, explain)
    if not hits:
        stderr.print("No movies match.", highlight=False)


def _hit_fields(hit: SearchHit, explain: bool) -> dict[str, str]:
    """The table's cells for one hit, by column name, in column order."""
    rating = hit.metadata.get("vote_average")
    votes = hit.metadata.get("vote_count")
    fields = {
        "#": str(hit.rank),
        "Title": hit.title,
        "Year": str(hit.year or ""),
        "Genres": hit.genres,
        "Rating": f"{rating:.1f}" if rating is not None else "",
        "Votes": f"{votes:,}" if votes is not None else "",
        "Score": f"{hit.score:.4f}",
    }
    why = hit.explanation
    if explain and why:
        fields |= {
            "Dense #": str(why.dense_rank or "-"),
            "Keyword #": str(why.keyword_rank or "-"),
            "Title match": "yes" if why.title_match else "",
            "Keyword share": f"{why.keyword:+.4f}",
            "Prior": f"{why.prior:+.4f}",
            "Understood": f"{why.understood:+.4f}",
        }
    if explain:
        fields["Similarity"] = f"{hit.similarity:.3f}"
    if isinstance(hit, Recommendation):
        fields["Because you liked"] = f"{hit.because.title} ({hit.because.similarity:.2f})"
    return fields


_RIGHT = {
    "#",
    "Year",
    "Rating",
    "Votes",
    "Score",
    "Dense #",
    "Keyword #",
    "Keyword share",
    "Prior",
    "Understood",
    "Similarity",
}


def _print_table(hits: Sequence[SearchHit], explain: bool) -> None:
    rows = [_hit_fields(hit, explain) for hit in hits]
    if not stdout.is_terminal:  # piped: one tab-separated line per hit, for cut and awk
        for hit, row in zip(hits, rows, strict=True):
            # the first six columns predate the rest: rank, id, title, year, genres, similarity
            similarity = row.pop("Similarity", f"{hit.similarity:.3f}")
            title, year, genres = row.pop("Title"), row.pop("Year"), row.pop("Genres")
            cells = [row.pop("#"), str(hit.id), title, year, genres]
            if isinstance(hit, Recommendation):  # the liked movie as three fields: id, title, sim
                row.pop("Because you liked")
                because = hit.because
                row |= {
                    "id": str(because.id),
                    "title": because.title,
                    "sim": f"{because.similarity:.3f}",
                }
            print("\t".join(c.replace("\t", " ") for c in [*cells, similarity, *row.values()]))
        return
    table = Table(show_edge=False, pad_edge=False, caption="Best first; Score is what ranked them.")
    for name in rows[0] if rows else ():
        style = {"#": "dim", "Title": "bold"}.get(name)
        fold = "fold" if name in ("Title", "Genres") else None
        table.add_column(
            name, justify="right" if name in _RIGHT else "left", style=style, overflow=fold
        )
    for row in rows:
        escaped = ("Title", "Because you liked")
        table.add_row(*(escape(cell) if name in escaped else cell for name, cell in row.items()))
    stdout.print(table)


def print_index_info(info: IndexInfo, as_json: bool = False) -> None:
    """Where the index is and what is in it."""
    fields = {
        "location": info.location,
        "collection": info.collection,
        "model": info.model,
        "dimension": info.dimension,
        "distance": info.distance,
        "count": info.count,
        "size_bytes": info.size_bytes,
        "next_sync": info.next_sync.isoformat() if info.next_sync else None,
    }
    if as_json:
        print_json(fields)
        return
    shown = dict(fields, size_bytes=_human_size(info.size_bytes))
    if info.next_sync:
        shown["next_sync"] = f"build --changes asks from {info.next_sync}"
    else:
        del shown["next_sync"]  # never synced: nothing to say
    labels = {"count": "movies", "size_bytes": "size on disk", "next_sync": "TMDB sync"}
    _print_fields({labels.get(key, key): value for key, value in shown.items()})


def embedding_summary(vector: Sequence[float]) -> dict[str, Any]:
    """Dimension, L2 norm and the first values of a vector."""
    return {
        "dimension": len(vector),
        "norm": round(math.sqrt(sum(x * x for x in vector)), 6),
        "head": [round(x, 6) for x in vector[:EMBEDDING_PREVIEW]],
    }


def print_movie(hit: StoredMovie, as_json: bool = False) -> None:
    """One stored movie: its document, metadata and an embedding summary."""
    summary = embedding_summary(hit["embedding"])
    if as_json:
        print_json(
            {
                "id": int(hit["id"]),
                "document": hit["document"],
                "metadata": hit["metadata"],
                "embedding": summary,
            }
        )
        return
    stdout.print(hit["document"], markup=False, highlight=False)
    stdout.print()
    _print_fields({"id": hit["id"], **hit["metadata"]})
    head = ", ".join(f"{x:+.4f}" for x in summary["head"])
    stdout.print()
    _print_fields(
        {
            "embedding": f"{summary['dimension']}-d, norm {summary['norm']:.4f}",
            "first values": f"[{head}, …]",
        }
    )


def print_build_outcome(outcome: BuildOutcome) -> None:
    """One summary line on stderr (two for a sync), plus the movies that could not be indexed."""
    report, pruned = outcome.report, len(outcome.pruned)
    counts = (
        f"{report.added} added, {report.updated} updated, {report.unchanged} unchanged, "
        f"{len(report.failed)} failed"
        + (f", {pruned} pruned" if pruned else "")
        + (f", {outcome.fetched} fetched from TMDB" if outcome.fetched else "")
        + f" in {report.seconds:.1f} s"
    )
    if report.interrupted:
        stderr.print(f"Interrupted: work so far is saved ({counts}). Run build again to resume.")
    elif report.changed or pruned:
        stderr.print(f"Index updated: {counts}.")
    else:
        stderr.print(f"Nothing to do: the index is already up to date ({counts}).")
    if outcome.sync is not None:
        sync = outcome.sync
        stderr.print(
            f"Synced TMDB's changes from {sync.start} to {sync.end}: {sync.listed} listed, "
            f"{sync.in_index} in the index and fetched again, {report.reembedded} re-embedded, "
            f"{report.updated - report.reembedded} with new details only. "
            f"The next sync starts from {sync.next_start}.",
            highlight=False,
        )
    for skipped in report.failed:
        stderr.print(f"  skipped {skipped.id}: {skipped.reason}", markup=False, highlight=False)


def outcome_dict(outcome: BuildOutcome) -> dict[str, Any]:
    """The build's outcome as JSON-ready data."""
    report, sync = outcome.report, outcome.sync
    return {
        "added": report.added,
        "updated": report.updated,
        "reembedded": report.reembedded,
        "unchanged": report.unchanged,
        "pruned": len(outcome.pruned),
        "failed": [{"id": item.id, "reason": item.reason} for item in report.failed],
        "fetched": outcome.fetched,
        "sync": None
        if sync is None
        else {
            "start": sync.start.isoformat(),
            "end": sync.end.isoformat(),
            "listed": sync.listed,
            "in_index": sync.in_index,
            "next_start": sync.next_start.isoformat(),
        },
        "seconds": round(report.seconds, 3),
        "interrupted": report.interrupted,
    }


class BuildProgressBars:
    """Draws `Processing movie X/N: Title` and an encoding bar on stderr."""

    def __init__(self, progress: Progress) -> None:
        self._progress = progress
        self._movies: TaskID | None = None
        self._encoding: TaskID | None = None

    def movie(self, position: int, total: int | None, title: str) -> None:
        label = (
            f"Processing movie {position}/{total}: {title}"
            if total
            else (f"Processing movie {position}: {title}")
        )
        if self._movies is None:
            self._progress.start()  # only now: errors found while opening the source print plainly
            self._movies = self._progress.add_task(label, total=total)
        self._progress.update(self._movies, description=escape(label), completed=position)

    def encoding(self, done: int, total: int) -> None:
        if self._encoding is None:
            self._encoding = self._progress.add_task("Encoding", total=total)
        self._progress.update(self._encoding, completed=done, total=total)

    def finished(self) -> None:
        """Stop redrawing, so questions and notes after the build print cleanly."""
        if self._movies is not None:
            self._progress.stop()


@contextmanager
def build_progress(quiet: bool = False) -> Iterator[BuildProgressBars | None]:
    """Live bars on stderr while a build runs (none when quiet)."""
    if quiet:
        yield None
        return
    progress = Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=stderr,
        transient=False,
    )
    bars = BuildProgressBars(progress)
    try:
        yield bars
    finally:
        bars.finished()


def _print_fields(fields: dict[str, Any]) -> None:
    table = Table.grid(padding=(0, 2))
    table.add_column(style="bold")
    table.add_column(overflow="fold")
    for key, value in fields.items():
        shown = ", ".join(map(str, value)) if isinstance(value, list) else value
        table.add_row(key, escape("" if shown is None else str(shown)))
    stdout.print(table)


def _human_size(size: int | None) -> str:
    if size is None:
        return "-"
    value = float(size)
    for unit in ("B", "KB", "MB", "GB"):
        if value < 1024 or unit == "GB":
            return f"{value:.0f} {unit}" if unit == "B" else f"{value:.1f} {unit}"
        value /= 1024
    return f"{value:.1f} GB"
