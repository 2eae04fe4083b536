"""A movie named by a person: a TMDB id (949 or "949") or a title, with an optional year
("Heat", "Heat (1995)", "Heat 1995"), resolved the same way in every command and face."""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence

from moviembed.documents import fold
from moviembed.errors import NotFoundError, UsageError
from moviembed.index.reader import IndexReader
from moviembed.index.records import StoredMovie
from moviembed.movie import parse_movie_id

MovieName = int | str  # a TMDB id, or a title with an optional year
_WITH_YEAR = re.compile(r"^(?P<title>.+?)\s*(?:\((?P<paren>\d{4})\)|\s(?P<bare>\d{4}))$")
SHOWN = 10  # candidates an ambiguity error lists


def resolve_movie(store: IndexReader, movie: MovieName, field: str = "movie") -> str:
    """The stored id `movie` names: a stored TMDB id, else an exact title (any case, accents
    optional), else a title followed by its year. NotFoundError when nothing matches;
    UsageError listing the candidates when several stored films share the title."""
    text = str(movie).strip()
    if not text.isprintable() or not fold(text):
        raise UsageError(f"{movie!r} names no movie: give a TMDB id or a title.", field=field)
    if text.isascii() and text.isdigit():
        movie_id = parse_movie_id(text)
        if store.existing_ids([movie_id]):
            return movie_id
    matches = store.find_by_title(fold(text))
    dated = None if matches else _WITH_YEAR.match(text)
    titled: list[StoredMovie] = []
    if dated:  # "Heat (1995)" or "Heat 1995": the title of that year
        year = int(dated["paren"] or dated["bare"])
        titled = store.find_by_title(fold(dated["title"]))
        matches = [hit for hit in titled if hit["metadata"].get("year") == year]
    if len(matches) == 1:
        return matches[0]["id"]
    if matches:
        raise UsageError(_ambiguous(text, matches, dated is not None), field=field)
    others = f"; there is {_listed(titled)}" if titled else ""
    raise NotFoundError(f"No movie with id or title {text!r} in the index{others}.", field=field)


def resolve_movies(
    store: IndexReader, movies: Iterable[MovieName], field: str = "movies"
) -> list[str]:
    """The stored ids `movies` name, each once, in order; raises like `resolve_movie` on the
    first unknown or ambiguous one."""
    return list(dict.fromkeys(resolve_movie(store, movie, field) for movie in movies))


def label(hit: StoredMovie) -> str:
    """ "Heat (1995, id 949)": a stored movie as a person tells it from its namesakes."""
    metadata = hit["metadata"]
    year = metadata.get("year")
    return f"{metadata.get('title', '')} ({f'{year}, ' if year else ''}id {hit['id']})"


def _ambiguous(text: str, matches: Sequence[StoredMovie], dated: bool) -> str:
    hint = "give the id" if dated else "give the year or the id"
    return f"Several movies are titled {text!r}: {_listed(matches)}; {hint}."


def _listed(hits: Sequence[StoredMovie]) -> str:
    """The movies by year, then id, each with both, the first SHOWN of them."""
    ordered = sorted(hits, key=lambda hit: (hit["metadata"].get("year") or 0, int(hit["id"])))
    more = f" and {len(ordered) - SHOWN} more" if len(ordered) > SHOWN else ""
    return ", ".join(label(hit) for hit in ordered[:SHOWN]) + more
