"""Query understanding: what a request for something to watch asks for, read without an LLM.

`understand` turns "a short french comedy from the 90s, not a sequel" into conditions
(language fr, runtime up to 90, genre Comedy, years 1990-1999, no sequels) plus the words
left to match on meaning. It is pure and deterministic: the index is consulted only
through a `Catalog` (titles, people, the newest year), so tests can hand it a dictionary.

Conditions that name a fact of the film (language, years, runtime, reception, people,
negated genres) filter; genres and moods lean, because "funny" or "dark" describe a film
more loosely than TMDB's genre list does. A request that reads like a title ("The Italian
Job", "127 Hours") is left as it is, so looking a film up by its title still works.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from typing import Any, Protocol

from moviembed.documents import fold
from moviembed.search import vocabulary as words
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


class Catalog(Protocol):
    """What understanding needs to know about the index."""

    def newest_year(self) -> int | None:
        """The latest release year stored (what "recent" counts back from)."""

    def titles(self, key: str) -> list[Reference]:
        """Stored films whose folded title is exactly `key`."""

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
            add(("years", _span(self.year_from, self.year_to)))
        if self.runtime_from is not None or self.runtime_to is not None:
            add(("runtime", _span(self.runtime_from, self.runtime_to) + " min"))
        if self.genres:
            add(("genres", ", ".join(self.genres)))
        for mood in self.moods:
            add(("mood", mood))
        if self.min_rating is not None:
            add(("rating", f"≥ {self.min_rating:g}"))
        if self.min_votes is not None or self.max_votes is not None:
            add(("votes", _span(self.min_votes, self.max_votes)))
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


def _span(low: float | None, high: float | None) -> str:
    if low is not None and high is not None:
        return f"{low}–{high}" if low != high else f"{low}"
    return f"≥ {low}" if low is not None else f"≤ {high}"


# -- the parser ---------------------------------------------------------------------------

_NUMBERS = {
    "one": 1,
    "two": 2,
    "three": 3,
    "four": 4,
    "five": 5,
    "an": 1,
    "a": 1,
}
_NUM = r"(\d+(?: [05])?|one|two|three|four|five|an|a)"
_UNIT = r"(hours?|hrs?|h|minutes?|mins?|m)"
_HALF = r"(?: and a half)?"
_AMOUNT = rf"{_NUM}{_HALF} {_UNIT}{_HALF}"
_LENGTH_PATTERNS: tuple[tuple[re.Pattern[str], str], ...] = tuple(
    (re.compile(rf"\b{pattern}\b"), kind)
    for pattern, kind in (
        (
            rf"(?:under|less than|shorter than|below|no more than|at most|max|maximum|within|"
            rf"up to|no longer than|not more than) {_AMOUNT}(?: long)?",
            "max",
        ),
        (rf"{_AMOUNT} (?:or less|or under|or shorter|max|tops|at most)", "max"),
        (
            rf"(?:over|more than|longer than|at least|above|exceeding|greater than|"
            rf"upwards of) {_AMOUNT}(?: long)?",
            "min",
        ),
        (rf"{_AMOUNT} (?:or more|or longer|plus|minimum)", "min"),
        (
            rf"(?:around|about|roughly|approximately|approx) {_AMOUNT}(?: long)?",
            "about",
        ),
        (r"not (?:too |very |that |overly |super )?long", "not long"),
    )
)
_DECADE_2 = r"(?:(early|mid|late) )?'?(\d)0 ?s"
_DECADE_4 = r"(?:(early|mid|late) )?(1[89]\d|20[0-2])0 ?s"
_YEAR = r"(1[89]\d\d|20[0-3]\d)"
_ERA_LEAD = r"(?:(?:released |made |came out |from |in |of |during )?(?:the )?)"
_ERA_PATTERNS: tuple[tuple[re.Pattern[str], str], ...] = tuple(
    (re.compile(rf"\b{pattern}\b"), kind)
    for pattern, kind in (
        (rf"(?:between|from) {_YEAR} (?:and|to|until|till|through) {_YEAR}", "between"),
        (rf"{_YEAR} (?:to|through|until) {_YEAR}", "between"),
        (rf"(?:before|pre|prior to|older than|earlier than|until) {_YEAR}", "before"),
        (rf"(?:after|post|newer than|later than) {_YEAR}", "after"),
        (rf"(?:since|from) {_YEAR} (?:on|onwards?|and later|or later)", "since"),
        (rf"since {_YEAR}", "since"),
        (rf"{_ERA_LEAD}{_DECADE_4}", "decade4"),
        (rf"{_ERA_LEAD}{_DECADE_2}", "decade2"),
        (
            _ERA_LEAD
            + r"(?:(early|mid|late) )?("
            + "|".join(sorted(words.DECADE_WORDS, key=len, reverse=True))
            + ")",
            "decade_word",
        ),
        (rf"(?:released |made |came out )?(?:in |from )?{_YEAR}", "year"),
    )
)
_SETTING = re.compile(r"\b(?:set|takes place|taking place|during|in the year|set during)$")


@dataclass
class _Reading:
    """A request being read: its folded tokens and which of them are taken."""

    text: str
    tokens: list[str]
    catalog: Catalog
    used: list[bool] = field(default_factory=list)
    kept: list[bool] = field(default_factory=list)  # taken, yet still part of the meaning
    found: dict[str, Any] = field(default_factory=dict)
    phrases: list[tuple[str, str]] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.used = [False] * len(self.tokens)
        self.kept = [False] * len(self.tokens)

    def free(self, start: int, end: int) -> bool:
        return 0 <= start <= end <= len(self.tokens) and not any(self.used[start:end])

    def take(self, start: int, end: int, meaning: str, keep: bool = False) -> None:
        for i in range(start, end):
            self.used[i] = True
            self.kept[i] = keep
        self.phrases.append((" ".join(self.tokens[start:end]), meaning))

    def add(self, key: str, values: Iterable[Any]) -> None:
        bucket = self.found.setdefault(key, [])
        bucket.extend(value for value in values if value not in bucket)

    def content_count(self) -> int:
        return sum(1 for token in self.tokens if token not in words.FILLER)

    def film_context(self, start: int, end: int) -> bool:
        """True when a film noun or genre word stands within three words after (or a film
        noun just before), or the request is short: then a word like "old" or "popular"
        describes the film rather than its story."""
        after = self.tokens[end : end + 3]
        before = self.tokens[max(start - 3, 0) : start]
        if any(t in words.FILM_NOUNS or t in words.GENRES or t in words.MOODS for t in after):
            return True
        if any(t in words.FILM_NOUNS or t in words.GENRES for t in before):
            return True
        return self.content_count() <= 3


def _phrase_table(table: Iterable[str]) -> list[tuple[str, ...]]:
    return sorted((tuple(key.split()) for key in table), key=len, reverse=True)


_TABLES = {
    name: _phrase_table(table)
    for name, table in (
        ("languages", words.LANGUAGES),
        ("genres", words.GENRES),
        ("moods", words.MOODS),
        ("reception", words.RECEPTION),
        ("eras", words.ERAS),
        ("recent", words.RECENT),
        ("negatable", [*words.NEGATABLE, *words.NOT_SEQUEL, *words.NOT_FOREIGN]),
        ("negations", words.NEGATIONS),
        ("references", words.REFERENCE_LEADS),
        ("people", words.PEOPLE_LEADS),
        ("fillers", words.NEGATION_FILLERS),
    )
}


def _matches(reading: _Reading, table: str) -> list[tuple[int, int, str]]:
    """(start, end, phrase) for each free occurrence of a phrase in `table`, longest first."""
    found = []
    tokens = reading.tokens
    i = 0
    while i < len(tokens):
        for phrase in _TABLES[table]:
            end = i + len(phrase)
            if tuple(tokens[i:end]) == phrase and reading.free(i, end):
                found.append((i, end, " ".join(phrase)))
                i = end - 1
                break
        i += 1
    return found


def _regex_matches(reading: _Reading, pattern: re.Pattern[str]) -> list[tuple[int, int, re.Match]]:
    """Token spans of the free matches of `pattern` over the joined tokens."""
    joined = " ".join(reading.tokens)
    starts = [0]
    for token in reading.tokens:
        starts.append(starts[-1] + len(token) + 1)
    spans = []
    for match in pattern.finditer(joined):
        if match.start() not in starts or match.end() + 1 not in starts:
            continue
        start, end = starts.index(match.start()), starts.index(match.end() + 1)
        if reading.free(start, end):
            spans.append((start, end, match))
    return spans


def understand(text: str, catalog: Catalog) -> Understanding:
    """What `text` asks for: conditions, leanings and the words left to match."""
    tokens = fold(text).split()
    if catalog.reads_as_title(tokens):
        return Understanding.literal(text, title_lookup=True)
    reading = _Reading(text, tokens, catalog)
    for step in _STEPS:
        step(reading)
    return _understanding(reading)


def _lengths(reading: _Reading) -> None:
    for pattern, kind in _LENGTH_PATTERNS:
        for start, end, match in _regex_matches(reading, pattern):
            if kind == "not long":
                low, high = None, 120
            else:
                minutes = _minutes(match)
                if minutes is None:
                    continue
                low, high = {
                    "max": (None, minutes),
                    "min": (minutes, None),
                    "about": (minutes - 10, minutes + 10),
                }[kind]
            reading.found.update(runtime=(low, high))
            reading.take(start, end, f"runtime {_span(low, high)} min")
    for start, end, phrase in _words_in(reading, ("short", "shorter", "quick", "long", "lengthy")):
        if not reading.film_context(start, end):
            continue
        span = (None, 90) if phrase in ("short", "shorter", "quick") else (150, None)
        reading.found.setdefault("runtime", span)
        reading.take(start, end, f"runtime {_span(*span)} min")


def _words_in(reading: _Reading, choices: Sequence[str]) -> list[tuple[int, int, str]]:
    return [
        (i, i + 1, token)
        for i, token in enumerate(reading.tokens)
        if token in choices and reading.free(i, i + 1)
    ]


def _minutes(match: re.Match) -> int | None:
    number, unit = match.group(1), match.group(match.lastindex or 2)
    whole, _, tenth = number.partition(" ")
    value = float(_NUMBERS.get(whole, 0) or (whole if whole.isdigit() else 0))
    value += int(tenth) / 10 if tenth else 0
    value += 0.5 if "and a half" in match.group(0) else 0
    if not value:
        return None
    minutes = value * 60 if unit.startswith("h") else value
    return int(minutes) if 1 <= minutes <= 1000 else None


def _eras(reading: _Reading) -> None:
    newest = None
    for pattern, kind in _ERA_PATTERNS:
        for start, end, match in _regex_matches(reading, pattern):
            before = " ".join(reading.tokens[max(start - 3, 0) : start])
            if _SETTING.search(before) or match.group(0).startswith("during"):
                continue  # "set in the 1960s" is the story's time
            stated = match.group(0).startswith(("from", "released", "made", "came out"))
            if kind in ("year", "decade2") and not stated and not reading.film_context(start, end):
                continue
            span = _era_span(kind, match.groups())
            if span is None:
                continue
            reading.found.setdefault("years", span)
            reading.take(start, end, f"years {_span(*span)}")
    for start, end, phrase in _matches(reading, "eras"):
        if phrase in words.AMBIGUOUS and not reading.film_context(start, end):
            continue
        span = words.ERAS[phrase]
        reading.found.setdefault("years", span)
        keep = phrase.startswith("classic")
        reading.take(start, end, f"years {_span(*span)}", keep=keep)
    for start, end, phrase in _matches(reading, "recent"):
        following = reading.tokens[end] if end < len(reading.tokens) else ""
        if phrase in words.AMBIGUOUS and following not in words.FILM_NOUNS + [*words.GENRES]:
            continue  # "new releases", "a new thriller"; not "new york", "a new life"
        newest = newest or reading.catalog.newest_year()
        if newest is None:
            continue
        span = (newest - words.RECENT[phrase], newest)
        reading.found.setdefault("years", span)
        reading.take(start, end, f"years {_span(*span)}")


def _era_span(kind: str, groups: Sequence[str | None]) -> tuple[int | None, int | None] | None:
    """(first, last) year for an era match of `kind`."""
    if kind == "between":
        low, high = sorted((int(groups[0] or 0), int(groups[1] or 0)))
        return low, high
    if kind in ("before", "after", "since", "year"):
        year = int(groups[0] or 0)
        return {
            "before": (None, year - 1),
            "after": (year + 1, None),
            "since": (year, None),
            "year": (year, year),
        }[kind]
    part, decade = groups[0], groups[1] or ""
    if kind == "decade4":
        start = int(decade) * 10
    elif kind == "decade2":
        start = int(decade) * 10 + (2000 if decade in ("0", "1") else 1900)
    else:
        start = words.DECADE_WORDS[decade]
    first, last = {"early": (0, 3), "mid": (3, 6), "late": (6, 9)}.get(part or "", (0, 9))
    return start + first, start + last


def _negations(reading: _Reading) -> None:
    for start, end, _ in _matches(reading, "negations"):
        position = end
        while True:
            position = _skip_fillers(reading, position)
            item = _negatable_at(reading, position)
            if item is None:
                break
            stop, phrase = item
            stop = _skip_film_noun(reading, stop)
            _negate(reading, phrase)
            reading.take(start, stop, f"not {phrase}")
            start = position = stop
            if position < len(reading.tokens) and reading.tokens[position] in ("or", "and", "nor"):
                position += 1
                continue
            break


def _skip_fillers(reading: _Reading, position: int) -> int:
    while position < len(reading.tokens) and reading.tokens[position] in words.NEGATION_FILLERS:
        position += 1
    return position


def _skip_film_noun(reading: _Reading, position: int) -> int:
    if position < len(reading.tokens) and reading.tokens[position] in words.FILM_NOUNS:
        return position + 1
    return position


def _negatable_at(reading: _Reading, position: int) -> tuple[int, str] | None:
    for phrase in _TABLES["negatable"]:
        end = position + len(phrase)
        if tuple(reading.tokens[position:end]) == phrase and reading.free(position, end):
            return end, " ".join(phrase)
    return None


def _negate(reading: _Reading, phrase: str) -> None:
    if phrase in words.NOT_SEQUEL:
        reading.found["not_sequel"] = True
    elif phrase in words.NOT_FOREIGN:
        reading.found.setdefault("languages", ["en"])
    else:
        genres, keywords = words.NEGATABLE[phrase]
        reading.add("exclude_genres", genres)
        reading.add("exclude_keywords", keywords)


def _references(reading: _Reading) -> None:
    for start, end, lead in _matches(reading, "references"):
        span_end = end
        while span_end < len(reading.tokens) and reading.tokens[span_end] not in (
            words.REFERENCE_ENDS
        ):
            span_end += 1
        for stop in range(span_end, end, -1):
            found = _title_at(reading, end, stop, strict=lead == "like")
            if found:
                reading.found["reference"] = found
                reading.take(start, stop, f"like {found.title}")
                return


def _title_at(reading: _Reading, start: int, stop: int, strict: bool) -> Reference | None:
    """The stored film titled by tokens[start:stop] (an article optional); after a plain
    "like" (`strict`), one-word titles only when written as titled: "like Heat", not "like
    heat"."""
    key = " ".join(reading.tokens[start:stop])
    for candidate in (key, f"the {key}", key.removeprefix("the ")):
        found = reading.catalog.titles(candidate)
        if not found:
            continue
        best = found[0]
        if strict and stop - start == 1 and best.title not in reading.text:
            return None
        return best
    return None


def _people(reading: _Reading) -> None:
    tokens = reading.tokens
    for size in (3, 2):
        for start in range(len(tokens) - size + 1):
            end = start + size
            if not reading.free(start, end) or any(t in words.FILLER for t in tokens[start:end]):
                continue
            role = _role_before(reading, start)
            person = reading.catalog.person(" ".join(tokens[start:end]), role)
            if person:
                _take_person(reading, person, start, end)
    for start in range(len(tokens)):
        token = tokens[start]
        if not reading.free(start, start + 1) or token in words.FILLER or len(token) < 4:
            continue
        if not (_surname_context(reading, start) and not _is_vocabulary(token)):
            continue
        person = reading.catalog.director_surname(token)
        if person:
            _take_person(reading, person, start, start + 1)


def _take_person(reading: _Reading, person: Person, start: int, end: int) -> None:
    lead = _lead_start(reading, start)
    possessive = end < len(reading.tokens) and reading.tokens[end] == "s"
    reading.add("people", [person])
    reading.take(lead, end + possessive, f"{person.role} {person.name}")


def _role_before(reading: _Reading, start: int) -> str:
    for phrase in _TABLES["people"]:
        begin = start - len(phrase)
        if begin >= 0 and tuple(reading.tokens[begin:start]) == phrase:
            return words.PEOPLE_LEADS[" ".join(phrase)]
    return "any"


def _lead_start(reading: _Reading, start: int) -> int:
    for phrase in _TABLES["people"]:
        begin = start - len(phrase)
        if (
            begin >= 0
            and tuple(reading.tokens[begin:start]) == phrase
            and reading.free(begin, start)
        ):
            return begin
    return start


def _surname_context(reading: _Reading, index: int) -> bool:
    """A lone surname names a director only beside "by", "'s", a film noun or genre word."""
    tokens = reading.tokens
    before = tokens[index - 1] if index else ""
    after = tokens[index + 1] if index + 1 < len(tokens) else ""
    return (
        before in ("by", "director")
        or after == "s"
        or after in words.FILM_NOUNS
        or after in words.GENRES
        or reading.content_count() <= 2
    )


def _is_vocabulary(token: str) -> bool:
    return any(
        token in table
        for table in (words.GENRES, words.MOODS, words.LANGUAGES, words.RECEPTION, words.ERAS)
    )


def _reception(reading: _Reading) -> None:
    for start, end, phrase in _matches(reading, "reception"):
        if phrase in words.AMBIGUOUS and not reading.film_context(start, end):
            continue
        rating, low, high = words.RECEPTION[phrase]
        reading.found.setdefault("reception", (rating, low, high))
        reading.take(start, end, phrase)


def _languages(reading: _Reading) -> None:
    for start, end, phrase in _matches(reading, "languages"):
        after = reading.tokens[end] if end < len(reading.tokens) else ""
        before = reading.tokens[start - 1] if start else ""
        lead = before in ("in", "spoken")
        then = reading.tokens[end + 1] if end + 1 < len(reading.tokens) else ""
        topic = after in words.LANGUAGE_TOPICS and then not in words.FILM_NOUNS
        if not lead and (topic or before == "about"):
            continue
        if not lead and after != "language" and not reading.film_context(start, end):
            continue
        reading.found.setdefault("languages", list(words.LANGUAGES[phrase]))
        stop = end + (after == "language")
        reading.take(start - lead, stop, f"language {phrase}")
    for start, end, _ in _words_in(reading, ("foreign", "international", "subtitled")):
        reading.found.setdefault("not_languages", ["en"])
        reading.take(start, end, "not in English")


def _genres(reading: _Reading) -> None:
    for start, end, phrase in _matches(reading, "genres"):
        if phrase in words.AMBIGUOUS and not reading.film_context(start, end):
            continue
        reading.add("genres", words.GENRES[phrase])
        if phrase == "anime":
            reading.found.setdefault("languages", ["ja"])
        reading.take(start, end, "genres " + ", ".join(words.GENRES[phrase]), keep=True)


def _moods(reading: _Reading) -> None:
    for start, end, phrase in _matches(reading, "moods"):
        if phrase in words.AMBIGUOUS and not reading.film_context(start, end):
            continue
        mood = words.MOODS[phrase]
        reading.add("moods", [mood.label])
        reading.add("lean_genres", mood.genres)
        reading.add("avoid_genres", mood.avoid)
        reading.add("lean_keywords", mood.keywords)
        reading.take(start, end, f"mood {mood.label}", keep=True)


_STEPS = (_lengths, _eras, _negations, _references, _people, _reception, _languages)
_STEPS += (_genres, _moods)


def _filler(token: str) -> bool:
    return token in words.FILLER or token in words.FILM_NOUNS


def _understanding(reading: _Reading) -> Understanding:
    found = reading.found
    tokens = reading.tokens
    taken = zip(tokens, reading.used, reading.kept, strict=True)
    meaning = [t for t, used, kept in taken if (kept or not used) and not _filler(t)]
    unused = zip(tokens, reading.used, strict=True)
    rest = [t for t, used in unused if not used and not _filler(t)]
    if not reading.phrases:
        return Understanding.literal(reading.text)
    rating, low, high = found.get("reception", (None, None, None))
    years = found.get("years", (None, None))
    runtime = found.get("runtime", (None, None))
    genres = tuple(found.get("genres", ()))
    return Understanding(
        text=reading.text,
        meaning=" ".join(meaning),
        keywords=" ".join(rest),
        languages=tuple(found.get("languages", ())),
        not_languages=tuple(found.get("not_languages", ())),
        year_from=years[0],
        year_to=years[1],
        runtime_from=runtime[0],
        runtime_to=runtime[1],
        genres=genres,
        lean_genres=tuple(found.get("lean_genres", ())),
        avoid_genres=tuple(g for g in found.get("avoid_genres", ()) if g not in genres),
        lean_keywords=tuple(found.get("lean_keywords", ())),
        exclude_genres=tuple(found.get("exclude_genres", ())),
        exclude_keywords=tuple(found.get("exclude_keywords", ())),
        not_sequel=bool(found.get("not_sequel")),
        min_rating=rating,
        min_votes=low,
        max_votes=high,
        people=tuple(found.get("people", ())),
        reference=found.get("reference"),
        moods=tuple(found.get("moods", ())),
        phrases=tuple(reading.phrases),
    )
