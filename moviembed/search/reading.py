"""The parser's tools: a request as folded tokens, which of them are taken, phrase and
pattern matching over the free ones, and the number patterns for lengths and eras."""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from moviembed.documents import fold
from moviembed.search import genre_words as kinds
from moviembed.search import vocabulary as words
from moviembed.search.understanding import Catalog

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
Patterns = tuple[tuple[re.Pattern[str], str], ...]


def _whole_words(*pairs: tuple[str, str]) -> Patterns:
    """(pattern, kind) pairs compiled to match whole words only."""
    return tuple((re.compile(rf"\b{pattern}\b"), kind) for pattern, kind in pairs)


LENGTH_PATTERNS = _whole_words(
    (rf"(?:under|less than|shorter than|below) {_AMOUNT}(?: long)?", "below"),
    (
        rf"(?:no more than|at most|max|maximum|within|up to|no longer than|not more than) "
        rf"{_AMOUNT}(?: long)?",
        "max",
    ),
    (rf"{_AMOUNT} (?:or less|or under|or shorter|max|tops|at most)", "max"),
    (
        rf"(?:over|more than|longer than|above|exceeding|greater than) {_AMOUNT}(?: long)?",
        "above",
    ),
    (rf"(?:at least|upwards of) {_AMOUNT}(?: long)?", "min"),
    (rf"{_AMOUNT} (?:or more|or longer|plus|minimum)", "min"),
    (
        rf"(?:around|about|roughly|approximately|approx) {_AMOUNT}(?: long)?",
        "about",
    ),
    (r"not (?:too |very |that |overly |super )?long", "not long"),
    (rf"{_NUM} (hour|minute|min)(?: long)?(?= \w)", "bare"),  # "a 90 minute comedy"
)
_DECADE_2 = r"(?:(early|mid|late) )?'?(\d)0 ?s"
_DECADE_4 = r"(?:(early|mid|late) )?(1[89]\d|20[0-2])0 ?s"
_YEAR = r"(1[89]\d\d|20[0-3]\d)"
_ERA_LEAD = r"(?:(?:released |made |came out |from |in |of |during )?(?:the )?)"
ERA_PATTERNS = _whole_words(
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
SETTING = re.compile(r"\b(?:set|takes place|taking place|during|in the year|set during)$")


@dataclass
class Reading:
    """A request being read: its folded tokens and which of them are taken."""

    text: str
    tokens: list[str]
    catalog: Catalog
    found: dict[str, Any] = field(default_factory=dict)
    phrases: list[tuple[str, str]] = field(default_factory=list)
    # Derived from the above when made:
    used: list[bool] = field(init=False)
    kept: list[bool] = field(init=False)  # taken, yet still part of the meaning
    capitalized: set[str] = field(init=False)
    story: bool = field(init=False)  # it tells a plot: impressions ("old") are not conditions
    content_count: int = field(init=False)  # tokens that are not filler words
    joined: str = field(init=False)  # the tokens joined by spaces, for the patterns
    starts: list[int] = field(init=False)  # where each token starts in `joined`

    def __post_init__(self) -> None:
        self.used = [False] * len(self.tokens)
        self.kept = [False] * len(self.tokens)
        # Folded words the request writes with a capital: names, more likely than not.
        self.capitalized = {
            fold(word) for word in re.findall(r"[^\W\d_][\w'-]*", self.text) if word[0].isupper()
        }
        told = [t for t in self.tokens if _tells(t) and t not in self.capitalized]  # no names
        self.story = len(told) >= STORY_WORDS
        self.content_count = sum(1 for token in self.tokens if token not in words.FILLER)
        self.joined = " ".join(self.tokens)
        self.starts = [0]
        for token in self.tokens:
            self.starts.append(self.starts[-1] + len(token) + 1)

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

    def film_context(self, start: int, end: int, reach: int = 2) -> bool:
        """True when a film noun, genre or mood word follows within two words (or a film
        noun stands just before), or the request is a word or two: then "old" or "popular"
        describes the film rather than its story ("an old man", "a popular girl")."""
        if any(starts_film_words(t) or t in kinds.MOODS for t in self.tokens[end : end + reach]):
            return True
        if start and self.tokens[start - 1] in words.FILM_NOUNS:
            return True
        return self.content_count <= 2

    def next_is_film(self, end: int) -> bool:
        """True when a film noun or genre word comes next, or nothing does ("something old")."""
        return end >= len(self.tokens) or starts_film_words(self.tokens[end])


_FILM_STARTS = frozenset(words.FILM_NOUNS) | {
    key.split()[0] for key in kinds.GENRES if key.split()[0] not in words.FILLER
}


def starts_film_words(token: str) -> bool:
    """True for a film noun or the first word of a genre phrase ("sci" of "sci fi")."""
    return token in _FILM_STARTS


def _phrase_table(table: Iterable[str]) -> list[tuple[str, ...]]:
    return sorted((tuple(key.split()) for key in table), key=len, reverse=True)


TABLES = {
    name: _phrase_table(table)
    for name, table in (
        ("languages", words.LANGUAGES),
        ("genres", kinds.GENRES),
        ("moods", kinds.MOODS),
        ("reception", words.RECEPTION),
        ("eras", words.ERAS),
        ("recent", words.RECENT),
        ("negatable", [*kinds.NEGATABLE, *words.NOT_SEQUEL, *words.NOT_FOREIGN]),
        ("negations", words.NEGATIONS),
        ("references", words.REFERENCE_LEADS),
        ("people", words.PEOPLE_LEADS),
        ("fillers", words.NEGATION_FILLERS),
    )
}


# Words no condition table knows (nor numbers, nor names written with a capital): a request
# with this many of them tells a story ("old sci-fi horror where the crew of a space freighter
# is hunted by ...") rather than asking for something to watch (the tuning halves' requests
# have at most five, their descriptions of one film five to twenty).
STORY_WORDS = 6
_TABLE_WORDS = frozenset(word for table in TABLES.values() for phrase in table for word in phrase)
_KNOWN_WORDS = _TABLE_WORDS | words.FILLER | set(words.FILM_NOUNS) | set(words.DECADE_WORDS)
_NUMBER = re.compile(r"\d|(?:hours?|hrs?|minutes?|mins?)$")


def _tells(token: str) -> bool:
    """True for a word of the story: one no table knows, and no number or unit."""
    return token not in _KNOWN_WORDS and not _NUMBER.match(token)


def matches(reading: Reading, table: str) -> list[tuple[int, int, str]]:
    """(start, end, phrase) for each free occurrence of a phrase in `table`, longest first."""
    found = []
    tokens = reading.tokens
    i = 0
    while i < len(tokens):
        for phrase in TABLES[table]:
            end = i + len(phrase)
            if tuple(tokens[i:end]) == phrase and reading.free(i, end):
                found.append((i, end, " ".join(phrase)))
                i = end - 1
                break
        i += 1
    return found


def regex_matches(reading: Reading, pattern: re.Pattern[str]) -> list[tuple[int, int, re.Match]]:
    """Token spans of the free matches of `pattern` over the joined tokens."""
    starts = reading.starts
    spans = []
    for match in pattern.finditer(reading.joined):
        if match.start() not in starts or match.end() + 1 not in starts:
            continue
        start, end = starts.index(match.start()), starts.index(match.end() + 1)
        if reading.free(start, end):
            spans.append((start, end, match))
    return spans


def words_in(reading: Reading, choices: Sequence[str]) -> list[tuple[int, int, str]]:
    return [
        (i, i + 1, token)
        for i, token in enumerate(reading.tokens)
        if token in choices and reading.free(i, i + 1)
    ]


def minutes(match: re.Match) -> int | None:
    number, unit = match.group(1), match.group(match.lastindex or 2)
    whole, _, tenth = number.partition(" ")
    value = float(_NUMBERS.get(whole, 0) or (whole if whole.isdigit() else 0))
    value += int(tenth) / 10 if tenth else 0
    value += 0.5 if "and a half" in match.group(0) else 0
    if not value:
        return None
    minutes = value * 60 if unit.startswith("h") else value
    return int(minutes) if 1 <= minutes <= 1000 else None


def era_span(kind: str, groups: Sequence[str | None]) -> tuple[int | None, int | None] | None:
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
