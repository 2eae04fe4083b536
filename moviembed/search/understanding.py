"""What a request for something to watch asks for: the conditions query understanding
(search/understand.py) finds, and what it asks of the index to find them (a `Catalog`)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass, replace
from typing import Any, Protocol

from moviembed.search.filters import Filters


@dataclass(frozen=True)
class Person:
    """A director or cast member found in the index, with the ids of their films."""

    name: str
    role: str  # "director", "cast" or "any"
    ids: frozenset[str]


@dataclass(frozen=True)
class Reference:
    """The film a request is measured against ("like Inception")."""

    id: str
    title: str
    year: int | None = None
    genres: tuple[str, ...] = ()  # results lean to these (Drama aside: too broad to steer)
    ids: tuple[str, ...] = ()  # every film it stands for ("like Harry Potter"), left out

    @property
    def excluded(self) -> tuple[str, ...]:
        return self.ids or (self.id,)


class Catalog(Protocol):
    """What understanding needs to know about the index."""

    def newest_year(self) -> int | None:
        """The latest release year stored (what "recent" counts back from)."""

    def titles(self, key: str) -> list[Reference]:
        """Stored films whose folded title is exactly `key`."""

    def series(self, key: str) -> list[Reference]:
        """Stored films whose folded title starts with the words of `key` ("harry potter")."""

    def reads_as_title(self, tokens: Sequence[str]) -> bool:
        """True when the request is a stored title give or take an article or one word."""

    def person(self, name_key: str, role: str) -> Person | None:
        """The person whose folded full name is `name_key`, in `role` (director/cast/any)."""

    def director_surname(self, word: str) -> Person | None:
        """The one director whose surname is `word`, if exactly one is."""


@dataclass(frozen=True)
class Understanding:
    """What a request asks for; empty fields ask nothing. `meaning` is embedded, `keywords`
    matched word for word; `phrases` say which words became which condition."""

    text: str
    meaning: str
    keywords: str
    languages: tuple[str, ...] = ()
    not_languages: tuple[str, ...] = ()
    year_from: int | None = None
    year_to: int | None = None
    runtime_from: int | None = None
    runtime_to: int | None = None
    genres: tuple[str, ...] = ()  # leaned toward, all of them
    lean_genres: tuple[str, ...] = ()  # moods: any of them
    avoid_genres: tuple[str, ...] = ()  # moods: none of them
    lean_keywords: tuple[str, ...] = ()
    exclude_genres: tuple[str, ...] = ()  # negated: filtered out
    exclude_keywords: tuple[str, ...] = ()  # negated: ranked last
    not_sequel: bool = False
    min_rating: float | None = None
    min_votes: int | None = None
    max_votes: int | None = None
    people: tuple[Person, ...] = ()
    reference: Reference | None = None
    moods: tuple[str, ...] = ()
    phrases: tuple[tuple[str, str], ...] = ()
    title_lookup: bool = False
    description: bool = False  # many words left: it describes one film more than it asks
    story: bool = False  # it tells a plot: its genre and mood words do not lean

    @classmethod
    def literal(cls, text: str, title_lookup: bool = False) -> Understanding:
        """The request taken word for word (`--literal`, or a title lookup)."""
        return cls(text=text, meaning=text, keywords=text, title_lookup=title_lookup)

    @property
    def understood(self) -> bool:
        return bool(self.phrases)

    def filters(self, given: Filters) -> Filters:
        """`given` plus the understood conditions; a field given explicitly wins."""
        years = given.year_from is None and given.year_to is None
        runtime = given.runtime_from is None and given.runtime_to is None
        language = given.language is None
        return replace(
            given,
            year_from=self.year_from if years else given.year_from,
            year_to=self.year_to if years else given.year_to,
            runtime_from=self.runtime_from if runtime else given.runtime_from,
            runtime_to=self.runtime_to if runtime else given.runtime_to,
            languages=self.languages if language else (),
            not_languages=self.not_languages if language else (),
            min_rating=given.min_rating if given.min_rating is not None else self.min_rating,
            min_votes=given.min_votes if given.min_votes is not None else self.min_votes,
            max_votes=self.max_votes if given.min_votes is None else None,
            not_genres=tuple(g for g in self.exclude_genres if g not in given.genres),
        )

    def without(self, names: Iterable[str]) -> Understanding:
        """The same request with the conditions called `names` (as `conditions()` names
        them: language, years, genres, ...) dropped, for a page whose reader removed them."""
        cleared: dict[str, Any] = {}
        for name in names:
            for field_name in _CONDITION_FIELDS.get(name, ()):
                cleared[field_name] = _EMPTY.get(field_name, ())
        return replace(self, **cleared)

    def summary(self) -> str:
        """One line: `language fr · genres Comedy, Romance · years 1990–1999`."""
        return " · ".join(f"{name} {value}" for name, value in self.conditions())

    def conditions(self) -> list[tuple[str, str]]:
        """(name, value) for each understood condition, for people and chips."""
        parts: list[tuple[str, str]] = []
        add = parts.append
        if self.languages:
            add(("language", ", ".join(self.languages)))
        if self.not_languages:
            add(("language", "not " + ", ".join(self.not_languages)))
        if self.year_from is not None or self.year_to is not None:
            add(("years", span(self.year_from, self.year_to)))
        if self.runtime_from is not None or self.runtime_to is not None:
            add(("runtime", span(self.runtime_from, self.runtime_to) + " min"))
        if self.genres:
            add(("genres", ", ".join(self.genres)))
        for mood in self.moods:
            add(("mood", mood))
        if self.min_rating is not None:
            add(("rating", f"≥ {self.min_rating:g}"))
        if self.min_votes is not None or self.max_votes is not None:
            add(("votes", span(self.min_votes, self.max_votes)))
        for person in self.people:
            add((person.role if person.role != "any" else "with", person.name))
        if self.reference:
            year = f" ({self.reference.year})" if self.reference.year else ""
            add(("like", self.reference.title + year))
        if self.exclude_genres:
            add(("not", ", ".join(self.exclude_genres)))
        if self.exclude_keywords:
            add(("without", ", ".join(self.exclude_keywords[:3])))
        if self.not_sequel:
            add(("not", "sequels"))
        return parts

    def to_wire(self) -> dict[str, Any]:
        """Every field, JSON-ready and lossless (a running service sends it to the CLI)."""
        data = asdict(self)
        for person in data["people"]:
            person["ids"] = sorted(person["ids"])
        return data

    @classmethod
    def from_wire(cls, data: dict[str, Any]) -> Understanding:
        """The request `to_wire` gave; KeyError or TypeError if `data` is not one."""
        fields = {key: _tuples(value) for key, value in data.items()}
        fields["people"] = tuple(
            Person(person["name"], person["role"], frozenset(person["ids"]))
            for person in data["people"]
        )
        reference = data["reference"]
        fields["reference"] = (
            Reference(**{key: _tuples(value) for key, value in reference.items()})
            if reference
            else None
        )
        return cls(**fields)

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready: the summary, each condition, and the text left to match."""
        return {
            "summary": self.summary(),
            "conditions": [{"name": n, "value": v} for n, v in self.conditions()],
            "phrases": [{"phrase": p, "meaning": m} for p, m in self.phrases],
            "meaning": self.meaning,
            "keywords": self.keywords,
            "title_lookup": self.title_lookup,
            "reference": int(self.reference.id) if self.reference else None,
        }


_CONDITION_FIELDS = {
    "language": ("languages", "not_languages"),
    "years": ("year_from", "year_to"),
    "runtime": ("runtime_from", "runtime_to"),
    "genres": ("genres",),
    "mood": ("moods", "lean_genres", "avoid_genres", "lean_keywords"),
    "rating": ("min_rating",),
    "votes": ("min_votes", "max_votes"),
    "director": ("people",),
    "cast": ("people",),
    "with": ("people",),
    "like": ("reference",),
    "not": ("exclude_genres", "not_sequel"),
    "without": ("exclude_keywords",),
}
_EMPTY: dict[str, Any] = dict.fromkeys(
    "year_from year_to runtime_from runtime_to min_rating min_votes max_votes reference".split()
) | {"not_sequel": False}
CONDITION_NAMES = tuple(_CONDITION_FIELDS)


def _tuples(value: Any) -> Any:
    """JSON's lists as the tuples the dataclasses hold (nested: phrases are pairs)."""
    return tuple(map(_tuples, value)) if isinstance(value, list) else value


def span(low: float | None, high: float | None) -> str:
    if low is not None and high is not None:
        return f"{low}–{high}" if low != high else f"{low}"
    return f"≥ {low}" if low is not None else f"≤ {high}"
