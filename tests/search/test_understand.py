"""Query understanding (search/understand.py) as a table: phrasing -> what must be understood.

The catalog is a dictionary standing in for the index (titles, people, newest year), so the
parser is tested alone; tests/search/test_understood_search.py runs it against real indexes.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

import pytest

from moviembed.documents import fold
from moviembed.search.understand import understand
from moviembed.search.understanding import Person, Reference, Understanding

TITLES = {
    "inception": Reference("27205", "Inception", 2010),
    "pulp fiction": Reference("680", "Pulp Fiction", 1994),
    "home alone": Reference("771", "Home Alone", 1990),
    "the matrix": Reference("603", "The Matrix", 1999),
    "heat": Reference("949", "Heat", 1995),
    "toy story": Reference("862", "Toy Story", 1995),
    "alien": Reference("348", "Alien", 1979),
    "the dark knight": Reference("155", "The Dark Knight", 2008),
    "die hard": Reference("562", "Die Hard", 1988),
    "amelie": Reference("194", "Amélie", 2001),
    "harry potter and the chamber of secrets": Reference("672", "Harry Potter and the C...", 2002),
    "harry potter and the goblet of fire": Reference("674", "Harry Potter and the G...", 2005),
    "se7en": Reference("807", "Se7en", 1995),
}
# Titles made of words query understanding knows (a number, a language, a genre, "old");
# tests/search/test_ranking.py finds each first in TMDB 5000.
TITLES_LIKE_REQUESTS = (
    "The Italian Job",
    "Around the World in 80 Days",
    "127 Hours",
    "Funny Games",
    "Without a Paddle",
    "Old School",
    "The Big Short",
    "The Best Years of Our Lives",
)
OTHER_TITLES = (
    *TITLES_LIKE_REQUESTS,
    "Scary Movie",
    "Old Boy",
    "The French Connection",
    "Up",
)
PEOPLE = {
    "meryl streep": ("cast", {"1", "2"}),
    "tom hanks": ("cast", {"3", "4"}),
    "meg ryan": ("cast", {"4", "5"}),
    "christopher nolan": ("director", {"6", "7"}),
    "steven spielberg": ("director", {"8"}),
    "clint eastwood": ("both", {"9"}),
    "quentin tarantino": ("director", {"10"}),
}
SURNAMES = {
    "nolan": "christopher nolan",
    "spielberg": "steven spielberg",
    "tarantino": "quentin tarantino",
}


class DictCatalog:
    """The `Catalog` protocol over a few dictionaries."""

    def newest_year(self) -> int | None:
        return 2016

    def titles(self, key: str) -> list[Reference]:
        return [TITLES[key]] if key in TITLES else []

    def series(self, key: str) -> list[Reference]:
        return [ref for name, ref in TITLES.items() if name.startswith(key + " ")]

    def reads_as_title(self, tokens: Sequence[str]) -> bool:
        wanted = [token for token in tokens if token != "the"]
        for title in [ref.title for ref in TITLES.values()] + list(OTHER_TITLES):
            have = [word for word in fold(title).split() if word != "the"]
            if set(wanted) <= set(have) and len(have) <= len(wanted) + 1:
                if len(wanted) > 1 or len(have) == 1 or tokens[0] == "the":
                    return True
        return False

    def person(self, name_key: str, role: str) -> Person | None:
        if name_key not in PEOPLE:
            return None
        kind, ids = PEOPLE[name_key]
        if role != "any" and kind not in (role, "both"):
            return None
        return Person(name_key.title(), role, frozenset(ids))

    def director_surname(self, word: str) -> Person | None:
        full = SURNAMES.get(word)
        return Person(full.title(), "director", frozenset(PEOPLE[full][1])) if full else None


VIOLENT = ("Action", "War", "Crime", "Horror", "Thriller")


def read(text: str) -> Understanding:
    return understand(text, DictCatalog())


LANGUAGE = [
    ("a french comedy", {"languages": ("fr",), "genres": ("Comedy",)}),
    ("french films", {"languages": ("fr",)}),
    ("something in french", {"languages": ("fr",)}),
    ("a movie in spanish", {"languages": ("es",)}),
    ("spanish horror movies", {"languages": ("es",), "genres": ("Horror",)}),
    ("korean thriller", {"languages": ("ko",), "genres": ("Thriller",)}),
    ("a korean revenge thriller", {"languages": ("ko",), "genres": ("Thriller",)}),
    ("bollywood romance", {"languages": ("hi",), "genres": ("Romance",)}),
    ("a hindi movie", {"languages": ("hi",)}),
    ("japanese films", {"languages": ("ja",)}),
    ("a german war film", {"languages": ("de",)}),
    ("italian cinema", {"languages": ("it",)}),
    ("chinese martial arts movie", {"languages": ("zh", "cn")}),
    ("a mandarin drama", {"languages": ("zh",), "genres": ("Drama",)}),
    ("cantonese action movies", {"languages": ("cn",), "genres": ("Action",)}),
    ("a FRENCH-language film", {"languages": ("fr",)}),
    ("russian movies", {"languages": ("ru",)}),
    ("a danish drama", {"languages": ("da",)}),
    ("swedish crime thriller", {"languages": ("sv",)}),
    ("a foreign film", {"not_languages": ("en",)}),
    ("international movies", {"not_languages": ("en",)}),
    ("english language horror", {"languages": ("en",), "genres": ("Horror",)}),
    ("movies in Japanese", {"languages": ("ja",)}),
    ("portuguese movies", {"languages": ("pt",)}),
    ("a Brazilian crime movie", {"languages": ("pt",), "genres": ("Crime",)}),
]
ERA = [
    ("movies from the 90s", {"year_from": 1990, "year_to": 1999}),
    ("a 1990s thriller", {"year_from": 1990, "year_to": 1999}),
    ("seventies horror", {"year_from": 1970, "year_to": 1979}),
    ("an 80s action movie", {"year_from": 1980, "year_to": 1989, "genres": ("Action",)}),
    ("a comedy from the '80s", {"year_from": 1980, "year_to": 1989}),
    ("movies before 1960", {"year_from": None, "year_to": 1959}),
    ("films made after 2010", {"year_from": 2011, "year_to": None}),
    ("since 2005", {"year_from": 2005}),
    ("movies between 1995 and 1999", {"year_from": 1995, "year_to": 1999}),
    ("a western from 1969", {"year_from": 1969, "year_to": 1969}),
    ("early 2000s teen comedy", {"year_from": 2000, "year_to": 2003}),
    ("late 90s action", {"year_from": 1996, "year_to": 1999}),
    ("an old movie", {"year_to": 1969}),
    ("old westerns", {"year_to": 1969, "genres": ("Western",)}),
    ("a classic film noir", {"year_to": 1979}),
    ("classic musicals", {"year_to": 1979, "genres": ("Music",)}),
    ("a recent thriller", {"year_from": 2011, "year_to": 2016}),
    ("recent movies", {"year_from": 2011}),
    ("the latest animated films", {"year_from": 2014}),
    ("pre-1970 sci-fi", {"year_to": 1969, "genres": ("Science Fiction",)}),
    ("a nineties rom-com", {"year_from": 1990, "year_to": 1999, "genres": ("Comedy", "Romance")}),
    ("sixties spy movies", {"year_from": 1960, "year_to": 1969}),
    ("a 2000s horror", {"year_from": 2000, "year_to": 2009}),
    ("2010s superhero movies", {"year_from": 2010, "year_to": 2019}),
    ("thrillers from the last few years", {"year_from": 2011, "genres": ("Thriller",)}),
    ("new sci-fi films", {"year_from": 2013, "genres": ("Science Fiction",)}),
]
GENRE = [
    ("a romantic comedy", {"genres": ("Comedy", "Romance")}),
    ("rom-com", {"genres": ("Comedy", "Romance")}),
    ("sci-fi", {"genres": ("Science Fiction",)}),
    ("science fiction movies", {"genres": ("Science Fiction",)}),
    ("an animated movie", {"genres": ("Animation",)}),
    ("cartoons", {"genres": ("Animation",)}),
    ("anime", {"genres": ("Animation",), "languages": ("ja",)}),
    ("something for kids", {"genres": ("Family",)}),
    ("a scary movie", {"genres": ("Horror",)}),
    ("something funny", {"genres": ("Comedy",)}),
    ("documentaries", {"genres": ("Documentary",)}),
    ("a musical", {"genres": ("Music",)}),
    ("westerns", {"genres": ("Western",)}),
    ("war movies", {"genres": ("War",)}),
    ("a family film", {"genres": ("Family",)}),
    ("a good mystery", {"genres": ("Mystery",)}),
    ("a fantasy adventure", {"genres": ("Fantasy", "Adventure")}),
    ("crime drama", {"genres": ("Crime", "Drama")}),
    ("a suspenseful movie", {"genres": ("Thriller",)}),
    ("hilarious comedies", {"genres": ("Comedy",)}),
    ("a historical drama", {"genres": ("History", "Drama")}),
    ("cowboy movies", {"genres": ("Western",)}),
    ("a whodunit", {"genres": ("Mystery",)}),
]
MOOD = [
    ("a feel-good movie", {"moods": ("light-hearted",)}),
    ("something uplifting", {"moods": ("light-hearted",)}),
    ("a cozy film for a rainy day", {"moods": ("light-hearted",)}),
    ("a dark thriller", {"moods": ("dark",), "genres": ("Thriller",)}),
    ("gritty crime movies", {"moods": ("dark",), "genres": ("Crime",)}),
    ("a tear-jerker", {"moods": ("moving",)}),
    ("a sad movie that will make me cry", {"moods": ("moving",)}),
    ("mind-bending sci-fi", {"moods": ("mind-bending",), "genres": ("Science Fiction",)}),
    ("a mind bending movie", {"moods": ("mind-bending",)}),
    ("something heartwarming", {"moods": ("light-hearted",)}),
    ("a bleak drama", {"moods": ("dark",)}),
    ("an intense thriller", {"moods": ("tense",)}),
    ("a thought-provoking film", {"moods": ("mind-bending",)}),
    ("an inspiring sports movie", {"moods": ("inspiring",)}),
    ("a quirky comedy", {"moods": ("quirky",)}),
    ("an epic", {"moods": ("epic",)}),
]
LENGTH = [
    ("a short comedy under 90 minutes", {"runtime_to": 89, "genres": ("Comedy",)}),
    ("a long epic over three hours", {"runtime_from": 181}),
    ("movies under 2 hours", {"runtime_to": 119}),
    ("a film less than 100 minutes", {"runtime_to": 99}),
    ("a short movie", {"runtime_to": 90}),
    ("a long movie", {"runtime_from": 150}),
    ("longer than 2.5 hours", {"runtime_from": 151}),
    ("under an hour and a half", {"runtime_to": 89}),
    ("90 minutes or less", {"runtime_to": 90}),
    ("about 2 hours long", {"runtime_from": 110, "runtime_to": 130}),
    ("a war movie that is not too long", {"runtime_to": 120}),
    ("at least 150 minutes", {"runtime_from": 150}),
    ("a quick comedy", {"runtime_to": 90}),
    ("over two hours", {"runtime_from": 121}),
    ("a 3 hour movie", {"runtime_from": 170, "runtime_to": 200}),
    ("up to 100 minutes", {"runtime_to": 100}),
]
RECEPTION = [
    ("highly rated thrillers", {"min_rating": 7.5, "min_votes": 500}),
    ("the best westerns", {"min_rating": 7.5}),
    ("critically acclaimed dramas", {"min_rating": 7.5}),
    ("an underrated comedy", {"max_votes": 1000}),
    ("hidden gem horror movies", {"max_votes": 1000}),
    ("a little-known thriller", {"max_votes": 500}),
    ("popular action movies", {"min_votes": 2000}),
    ("a blockbuster", {"min_votes": 2000}),
    ("top rated animated movies", {"min_rating": 7.5}),
    ("a masterpiece", {"min_rating": 7.5}),
    ("obscure sci-fi", {"max_votes": 500}),
    ("award-winning documentaries", {"min_rating": 7.5}),
    ("well reviewed comedies", {"min_rating": 6.8, "min_votes": 200}),
]
PEOPLE_ROWS = [
    ("a Nolan thriller", {"people": ("Christopher Nolan",)}),
    ("starring Meryl Streep", {"people": ("Meryl Streep",)}),
    ("a Tom Hanks comedy", {"people": ("Tom Hanks",), "genres": ("Comedy",)}),
    ("movies directed by Steven Spielberg", {"people": ("Steven Spielberg",)}),
    ("spielberg movies", {"people": ("Steven Spielberg",)}),
    ("something with tom hanks and meg ryan", {"people": ("Tom Hanks", "Meg Ryan")}),
    ("Tarantino's films", {"people": ("Quentin Tarantino",)}),
    ("a western directed by clint eastwood", {"people": ("Clint Eastwood",)}),
    ("films by nolan", {"people": ("Christopher Nolan",)}),
    ("featuring Meryl Streep", {"people": ("Meryl Streep",)}),
    ("a comedy starring Tom Hanks", {"people": ("Tom Hanks",)}),
    ("quentin tarantino", {"people": ("Quentin Tarantino",)}),
]
NEGATION = [
    ("a scary movie that is not gory", {"genres": ("Horror",), "exclude": "gore"}),
    ("a drama with no violence", {"exclude": "violence", "exclude_genres": VIOLENT}),
    ("a comedy without romance", {"exclude_genres": ("Romance",)}),
    ("not animated", {"exclude_genres": ("Animation",)}),
    ("a superhero movie that is not a sequel", {"not_sequel": True}),
    ("no horror", {"exclude_genres": ("Horror",)}),
    ("a family movie, not a cartoon", {"exclude_genres": ("Animation",)}),
    ("a thriller with no gore or violence", {"exclude": "gore"}),
    ("an action movie without too much violence", {"exclude": "violence"}),
    ("nothing scary", {"exclude_genres": ("Horror",)}),
    ("a movie with no subtitles", {"languages": ("en",)}),
    ("a romance that isn't a musical", {"exclude_genres": ("Music",)}),
    ("sci-fi but not a remake", {"exclude": "remake"}),
    ("no sequels or remakes", {"not_sequel": True, "exclude": "remake"}),
    ("a war film without too much violence", {"genres": ("War",), "exclude": "violence"}),
    ("a crime movie without guns", {"genres": ("Crime",), "exclude": "shootout"}),
    ("a non english horror", {"not_languages": ("en",), "genres": ("Horror",)}),
    ("a comedy but not a parody", {"exclude": "parody"}),
    ("a superhero movie that's not marvel", {"exclude": "marvel comic"}),
    ("a kids movie that is not animated", {"exclude_genres": ("Animation",)}),
    ("a comedy, no zombies", {"exclude": "zombie"}),
]
REFERENCE = [
    ("like Inception but funnier", {"reference": "Inception", "genres": ("Comedy",)}),
    ("more movies like Pulp Fiction", {"reference": "Pulp Fiction"}),
    ("a horror version of Home Alone", {"reference": "Home Alone", "genres": ("Horror",)}),
    ("something like the matrix", {"reference": "The Matrix"}),
    ("movies similar to Toy Story", {"reference": "Toy Story"}),
    ("films like Heat", {"reference": "Heat"}),
    ("like Alien but funnier", {"reference": "Alien", "genres": ("Comedy",)}),
    ("like the dark knight but for kids", {"reference": "The Dark Knight", "genres": ("Family",)}),
    ("in the vein of Die Hard", {"reference": "Die Hard"}),
    ("if i liked amelie", {"reference": "Amélie"}),
    ("like Pulp Fiction but from the 70s", {"reference": "Pulp Fiction", "year_from": 1970}),
    ("similar to inception but darker", {"reference": "Inception", "moods": ("dark",)}),
    ("Se7en style detective movies", {"reference": "Se7en"}),
    ("like Harry Potter but darker", {"reference": "Harry Potter and the C... and 1 more"}),
]
# Stories (six or more words no table knows): what they state about the film still counts.
STORY = [
    (
        "80s movie where a teenager drives a time machine car back to the fifties and has to "
        "get his parents together",
        {"year_from": 1980, "year_to": 1989, "story": True},
    ),
    (
        "japanese animated film where a girl works in a bathhouse for spirits after her "
        "parents turn into pigs",
        {"languages": ("ja",), "genres": ("Animation",), "story": True},
    ),
    (
        "a musical from the 1930s where a farm girl and her dog are carried by a tornado to a "
        "magical land",
        {"year_from": 1930, "year_to": 1939, "story": True},
    ),
    (
        "a thriller directed by Christopher Nolan where a thief steals secrets from inside the "
        "dreams of sleeping businessmen",
        {"people": ("Christopher Nolan",), "story": True},
    ),
    ("a short french comedy about a wedding, from the 90s", {"runtime_to": 90, "story": False}),
    ("movies starring Tom Hanks and Meg Ryan from the 90s", {"people": ("Tom Hanks", "Meg Ryan")}),
]
# Titles, parts of titles, and stories that must NOT be read as conditions.
LEFT_ALONE = [
    *TITLES_LIKE_REQUESTS,
    "the italian job",
    "big short",
    "Scary Movie",
    "Old Boy",
    "The French Connection",
    "Inception",
    "an old man and his dog travel across the country",
    "the most popular girl in school is mean to the new girl",
    "set in the 1960s a young singer rises to fame",
    "a movie about the french revolution",
    "a french chef opens a restaurant in new york",
    "banker wrongly locked up for killing his wife digs his way out of prison",
    "a short man with a long memory",
    "during the 1940s a soldier writes letters home",
    "a family moves into a haunted house",
    "a boy who looks like a dog",
    "a heist in a casino",
    "washed up actor famous for a superhero role stages a play",
    "revenge in the old west",
    "a death row guard in the 1930s meets a gentle giant",
    "kids shooting a zombie film in 1979 catch a train crash on camera",
    "two kids run off together on an island in the sixties",
    "a man in black and white stripes",
    # Impressions, settings and characters in a story, not conditions:
    "old sci-fi horror where the crew of a space freighter is hunted by a creature that bursts "
    "out of a man's chest",
    "musical about hollywood switching from silent films to talkies and a star whose voice is "
    "awful",
    "an award winning film about boston reporters uncovering abuse by priests in the church",
    "a long film about a taxi driver who picks up a hitman and drives him across los angeles",
    "the latest film where a secret agent uncovers the organisation behind all his enemies",
    "from 1927 to 1947 a young tycoon builds planes, directs films and slowly loses his mind",
    "Tom Hanks stranded alone on an island for years after a plane crash, talking to a volleyball",
    "a boy who acts like the dark lord of his school until a new girl arrives from the city",
    "an international spy team is disavowed after the kremlin is bombed",
    "a foreign exchange student falls for her host family's son",
    "a detective in japan hunts a serial killer through the rain",
    "an orphan boy with no family befriends a dragon that can turn invisible in the forest",
]

ROWS = [
    *(pytest.param(q, e, id=f"language:{q}") for q, e in LANGUAGE),
    *(pytest.param(q, e, id=f"era:{q}") for q, e in ERA),
    *(pytest.param(q, e, id=f"genre:{q}") for q, e in GENRE),
    *(pytest.param(q, e, id=f"mood:{q}") for q, e in MOOD),
    *(pytest.param(q, e, id=f"length:{q}") for q, e in LENGTH),
    *(pytest.param(q, e, id=f"reception:{q}") for q, e in RECEPTION),
    *(pytest.param(q, e, id=f"people:{q}") for q, e in PEOPLE_ROWS),
    *(pytest.param(q, e, id=f"negation:{q}") for q, e in NEGATION),
    *(pytest.param(q, e, id=f"reference:{q}") for q, e in REFERENCE),
    *(pytest.param(q, e, id=f"story:{q}") for q, e in STORY),
]


def test_the_table_is_large_enough() -> None:
    assert len(ROWS) + len(LEFT_ALONE) >= 150


@pytest.mark.parametrize(("text", "expected"), ROWS)
def test_understood(text: str, expected: dict[str, Any]) -> None:
    request = read(text)
    for name, value in expected.items():
        if name == "people":
            assert tuple(person.name for person in request.people) == value
        elif name == "reference":
            assert request.reference is not None and request.reference.title == value
        elif name == "exclude":
            assert value in request.exclude_keywords, request.summary()
        elif name == "genres":
            assert set(value) <= set(request.genres), request.summary()
            assert not set(value) & set(request.exclude_genres), request.summary()
        elif name == "moods":
            assert set(value) <= set(request.moods), request.summary()
        else:
            assert getattr(request, name) == value, (name, request.summary())


@pytest.mark.parametrize("text", LEFT_ALONE)
def test_left_alone(text: str) -> None:
    request = read(text)
    hard = (
        request.languages,
        request.not_languages,
        request.year_from,
        request.year_to,
        request.runtime_from,
        request.runtime_to,
        request.min_rating,
        request.min_votes,
        request.max_votes,
        request.people,
        request.reference,
        request.exclude_genres,
    )
    assert not any(hard), request.summary()


@pytest.mark.parametrize("text", LEFT_ALONE[:14])
def test_titles_are_title_lookups(text: str) -> None:
    request = read(text)
    assert request.title_lookup and request.meaning == text and not request.understood


def test_conditions_leave_the_words_to_match() -> None:
    request = read("a short french comedy about a wedding, from the 90s")
    assert request.keywords == "wedding"
    assert "wedding" in request.meaning and "comedy" in request.meaning
    assert "90s" not in request.meaning and "french" not in request.meaning


def test_summary_reads_as_one_line() -> None:
    request = read("a french romantic comedy from the 1990s")
    assert request.summary() == "language fr · years 1990–1999 · genres Comedy, Romance"


def test_json_names_each_condition_and_phrase() -> None:
    data = read("like Inception but funnier").to_dict()
    assert data["reference"] == 27205
    assert {"name": "like", "value": "Inception (2010)"} in data["conditions"]
    assert {"phrase": "funnier", "meaning": "genres Comedy"} in data["phrases"]


def test_literal_takes_every_word() -> None:
    request = Understanding.literal("an 80s action movie")
    assert not request.understood and request.keywords == "an 80s action movie"


def test_deterministic() -> None:
    texts = [q for q, _ in LANGUAGE + ERA + NEGATION]
    assert [read(t) for t in texts] == [read(t) for t in texts]


@pytest.mark.parametrize(
    "text", ["like Inception but funnier", "a Tom Hanks comedy from the 90s, not a sequel"]
)
def test_the_wire_form_is_lossless(text: str) -> None:
    request = read(text)
    assert Understanding.from_wire(json.loads(json.dumps(request.to_wire()))) == request
