"""The words query understanding knows, as data: every phrase is written folded (lower case,
no accents, punctuation as spaces), as `documents.fold` leaves a query.

Kept apart from the parser (search/understand.py) so adding a synonym is a one-line change
and the tables read like a glossary.
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

# Genre words and everyday synonyms -> the TMDB genres they ask for (all of them).
GENRES: dict[str, tuple[str, ...]] = {
    "romantic comedy": ("Comedy", "Romance"),
    "romantic comedies": ("Comedy", "Romance"),
    "rom com": ("Comedy", "Romance"),
    "rom coms": ("Comedy", "Romance"),
    "romcom": ("Comedy", "Romance"),
    "romcoms": ("Comedy", "Romance"),
    "science fiction": ("Science Fiction",),
    "sci fi": ("Science Fiction",),
    "scifi": ("Science Fiction",),
    "animated": ("Animation",),
    "animation": ("Animation",),
    "cartoon": ("Animation",),
    "cartoons": ("Animation",),
    "anime": ("Animation",),
    "for kids": ("Family",),
    "for children": ("Family",),
    "for the kids": ("Family",),
    "for the family": ("Family",),
    "for the whole family": ("Family",),
    "with my kids": ("Family",),
    "with the kids": ("Family",),
    "with my children": ("Family",),
    "kids": ("Family",),
    "kid": ("Family",),
    "kid friendly": ("Family",),
    "family friendly": ("Family",),
    "children s": ("Family",),
    "childrens": ("Family",),
    "family": ("Family",),
    "scary": ("Horror",),
    "scarier": ("Horror",),
    "horror": ("Horror",),
    "frightening": ("Horror",),
    "spooky": ("Horror",),
    "terrifying": ("Horror",),
    "creepy": ("Horror",),
    "funny": ("Comedy",),
    "funnier": ("Comedy",),
    "comedy": ("Comedy",),
    "comedies": ("Comedy",),
    "comedic": ("Comedy",),
    "hilarious": ("Comedy",),
    "humorous": ("Comedy",),
    "documentary": ("Documentary",),
    "documentaries": ("Documentary",),
    "docu": ("Documentary",),
    "musical": ("Music",),
    "musicals": ("Music",),
    "music": ("Music",),
    "western": ("Western",),
    "westerns": ("Western",),
    "cowboy": ("Western",),
    "cowboys": ("Western",),
    "war": ("War",),
    "crime": ("Crime",),
    "gangster": ("Crime",),
    "gangsters": ("Crime",),
    "thriller": ("Thriller",),
    "thrillers": ("Thriller",),
    "suspense": ("Thriller",),
    "suspenseful": ("Thriller",),
    "mystery": ("Mystery",),
    "mysteries": ("Mystery",),
    "whodunit": ("Mystery",),
    "whodunnit": ("Mystery",),
    "fantasy": ("Fantasy",),
    "action": ("Action",),
    "action packed": ("Action",),
    "adventure": ("Adventure",),
    "adventures": ("Adventure",),
    "drama": ("Drama",),
    "dramas": ("Drama",),
    "romance": ("Romance",),
    "romantic": ("Romance",),
    "more romantic": ("Romance",),
    "love story": ("Romance",),
    "love stories": ("Romance",),
    "historical": ("History",),
    "history": ("History",),
    "period piece": ("History",),
    "period drama": ("History", "Drama"),
    "biopic": ("Drama",),
    "tv movie": ("TV Movie",),
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


class Mood:
    """What a mood word leans toward: any of `genres`, none of `avoid`, any of `keywords`."""

    def __init__(
        self, genres: str, avoid: str = "", keywords: tuple[str, ...] = (), label: str = ""
    ) -> None:
        self.genres = tuple(g for g in genres.split(",") if g)
        self.avoid = tuple(g for g in avoid.split(",") if g)
        self.keywords = keywords
        self.label = label


LIGHT = Mood(
    "Comedy,Family,Romance,Animation,Music", "Horror,War,Crime,Thriller", label="light-hearted"
)
DARK = Mood(
    "Crime,Thriller,Horror,Drama,War,Mystery",
    "Comedy,Family,Animation,Music",
    ("violence", "murder", "revenge", "dystopia", "serial killer", "corruption", "drug"),
    label="dark",
)
SAD = Mood("Drama", "Comedy,Horror,Action,Thriller,Animation", ("death", "illness"), "moving")
MIND_BENDING = Mood(
    "Science Fiction,Mystery,Thriller",
    "Family,Animation",
    (
        "twist ending",
        "dream",
        "time travel",
        "psychological",
        "alternate reality",
        "parallel world",
        "memory",
        "virtual reality",
        "surreal",
        "paranoia",
        "amnesia",
        "identity",
        "mindfuck",
        "hallucination",
        "delusion",
        "unreliable narrator",
    ),
    "mind-bending",
)
TENSE = Mood("Thriller,Action,Crime", "Family,Animation,Comedy", (), "tense")
EPIC = Mood("Adventure,History,War,Fantasy", "Comedy,Family", ("epic",), "epic")
INSPIRING = Mood(
    "Drama", "Horror", ("based on true story", "sport", "biography", "underdog"), "inspiring"
)
QUIRKY = Mood("Comedy,Drama", "Horror,Action", ("independent film",), "quirky")

MOODS: dict[str, Mood] = {
    **dict.fromkeys(
        (
            "feelgood uplifting heartwarming wholesome cozy cosy comforting comfort light "
            "lighter lighthearted happy cheerful sweet charming fun relaxing chill upbeat "
            "happier joyful"
        ).split(),
        LIGHT,
    ),
    "feel good": LIGHT,
    "heart warming": LIGHT,
    "light hearted": LIGHT,
    "easy going": LIGHT,
    **dict.fromkeys(
        (
            "dark darker gritty grittier bleak grim disturbing brutal noir violent twisted "
            "sinister depressing bleaker"
        ).split(),
        DARK,
    ),
    **dict.fromkeys("sad sadder emotional weepy weepie heartbreaking tearjerker".split(), SAD),
    "tear jerker": SAD,
    "make me cry": SAD,
    **dict.fromkeys(
        "mindbending twisty trippy cerebral psychological surreal puzzling".split(),
        MIND_BENDING,
    ),
    "mind bending": MIND_BENDING,
    "mind blowing": MIND_BENDING,
    "thought provoking": MIND_BENDING,
    "head scratcher": MIND_BENDING,
    "plot twist": MIND_BENDING,
    "plot twists": MIND_BENDING,
    **dict.fromkeys("intense tense gripping thrilling".split(), TENSE),
    "edge of my seat": TENSE,
    "edge of your seat": TENSE,
    "nail biting": TENSE,
    **dict.fromkeys("epic sweeping".split(), EPIC),
    **dict.fromkeys("inspiring inspirational motivational".split(), INSPIRING),
    **dict.fromkeys("quirky offbeat weird indie".split(), QUIRKY),
}

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

# What a negated word rules out: genres (excluded outright) and TMDB keywords (ranked last).
VIOLENCE = ("violence", "gore", "blood", "murder", "shootout", "brutality", "torture", "massacre")
GORE = (
    "gore",
    "blood",
    "splatter",
    "torture",
    "slasher",
    "dismemberment",
    "cannibal",
    "brutality",
    "extreme violence",
    "decapitation",
    "mutilation",
    "body horror",
    "massacre",
)
VIOLENT_GENRES = ("Action", "War", "Crime", "Horror", "Thriller")
NEGATABLE: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    **dict.fromkeys(("violence", "violent", "killing"), (VIOLENT_GENRES, VIOLENCE)),
    **dict.fromkeys(
        ("guns", "gun", "shootouts", "shootout", "gunfights", "gunfight", "shooting"),
        (("Action",), ("shootout", "gunfight", "shooting", "gun", "hitman")),
    ),
    **dict.fromkeys(("remake", "remakes", "reboot", "reboots"), ((), ("remake",))),
    **dict.fromkeys(
        ("parody", "parodies", "spoof", "spoofs", "satire"), ((), ("parody", "spoof", "satire"))
    ),
    **dict.fromkeys(("marvel",), ((), ("marvel comic", "marvel cinematic universe"))),
    **dict.fromkeys(("dc",), ((), ("dc comics", "dc extended universe"))),
    **dict.fromkeys(
        ("raunchy", "sexual", "dirty jokes", "crude"),
        ((), ("sex", "nudity", "virgin", "sex comedy")),
    ),
    **dict.fromkeys(("gore", "gory", "blood", "bloody", "gorey", "splatter"), ((), GORE)),
    **dict.fromkeys(
        ("romance", "romantic", "love story", "love stories", "romcom", "rom com", "kissing"),
        (("Romance",), ("love", "romance")),
    ),
    **dict.fromkeys(
        ("animated", "animation", "cartoon", "cartoons", "anime"), (("Animation",), ())
    ),
    **dict.fromkeys(
        ("kids", "for kids", "kid", "kiddie", "childish", "children s", "family"),
        (("Family", "Animation"), ()),
    ),
    **dict.fromkeys(("horror", "scary", "too scary", "frightening"), (("Horror",), ())),
    **dict.fromkeys(("musical", "musicals", "singing", "music"), (("Music",), ("musical",))),
    **dict.fromkeys(("comedy", "funny", "comedies"), (("Comedy",), ())),
    **dict.fromkeys(("war",), (("War",), ("war",))),
    **dict.fromkeys(("superhero", "superheroes", "super hero"), ((), ("superhero",))),
    **dict.fromkeys(("documentary", "documentaries"), (("Documentary",), ())),
    **dict.fromkeys(("sci fi", "science fiction", "scifi"), (("Science Fiction",), ())),
    **dict.fromkeys(("action",), (("Action",), ())),
    **dict.fromkeys(("drama", "dramas"), (("Drama",), ())),
    **dict.fromkeys(("western", "westerns"), (("Western",), ())),
    **dict.fromkeys(("sex", "nudity", "sex scenes"), ((), ("nudity", "sex"))),
    **dict.fromkeys(("drugs",), ((), ("drug", "drug addiction", "drug dealer"))),
    **dict.fromkeys(("zombies", "zombie"), ((), ("zombie",))),
    **dict.fromkeys(("aliens", "alien"), ((), ("alien",))),
    **dict.fromkeys(("vampires", "vampire"), ((), ("vampire",))),
    **dict.fromkeys(("dark", "too dark", "depressing", "sad", "bleak"), (("Horror", "War"), ())),
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
