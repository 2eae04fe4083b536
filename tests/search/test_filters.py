"""Filter parsing and the `where` clauses it produces."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from moviembed.errors import UsageError
from moviembed.search.filters import (
    Filters,
    canonical_genre,
    parse_runtime_range,
    parse_year_range,
)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2010", (2010, 2010)),
        ("1990..1999", (1990, 1999)),
        ("..1980", (None, 1980)),
        ("2010..", (2010, None)),
        (" 1990 .. 1999 ", (1990, 1999)),
        ("1990s", (1990, 1999)),
    ],
)
def test_year_forms(text: str, expected: tuple[int | None, int | None]) -> None:
    assert parse_year_range(text) == expected


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("2020..1990", "runs backwards; write 1990..2020"),
        ("..", "is not a year or range"),
        ("nineties", "is not a year or range"),
        ("199", "is not a year or range"),
        ("1990-1999", "is not a year or range"),
        ("", "is not a year or range"),
    ],
)
def test_bad_year_forms(text: str, message: str) -> None:
    with pytest.raises(UsageError, match=message):
        parse_year_range(text)


@pytest.mark.parametrize(
    ("typed", "genre"),
    [
        ("thriller", "Thriller"),
        ("SCIENCE fiction", "Science Fiction"),
        ("sci-fi", "Science Fiction"),
        ("tv movie", "TV Movie"),
    ],
)
def test_genres_are_matched_in_any_case(typed: str, genre: str) -> None:
    assert canonical_genre(typed) == genre


def test_unknown_genre_lists_the_known_ones() -> None:
    with pytest.raises(UsageError, match="'Cyberpunk' is not a TMDB genre. Known genres: Action"):
        canonical_genre("Cyberpunk")


def test_where_combines_every_filter_with_and() -> None:
    filters = Filters.parse(["crime", "Drama"], "1990..1999", "Martin Scorsese", "EN")
    assert filters.where() == {
        "$and": [
            {"genre_list": {"$contains": "Crime"}},
            {"genre_list": {"$contains": "Drama"}},
            {"year": {"$gte": 1990}},
            {"year": {"$lte": 1999}},
            {"director_keys": {"$contains": "martin scorsese"}},
            {"language": "en"},
        ]
    }
    assert Filters.parse(year="2010").where() == {
        "$and": [{"year": {"$gte": 2010}}, {"year": {"$lte": 2010}}]
    }
    assert Filters.parse(language="fr").where() == {"language": "fr"}
    assert Filters().where() is None


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"language": "french"}, "two-letter ISO 639-1 code"),
        ({"director": "  "}, "director needs a name"),
    ],
)
def test_bad_language_and_director(kwargs: dict[str, str], message: str) -> None:
    with pytest.raises(UsageError, match=message):
        Filters.parse(**kwargs)


metadata = st.fixed_dictionaries(
    {},
    optional={
        "year": st.integers(1900, 2030),
        "genre_list": st.lists(st.sampled_from(["Crime", "Drama", "Comedy"]), min_size=1),
        "director_keys": st.lists(st.sampled_from(["a b", "c d"]), min_size=1),
        "language": st.sampled_from(["en", "fr"]),
    },
)


@given(metadata, st.integers(1900, 2030), st.integers(1900, 2030))
def test_matches_agrees_with_the_year_bounds(meta: dict, low: int, high: int) -> None:
    low, high = min(low, high), max(low, high)
    filters = Filters(genres=("Crime",), year_from=low, year_to=high)
    year = meta.get("year")
    expected = "Crime" in meta.get("genre_list", []) and year is not None and low <= year <= high
    assert filters.matches(meta) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [("90..120", (90, 120)), ("..100", (None, 100)), ("150..", (150, None)), ("95", (95, 95))],
)
def test_runtime_forms(text: str, expected: tuple[int | None, int | None]) -> None:
    assert parse_runtime_range(text) == expected


def test_rating_votes_and_runtime_go_into_where_and_matches() -> None:
    filters = Filters.parse(min_rating=7.5, min_votes=100, runtime="90..120")
    assert filters.where() == {
        "$and": [
            {"vote_average": {"$gte": 7.5}},
            {"vote_count": {"$gte": 100}},
            {"runtime": {"$gte": 90}},
            {"runtime": {"$lte": 120}},
        ]
    }
    assert filters.matches({"vote_average": 8.0, "vote_count": 100, "runtime": 120})
    assert not filters.matches({"vote_average": 7.4, "vote_count": 900, "runtime": 100})
    assert not filters.matches({"vote_count": 900, "runtime": 100})  # unknown rating fails
    assert not filters.matches({"vote_average": 8.0, "vote_count": 900, "runtime": 121})
