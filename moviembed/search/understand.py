"""Query understanding: what a request for something to watch asks for, read without an LLM.

`understand` turns "a short french comedy from the 90s, not a sequel" into conditions
(language fr, runtime up to 90, genre Comedy, years 1990-1999, no sequels) plus the words
left to match on meaning. It is pure and deterministic: the index is consulted only
through a `Catalog` (titles, people, the newest year), so tests can hand it a dictionary.

Conditions that name a fact of the film (language, years, runtime, reception, people,
negated genres) filter; genres and moods lean, because "funny" or "dark" describe a film
more loosely than TMDB's genre list does. A request that reads like a title ("The Italian
Job", "127 Hours") is left as it is, so looking a film up by its title still works. One that
tells a story (`Reading.story`) keeps only what it states about the film: impressions ("old",
"famous", "a long film"), cast names and loose references are words of its plot.
"""

from __future__ import annotations

from dataclasses import replace

from moviembed.documents import fold
from moviembed.search import genre_words as kinds
from moviembed.search import vocabulary as words
from moviembed.search.people import people
from moviembed.search.reading import (
    ERA_PATTERNS,
    LENGTH_PATTERNS,
    SETTING,
    TABLES,
    Reading,
    era_span,
    matches,
    minutes,
    regex_matches,
    starts_film_words,
    words_in,
)
from moviembed.search.understanding import Catalog, Reference, Understanding, span

# What "not"/"no"/"without" may rule out, in the order they are tried.
_NEGATABLE = TABLES["negatable"] + TABLES["languages"]


def understand(text: str, catalog: Catalog) -> Understanding:
    """What `text` asks for: conditions, leanings and the words left to match."""
    tokens = fold(text).split()
    if catalog.reads_as_title(tokens):
        return Understanding.literal(text, title_lookup=True)
    reading = Reading(text, tokens, catalog)
    for step in _STEPS:
        step(reading)
    return _understanding(reading)


def _lengths(reading: Reading) -> None:
    for pattern, kind in LENGTH_PATTERNS:
        for start, end, match in regex_matches(reading, pattern):
            if kind == "not long":
                low, high = None, 120
            else:
                length = minutes(match)
                if length is None:
                    continue
                low, high = {
                    "below": (None, length - 1),
                    "max": (None, length),
                    "above": (length + 1, None),
                    "min": (length, None),
                    "about": (length - 10, length + 10),
                    "bare": (length - 10, length + 20),  # "a 3 hour movie"
                }[kind]
            reading.found.update(runtime=(low, high))
            reading.take(start, end, f"runtime {span(low, high)} min")
    for start, end, phrase in words_in(reading, ("short", "shorter", "quick", "long", "lengthy")):
        if reading.story or not reading.film_context(start, end):
            continue  # "a short man"; in a story, "a long film" is an impression
        bounds = (None, 90) if phrase in ("short", "shorter", "quick") else (150, None)
        reading.found.setdefault("runtime", bounds)
        reading.take(start, end, f"runtime {span(*bounds)} min")


_BOUNDED = ("between", "before", "after", "since")  # "before 1960" says what it wants


def _era_in_context(reading: Reading, kind: str, start: int, end: int) -> bool:
    """A decade or year describes the film beside a film word; alone in a description it
    is the story's time ("a guard in the 1930s"). A bare year only right before a film
    word ("a 1994 drama"), never after one ("a zombie film in 1979")."""
    if kind == "year":
        return reading.content_count <= 2 or (
            end < len(reading.tokens) and reading.next_is_film(end)
        )
    return reading.film_context(start, end)


def _era_stated(reading: Reading, kind: str, start: int, end: int, phrase: str) -> bool:
    """Whether an era the request writes is the film's: "released in 1994", or beside a film
    word. "from the 90s" and "before 1960" say so in a request; in a story ("from 1927 to
    1947 he builds planes") only after a film or genre word ("a musical from the 1930s")."""
    if phrase.startswith(("released", "made", "came out")):
        return True
    if reading.story:
        after_film = start > 0 and starts_film_words(reading.tokens[start - 1])
        if phrase.startswith("from") and after_film:
            return True
    elif phrase.startswith("from") or kind in _BOUNDED:
        return True
    return _era_in_context(reading, kind, start, end)


def _eras(reading: Reading) -> None:
    for pattern, kind in ERA_PATTERNS:
        for start, end, match in regex_matches(reading, pattern):
            before = " ".join(reading.tokens[max(start - 3, 0) : start])
            if SETTING.search(before) or match.group(0).startswith("during"):
                continue  # "set in the 1960s" is the story's time
            if not _era_stated(reading, kind, start, end, match.group(0)):
                continue
            years = era_span(kind, match.groups())
            if years is None:
                continue
            reading.found.setdefault("years", years)
            reading.take(start, end, f"years {span(*years)}")
    if not reading.story:  # "old", "silent", "recent" in a plot are impressions, or the plot
        _relative_eras(reading)


def _relative_eras(reading: Reading) -> None:
    """Eras named by a word rather than a number: "classic", "old", "recent", "modern"."""
    newest = None
    for start, end, phrase in matches(reading, "eras"):
        if phrase in words.AMBIGUOUS and not reading.next_is_film(end):
            continue  # "an old western", "something old"; not "the old west", "an old man"
        bounds = words.ERAS[phrase]
        reading.found.setdefault("years", bounds)
        keep = phrase.startswith("classic")
        reading.take(start, end, f"years {span(*bounds)}", keep=keep)
    for start, end, phrase in matches(reading, "recent"):
        if phrase in words.AMBIGUOUS and not (
            end < len(reading.tokens) and reading.next_is_film(end)
        ):
            continue  # "new releases", "a new sci-fi"; not "new york", "a new life"
        newest = newest or reading.catalog.newest_year()
        if newest is None:
            continue
        bounds = (newest - words.RECENT[phrase], newest)
        reading.found.setdefault("years", bounds)
        reading.take(start, end, f"years {span(*bounds)}")


def _negations(reading: Reading) -> None:
    if reading.story:  # "an orphan with no family", "a world without war": the plot's
        return
    for start, end, _ in matches(reading, "negations"):
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


def _skip_fillers(reading: Reading, position: int) -> int:
    while position < len(reading.tokens) and reading.tokens[position] in words.NEGATION_FILLERS:
        position += 1
    return position


def _skip_film_noun(reading: Reading, position: int) -> int:
    if position < len(reading.tokens) and reading.tokens[position] in words.FILM_NOUNS:
        return position + 1
    return position


def _negatable_at(reading: Reading, position: int) -> tuple[int, str] | None:
    for phrase in _NEGATABLE:
        end = position + len(phrase)
        if tuple(reading.tokens[position:end]) == phrase and reading.free(position, end):
            return end, " ".join(phrase)
    return None


def _negate(reading: Reading, phrase: str) -> None:
    if phrase in words.NOT_SEQUEL:
        reading.found["not_sequel"] = True
    elif phrase in words.NOT_FOREIGN:
        reading.found.setdefault("languages", ["en"])
    elif phrase in words.LANGUAGES:  # "non english", "not in french"
        reading.add("not_languages", words.LANGUAGES[phrase])
    else:
        genres, keywords = kinds.NEGATABLE[phrase]
        reading.add("exclude_genres", genres)
        reading.add("exclude_keywords", keywords)


def _references(reading: Reading) -> None:
    for start, end, lead in matches(reading, "references"):
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


def _tail_references(reading: Reading) -> None:
    """A film named before "style" or "vibes": "Se7en style detective movies"."""
    for index, token in enumerate(reading.tokens):
        if token not in words.REFERENCE_TAILS or not reading.free(index, index + 1):
            continue
        for start in range(max(index - 6, 0), index):
            if not reading.free(start, index):
                continue
            found = _title_at(reading, start, index, strict=True)
            if found:
                reading.found["reference"] = found
                reading.take(start, index + 1, f"like {found.title}")
                return


def _title_at(reading: Reading, start: int, stop: int, strict: bool) -> Reference | None:
    """The stored film titled by tokens[start:stop] (an article optional); after a plain
    "like" (`strict`), one-word titles only when written as titled: "like Heat", not "like
    heat". A story names a film only as titled ("a real boy like Pinocchio"), never a series:
    "like a man", "a version of her" are its plot."""
    key = " ".join(reading.tokens[start:stop])
    as_titled = reading.story or (strict and stop - start == 1)
    for candidate in dict.fromkeys((key, f"the {key}", key.removeprefix("the "))):
        found = reading.catalog.titles(candidate)
        if not found:
            continue
        best = found[0]
        if as_titled and best.title not in reading.text:
            return None
        return best
    films = reading.catalog.series(key) if stop - start > 1 and not reading.story else []
    if films:  # "like Harry Potter": the films whose titles start so, the first to steer
        ids = tuple(film.id for film in films)
        return replace(films[0], title=f"{films[0].title} and {len(ids) - 1} more", ids=ids)
    return None


def _reception(reading: Reading) -> None:
    if reading.story:  # "a famous car chase", "an award-winning reporter": the plot's words
        return
    for start, end, phrase in matches(reading, "reception"):
        if phrase in words.AMBIGUOUS and not reading.film_context(start, end):
            continue
        rating, low, high = words.RECEPTION[phrase]
        reading.found.setdefault("reception", (rating, low, high))
        reading.take(start, end, phrase)


def _languages(reading: Reading) -> None:
    for start, end, phrase in matches(reading, "languages"):
        after = reading.tokens[end] if end < len(reading.tokens) else ""
        before = reading.tokens[start - 1] if start else ""
        lead = before in ("in", "spoken") and phrase not in words.COUNTRIES
        then = reading.tokens[end + 1] if end + 1 < len(reading.tokens) else ""
        topic = after in words.LANGUAGE_TOPICS and then not in words.FILM_NOUNS
        if not lead and (topic or before == "about"):
            continue
        if not lead and after != "language" and not reading.film_context(start, end, reach=3):
            continue
        reading.found.setdefault("languages", list(words.LANGUAGES[phrase]))
        stop = end + (after == "language")
        reading.take(start - lead, stop, f"language {phrase}")
    for start, end, _ in words_in(reading, ("foreign", "international", "subtitled")):
        if not reading.film_context(start, end):
            continue  # "an international spy team", "a foreign exchange student"
        reading.found.setdefault("not_languages", ["en"])
        reading.take(start, end, "not in English")


def _genres(reading: Reading) -> None:
    for start, end, phrase in matches(reading, "genres"):
        if phrase in words.AMBIGUOUS and not reading.film_context(start, end):
            continue
        reading.add("genres", kinds.GENRES[phrase])
        if phrase == "anime":
            reading.found.setdefault("languages", ["ja"])
        reading.take(start, end, "genres " + ", ".join(kinds.GENRES[phrase]), keep=True)


def _moods(reading: Reading) -> None:
    for start, end, phrase in matches(reading, "moods"):
        if phrase in words.AMBIGUOUS and not reading.film_context(start, end):
            continue
        mood = kinds.MOODS[phrase]
        reading.add("moods", [mood.label])
        reading.add("lean_genres", mood.genres)
        reading.add("avoid_genres", mood.avoid)
        reading.add("lean_keywords", mood.keywords)
        reading.take(start, end, f"mood {mood.label}", keep=True)


_STEPS = (_lengths, _eras, _negations, _references, _tail_references, people, _reception)
_STEPS += (_languages,)
_STEPS += (_genres, _moods)


# Words left over that make a request a description of one film ("love stories in london
# before christmas"), whose genre and mood words then count as keywords too.
DESCRIPTION_WORDS = 3


def _filler(token: str) -> bool:
    return token in words.FILLER or token in words.FILM_NOUNS


def _understanding(reading: Reading) -> Understanding:
    found = reading.found
    tokens = reading.tokens
    taken = list(zip(tokens, reading.used, reading.kept, strict=True))
    written = [t for t, used, kept in taken if kept or not used]  # less the stated conditions
    meaning = [t for t in written if not _filler(t)]
    rest = [t for t, used, _ in taken if not used and not _filler(t)]
    description = len(rest) >= DESCRIPTION_WORDS
    if description:  # one film described: embedded as written, its genre words are keywords
        meaning, rest = written, meaning
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
        exclude_genres=tuple(g for g in found.get("exclude_genres", ()) if g not in genres),
        exclude_keywords=tuple(found.get("exclude_keywords", ())),
        not_sequel=bool(found.get("not_sequel")),
        min_rating=rating,
        min_votes=low,
        max_votes=high,
        people=tuple(found.get("people", ())),
        reference=found.get("reference"),
        moods=tuple(found.get("moods", ())),
        phrases=tuple(reading.phrases),
        description=description,
        story=reading.story,
    )
