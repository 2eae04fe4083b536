"""The words query understanding knows, as data: every phrase is written folded (lower case,
no accents, punctuation as spaces), as `documents.fold` leaves a query.

Kept apart from the parser (search/understand.py) so adding a synonym is a one-line change
and the tables read like a glossary. These are the words of facts (languages, eras,
reception) and of a request's grammar (negations, references, people); genre and mood words
are in search/genre_words.py.
"""

from __future__ import annotations

# Nouns that follow a condition word when it describes the film itself ("a french film",
# "an 80s action movie"); "a short man" or "an old house" is a story, not a condition.
FILM_NOUNS = (
    "movie movies film films flick flicks picture pictures cinema one ones feature features "
    "story stories title titles pick picks release releases classic classics"
).split()

# Words that carry no meaning of their own in a request for something to watch.
FILLER = frozenset(
    (
        "a an the some any something anything movie movies film films flick flicks one ones "
        "to watch watching watched see seen i i m im me my we us our want wanna would like love "
        "looking look for find show give recommend recommendation recommendations suggest please "
        "that which is are was be with of and or it its good great kind sort type of tonight "
        "night evening weekend just really very pretty quite bit little lot lots maybe "
        "perhaps about can could should you your get got need there s from but more also "
        "other similar in on at by to as so too than this these those what who has have "
        "where when how do does did ones totally"
    ).split()
)

# Language and country words -> TMDB `original_language` codes (TMDB writes Cantonese as cn).
LANGUAGES: dict[str, tuple[str, ...]] = {
    "french": ("fr",),
    "france": ("fr",),
    "spanish": ("es",),
    "spain": ("es",),
    "mexican": ("es",),
    "mexico": ("es",),
    "korean": ("ko",),
    "korea": ("ko",),
    "south korean": ("ko",),
    "bollywood": ("hi",),
    "hindi": ("hi",),
    "indian": ("hi", "ta", "te"),
    "india": ("hi", "ta", "te"),
    "tamil": ("ta",),
    "telugu": ("te",),
    "japanese": ("ja",),
    "japan": ("ja",),
    "german": ("de",),
    "germany": ("de",),
    "italian": ("it",),
    "italy": ("it",),
    "chinese": ("zh", "cn"),
    "china": ("zh", "cn"),
    "mandarin": ("zh",),
    "cantonese": ("cn",),
    "hong kong": ("cn", "zh"),
    "russian": ("ru",),
    "russia": ("ru",),
    "swedish": ("sv",),
    "danish": ("da",),
    "norwegian": ("no",),
    "portuguese": ("pt",),
    "brazilian": ("pt",),
    "persian": ("fa",),
    "iranian": ("fa",),
    "farsi": ("fa",),
    "thai": ("th",),
    "hebrew": ("he",),
    "israeli": ("he",),
    "arabic": ("ar",),
    "turkish": ("tr",),
    "polish": ("pl",),
    "dutch": ("nl",),
    "greek": ("el",),
    "indonesian": ("id",),
    "icelandic": ("is",),
    "romanian": ("ro",),
    "english": ("en",),
    "english language": ("en",),
}
# Places among them: "in japanese" names a language, "in japan" where a story is set.
COUNTRIES = frozenset(
    ("france", "spain", "mexico", "korea", "south korea", "japan", "germany", "italy", "china")
    + ("russia", "india", "hong kong")
)
# "a french film" is a language, "the french revolution" a subject.
LANGUAGE_TOPICS = frozenset(
    (
        "war revolution resistance army soldier soldiers mafia mob restaurant food chef cuisine "
        "kiss connection job girl boy man woman men women president king queen emperor "
        "invasion occupation border embassy immigrant immigrants spy spies student students "
        "family village town city teacher officer police prison camp ship navy legion "
        "exchange quarter riviera foreign lieutenant courtesan"
    ).split()
)

# Spelled-out decades.
DECADE_WORDS = {
    "twenties": 1920,
    "thirties": 1930,
    "forties": 1940,
    "fifties": 1950,
    "sixties": 1960,
    "seventies": 1970,
    "eighties": 1980,
    "nineties": 1990,
    "noughties": 2000,
    "two thousands": 2000,
}

# Fixed eras: phrase -> (first year, last year); None is open.
ERAS: dict[str, tuple[int | None, int | None]] = {
    "golden age": (1930, 1959),
    "golden age of hollywood": (1930, 1959),
    "silent": (None, 1929),
    "silent era": (None, 1929),
    "vintage": (None, 1969),
    "old": (None, 1969),
    "older": (None, 1989),
    "oldie": (None, 1969),
    "oldies": (None, 1969),
    "old school": (None, 1989),
    "classic": (None, 1979),
    "classics": (None, 1979),
}
# Eras counted back from the newest year in the index: phrase -> years back.
RECENT = {
    "recent": 5,
    "recently released": 5,
    "recent years": 5,
    "last few years": 5,
    "past few years": 5,
    "last couple of years": 3,
    "past couple of years": 3,
    "last couple years": 3,
    "last decade": 10,
    "past decade": 10,
    "last ten years": 10,
    "last 10 years": 10,
    "last five years": 5,
    "last 5 years": 5,
    "new": 3,
    "newer": 8,
    "newest": 2,
    "latest": 2,
    "brand new": 2,
    "modern": 15,
    "contemporary": 15,
}

# Words that are also everyday words: they count only when a film noun or a genre word
# follows within a few words ("a family film", "an old western", "popular movies") or the
# request is short; "an old man", "the most popular girl in school" are stories.
AMBIGUOUS = frozenset(
    (
        "family kid kids war music history crime old older classic new newer modern "
        "contemporary silent vintage light fun easy comfort sweet happy popular famous best "
        "greatest excellent emotional weird short long"
    ).split()
)

# Reception words -> (lowest rating, lowest votes, highest votes).
ACCLAIMED = (7.5, 500, None)
GOOD = (6.8, 200, None)
HIDDEN = (7.0, 50, 1000)
OBSCURE = (6.0, 20, 500)
POPULAR = (None, 2000, None)
RECEPTION: dict[str, tuple[float | None, int | None, int | None]] = {
    **dict.fromkeys(
        (
            "highly rated",
            "high rated",
            "top rated",
            "best rated",
            "well rated",
            "critically acclaimed",
            "acclaimed",
            "masterpiece",
            "masterpieces",
            "award winning",
            "oscar winning",
            "oscar winner",
            "greatest",
            "best",
            "excellent",
            "must see",
            "highest rated",
        ),
        ACCLAIMED,
    ),
    **dict.fromkeys(
        ("well reviewed", "great reviews", "good reviews", "really good", "well made", "solid"),
        GOOD,
    ),
    **dict.fromkeys(("little known", "lesser known", "obscure", "nobody has seen"), OBSCURE),
    **dict.fromkeys(
        (
            "underrated",
            "hidden gem",
            "hidden gems",
            "overlooked",
            "under the radar",
            "underappreciated",
            "not well known",
            "few people have seen",
        ),
        HIDDEN,
    ),
    **dict.fromkeys(
        (
            "popular",
            "blockbuster",
            "blockbusters",
            "famous",
            "well known",
            "mainstream",
            "big budget",
            "crowd pleaser",
            "crowd pleasing",
            "everyone has seen",
            "box office hit",
        ),
        POPULAR,
    ),
}

# Negated words with their own meaning.
NOT_SEQUEL = frozenset({"sequel", "sequels", "part 2", "a sequel", "franchise", "franchises"})
NOT_FOREIGN = frozenset({"subtitles", "subtitled", "foreign", "foreign language", "reading"})
NEGATIONS = (
    "not",
    "no",
    "without",
    "non",
    "nothing",
    "never",
    "isn t",
    "isnt",
    "aren t",
    "arent",
    "avoid",
    "skip",
    "minus",
    "free of",
    "free from",
    "don t want",
    "dont want",
    "nothing with",
    "but no",
    "not too",
    "none of",
    "hold the",
    "zero",
    "less",
)
# Film nouns and genre words may follow a negated word ("not a horror movie").
NEGATION_FILLERS = (
    "a",
    "an",
    "the",
    "any",
    "too",
    "very",
    "so",
    "overly",
    "much",
    "of",
    "too much",
)

# Words that introduce the film a request is measured against.
REFERENCE_LEADS = (
    "like",
    "similar to",
    "in the vein of",
    "in the style of",
    "along the lines of",
    "reminiscent of",
    "same vibe as",
    "the vibe of",
    "comparable to",
    "if i liked",
    "if i loved",
    "if i enjoyed",
    "if you liked",
    "fans of",
    "for fans of",
    "version of",
    "take on",
    "twist on",
)
# Words after a film's name that make it the reference ("Se7en style", "Alien vibes").
REFERENCE_TAILS = frozenset({"style", "esque", "vibes", "vibe", "type", "inspired"})
# Where the named film ends and the modifier begins.
REFERENCE_ENDS = frozenset(
    "but only except with without and that which for from in set only just more less "
    "minus plus or".split()
)
# Leading words asking for a person's films.
PEOPLE_LEADS = {
    "directed by": "director",
    "director": "director",
    "by director": "director",
    "from director": "director",
    "by": "director",
    "starring": "cast",
    "with": "cast",
    "featuring": "cast",
    "feat": "cast",
    "stars": "cast",
    "actor": "cast",
    "actress": "cast",
}
