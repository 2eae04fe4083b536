"""People in a request: "a Nolan thriller", "starring Meryl Streep", "a Tom Hanks comedy".
Names are looked up in the index (search/lookup.py); a request naming people looks only at
their films."""

from __future__ import annotations

from moviembed.search import genre_words as kinds
from moviembed.search import vocabulary as words
from moviembed.search.reading import TABLES, Reading
from moviembed.search.understanding import Person


def people(reading: Reading) -> None:
    """Directors and cast the index knows, by full name or (for directors) a surname. A
    story's names stay words of the story unless they direct: the index holds every director
    but only the first three of a cast, and a name in a plot may be a character's."""
    tokens = reading.tokens
    for size in (3, 2):
        for start in range(len(tokens) - size + 1):
            end = start + size
            if not reading.free(start, end) or not _may_name(reading, start, end):
                continue
            role = _role_before(reading, start)
            if reading.story and role != "director":
                continue  # a name in a plot may be a character, or cast the index does not hold
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


def _may_name(reading: Reading, start: int, end: int) -> bool:
    """Whether tokens[start:end] are worth looking up as a name: no filler or vocabulary,
    and written with capitals, after "starring" or "directed by", or in a short request
    (a long description's word pairs are rarely names, and each lookup costs time)."""
    names = reading.tokens[start:end]
    if any(t in words.FILLER or _is_vocabulary(t) for t in names):
        return False
    if reading.content_count <= 6 or _role_before(reading, start) != "any":
        return True
    return all(t in reading.capitalized for t in names)


def _take_person(reading: Reading, person: Person, start: int, end: int) -> None:
    lead = _lead_start(reading, start)
    possessive = end < len(reading.tokens) and reading.tokens[end] == "s"
    reading.add("people", [person])
    reading.take(lead, end + possessive, f"{person.role} {person.name}")


def _role_before(reading: Reading, start: int) -> str:
    for phrase in TABLES["people"]:
        begin = start - len(phrase)
        if begin >= 0 and tuple(reading.tokens[begin:start]) == phrase:
            return words.PEOPLE_LEADS[" ".join(phrase)]
    return "any"


def _lead_start(reading: Reading, start: int) -> int:
    for phrase in TABLES["people"]:
        begin = start - len(phrase)
        if (
            begin >= 0
            and tuple(reading.tokens[begin:start]) == phrase
            and reading.free(begin, start)
        ):
            return begin
    return start


def _surname_context(reading: Reading, index: int) -> bool:
    """A lone surname names a director only beside "by", "'s", a film noun or genre word."""
    tokens = reading.tokens
    before = tokens[index - 1] if index else ""
    after = tokens[index + 1] if index + 1 < len(tokens) else ""
    return (
        before in ("by", "director")
        or (after == "s" and not reading.story)  # in a plot "Dante's" is a character's
        or after in words.FILM_NOUNS
        or after in kinds.GENRES
        or reading.content_count <= 2
    )


def _is_vocabulary(token: str) -> bool:
    return any(
        token in table
        for table in (kinds.GENRES, kinds.MOODS, words.LANGUAGES, words.RECEPTION, words.ERAS)
    )
