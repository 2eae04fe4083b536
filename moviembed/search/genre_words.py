"""What a film is like, as words: genre words and their everyday synonyms, mood words and
what they lean toward, and what a negated word rules out. Written folded, as
`documents.fold` leaves a query, like the condition words in search/vocabulary.py.
"""

from __future__ import annotations

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
