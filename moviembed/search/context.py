"""Search results as a block of text for an LLM prompt (`--format context`, `/api/context`,
the MCP `context` tool), and chosen movies ranked for a question to feed such a block."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from moviembed.embedding.embedder import Embedder
from moviembed.errors import UsageError
from moviembed.index.reader import IndexReader
from moviembed.search.hits import Recommendation
from moviembed.search.names import MovieName, resolve_movies
from moviembed.search.query import SearchHit, check_query


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


def movies_for_question(
    question: str, movies: Sequence[MovieName], *, store: IndexReader, embedder: Embedder
) -> list[SearchHit]:
    """The named movies (TMDB ids or titles), closest to `question` first, for a
    prompt about those movies in particular rather than the best search matches."""
    if not movies:
        raise UsageError("Name at least one movie.")
    question = check_query(question, len(movies))
    ids = resolve_movies(store, movies)
    stored = store.get_by_ids(ids, include_embeddings=True)
    query = np.asarray(embedder.embed([question])[0], dtype=np.float64)
    vectors = np.asarray([hit.pop("embedding") for hit in stored], dtype=np.float64)
    norms = np.linalg.norm(vectors, axis=1) * (np.linalg.norm(query) or 1.0)
    similarities = vectors @ query / np.where(norms == 0, 1.0, norms)
    order = np.argsort(-similarities, kind="stable")
    return [
        SearchHit(
            rank=rank,
            id=stored[index]["id"],
            similarity=float(similarities[index]),
            score=float(similarities[index]),
            document=stored[index]["document"],
            metadata=stored[index]["metadata"],
        )
        for rank, index in enumerate(order, start=1)
    ]
