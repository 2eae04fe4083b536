"""Search results as a block of text for an LLM prompt (`--format context`, `/api/context`)."""

from __future__ import annotations

from collections.abc import Sequence

from moviembed.search.hits import Recommendation
from moviembed.search.query import SearchHit


def context_block(hits: Sequence[SearchHit], heading: str = "") -> str:
    """Numbered movies with id, title, year and document, ready to paste into a prompt.

    A recommendation also carries the document of the liked movie it is closest
    to, so a model can explain the pick from both texts."""
    parts = [f"{heading}\n\n"] if heading else []
    for hit in hits:
        year = f" ({hit.year})" if hit.year else ""
        parts.append(
            f"[{hit.rank}] {hit.title}{year} | TMDB id {hit.id} | "
            f"similarity {hit.similarity:.3f}\n{hit.document}\n\n"
        )
        if isinstance(hit, Recommendation):
            because = hit.because
            parts.append(
                f"[{hit.rank}] because they liked: {because.title} | TMDB id {because.id} | "
                f"similarity {because.similarity:.3f}\n{because.document}\n\n"
            )
    return "".join(parts)
