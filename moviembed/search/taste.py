"""A taste from the films someone rated or watched: matched to the index, then split into
liked (weighted by how high the rating is), disliked and seen.

Rows are matched by TMDB id where the file has one, else by title (folded, as `similar`
takes titles) and year: the stored movie of that title released that year, or a year
either side, since a festival premiere and the release can fall in different years.
A film the index does not hold, or that stays ambiguous, is reported, never fatal.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from moviembed.documents import fold
from moviembed.errors import NotFoundError, UsageError
from moviembed.index.reader import IndexReader
from moviembed.search.recommend import Recommendation, recommend
from moviembed.sources.ratings import RatedFilm

LIKED_FROM = 8.0  # on the 0-10 scale: Letterboxd 4 stars, IMDb 8
DISLIKED_UP_TO = 4.0  # Letterboxd 2 stars, IMDb 4


@dataclass
class Taste:
    """Stored ids with weights (0-1], what was seen, and the rows that matched nothing."""

    liked: dict[str, float] = field(default_factory=dict)
    disliked: dict[str, float] = field(default_factory=dict)
    seen: list[str] = field(default_factory=list)
    unmatched: list[str] = field(default_factory=list)  # "Title (Year), where: why"

    @property
    def weights(self) -> dict[str, float]:
        return {**self.liked, **self.disliked}

    def with_named(self, liked: Sequence[str], disliked: Sequence[str]) -> Taste:
        """This taste plus movies named outright (stored ids), which count fully and win
        over what the file said of them."""
        both = set(liked) & set(disliked)
        if both:
            raise UsageError(f"Movie {', '.join(sorted(both))} is both liked and disliked.")
        named = {*liked, *disliked}
        keep = {movie_id: w for movie_id, w in self.liked.items() if movie_id not in named}
        drop = {movie_id: w for movie_id, w in self.disliked.items() if movie_id not in named}
        return Taste(
            liked={**keep, **dict.fromkeys(liked, 1.0)},
            disliked={**drop, **dict.fromkeys(disliked, 1.0)},
            seen=self.seen,
            unmatched=self.unmatched,
        )

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready, ids as TMDB's integers."""
        return {
            "liked": [{"id": int(i), "weight": round(w, 3)} for i, w in self.liked.items()],
            "disliked": [{"id": int(i), "weight": round(w, 3)} for i, w in self.disliked.items()],
            "seen": [int(movie_id) for movie_id in self.seen],
            "matched": len(self.seen),
            "unmatched": self.unmatched,
        }


def liking(rating: float | None) -> float:
    """How much a 0-10 rating says "more like this": 8 -> 0.5 ... 10 -> 1; -1 ... -0.25 for
    1 ... 4 (not this); 0 in between or unrated."""
    if rating is None:
        return 0.0
    if rating >= LIKED_FROM:
        return (rating - 6) / 4
    if rating <= DISLIKED_UP_TO:
        return -min(1.0, (5 - rating) / 4)
    return 0.0


def recommend_for(taste: Taste, *, store: IndexReader, **options: Any) -> list[Recommendation]:
    """`recommend` for a taste: its seen movies never come back (nor `exclude`).
    NotFoundError when the taste holds no liked movie the index has."""
    if not taste.liked:
        unmatched = len(taste.unmatched)
        missed = f" (films in the file not found: {unmatched:,})" if unmatched else ""
        raise NotFoundError(
            f"No liked movie is in the index{missed}; name one, or rate some films highly."
        )
    exclude = [*taste.seen, *options.pop("exclude", ())]
    return recommend(
        list(taste.liked),
        store=store,
        disliked=list(taste.disliked),
        exclude=exclude,
        weights=taste.weights,
        **options,
    )


def taste_from(store: IndexReader, films: Sequence[RatedFilm]) -> Taste:
    """The films matched to `store`. A film listed again (a rewatch in the diary, the same
    film in ratings.csv) keeps its last rating. With no rating high or low (a watched list,
    or only middling ones), every film counts as liked, alike."""
    taste = Taste()
    ratings: dict[str, float | None] = {}
    for film, (movie_id, why) in zip(films, _match(store, films), strict=True):
        if movie_id is None:
            taste.unmatched.append(f"{film.label}, {film.where}: {why}")
            continue
        if film.rating is not None or movie_id not in ratings:
            ratings[movie_id] = film.rating
    taste.seen = list(ratings)
    for movie_id, rating in ratings.items():
        weight = liking(rating)
        if weight > 0:
            taste.liked[movie_id] = weight
        elif weight < 0:
            taste.disliked[movie_id] = -weight
    if not taste.liked and not taste.disliked:
        taste.liked = dict.fromkeys(taste.seen, 1.0)
    return taste


Match = tuple[str | None, str]  # a stored id, or None and why there is none


def _match(store: IndexReader, films: Sequence[RatedFilm]) -> list[Match]:
    """Each film's stored id, or why it has none."""
    ids = [str(film.tmdb_id) for film in films if film.tmdb_id is not None]
    stored_ids = store.existing_ids(ids) if ids else set()
    keys = [fold(name) for film in films for name in (film.title, film.original_title)]
    by_title: dict[str, list[tuple[str, int | None]]] = {}
    for movie_id, metadata in store.titled_ids(keys):
        by_title.setdefault(metadata.get("title_key", ""), []).append(
            (movie_id, metadata.get("year"))
        )
    return [_one(film, stored_ids, by_title) for film in films]


def _one(
    film: RatedFilm, stored_ids: set[str], by_title: dict[str, list[tuple[str, Any]]]
) -> Match:
    if film.tmdb_id is not None and str(film.tmdb_id) in stored_ids:
        return str(film.tmdb_id), ""
    candidates = by_title.get(fold(film.title)) or by_title.get(fold(film.original_title)) or []
    if not candidates:
        return None, "not in the index"
    if film.year is None:
        if len(candidates) == 1:
            return candidates[0][0], ""
        return None, f"{len(candidates)} films of that title and no year to choose"
    for slack in (0, 1):
        near = [movie_id for movie_id, year in candidates if _near(year, film.year, slack)]
        if len(near) == 1:
            return near[0], ""
        if near:
            return None, f"{len(near)} films of that title and year"
    years = ", ".join(sorted({str(year) for _, year in candidates if year}))
    return None, f"the index has it from {years or 'an unknown year'} only"


def _near(stored: Any, wanted: int, slack: int) -> bool:
    return isinstance(stored, int) and abs(stored - wanted) <= slack
