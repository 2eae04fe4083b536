"""The document recipe: readable text, flat metadata, a hash that tracks the text."""

from __future__ import annotations

import dataclasses
from typing import Any

import pytest

from moviembed.documents import build_document, build_metadata, content_hash, fold
from moviembed.movie import SIGNALS, Movie, movie_from_tmdb

HEAT = Movie(
    id=949,
    title="Heat",
    release_date="1995-12-15",
    genres=("Action", "Crime", "Drama", "Thriller"),
    director="Michael Mann",
    cast=("Al Pacino", "Robert De Niro", "Val Kilmer", "Jon Voight"),
    runtime=170,
    original_language="en",
    overview="A detective  hunts a crew of\nprofessional thieves in Los Angeles.",
)


def test_document_reads_like_a_catalog_card() -> None:
    assert build_document(HEAT) == (
        "Heat (1995)\n"
        "A detective hunts a crew of professional thieves in Los Angeles.\n"
        "Genres: Action, Crime, Drama, Thriller\n"
        "Director: Michael Mann\n"
        "Cast: Al Pacino, Robert De Niro, Val Kilmer"
    )


def test_missing_fields_leave_out_their_lines() -> None:
    bare = Movie(id=1, title="Untitled Project")
    assert build_document(bare) == "Untitled Project"
    no_overview = Movie(id=2, title="Mystery Box", release_date="2001-02-03", genres=("Mystery",))
    assert build_document(no_overview) == "Mystery Box (2001)\nGenres: Mystery"


def test_metadata_is_flat_and_omits_unknown_values() -> None:
    document = build_document(HEAT)
    assert build_metadata(HEAT, document) == {
        "title": "Heat",
        "title_key": "heat",
        "year": 1995,
        "genres": "Action, Crime, Drama, Thriller",
        "genre_list": ["Action", "Crime", "Drama", "Thriller"],
        "director": "Michael Mann",
        "director_keys": ["michael mann"],
        "cast": "Al Pacino, Robert De Niro, Val Kilmer",
        "language": "en",
        "runtime": 170,
        "doc_hash": content_hash(document),
    }
    bare = Movie(id=1, title="Untitled", release_date="")
    assert build_metadata(bare, "Untitled") == {
        "title": "Untitled",
        "title_key": "untitled",
        "doc_hash": content_hash("Untitled"),
    }


def test_ranking_signals_are_metadata_and_never_change_the_document() -> None:
    known = dataclasses.replace(
        HEAT, popularity=45.2, vote_count=0, vote_average=None, poster_path="/heat.jpg"
    )
    document = build_document(known)
    assert document == build_document(HEAT)
    metadata = build_metadata(known, document)
    assert metadata["doc_hash"] == build_metadata(HEAT, document)["doc_hash"]
    assert {key: metadata.get(key) for key in SIGNALS} == {
        "popularity": 45.2,
        "vote_count": 0,  # a known zero is a fact; the rating without votes is unknown
        "vote_average": None,
        "poster_path": "/heat.jpg",
    }
    assert "vote_average" not in metadata


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ({"popularity": 12.5, "vote_count": 300, "vote_average": 6.4}, (12.5, 300, 6.4)),
        ({"popularity": 0, "vote_count": 0, "vote_average": 0}, (None, 0, None)),
        ({"popularity": "x", "vote_count": 2.5, "vote_average": 12}, (None, None, None)),
        (
            {"popularity": float("nan"), "vote_count": True, "vote_average": None},
            (None, None, None),
        ),
        ({}, (None, None, None)),
    ],
)
def test_tmdb_signals_are_kept_only_when_usable(raw: dict[str, Any], expected: tuple) -> None:
    movie = movie_from_tmdb({"id": 5, "title": "Five", **raw})
    assert (movie.popularity, movie.vote_count, movie.vote_average) == expected


def test_keywords_close_the_document_capped_at_twelve() -> None:
    tagged = Movie(id=3, title="Tagged", keywords=tuple(f"tag{i}" for i in range(20)))
    assert build_document(tagged).splitlines()[-1] == "Keywords: " + ", ".join(
        f"tag{i}" for i in range(12)
    )


@pytest.mark.parametrize(
    ("title", "key"),
    [
        ("Léon: The Professional", "leon the professional"),
        ("WALL·E", "wall e"),
        ("When Harry Met Sally...", "when harry met sally"),
        ("  Amélie ", "amelie"),
    ],
)
def test_titles_fold_for_exact_matching(title: str, key: str) -> None:
    assert fold(title) == key


def test_co_directors_are_each_searchable() -> None:
    movie = Movie(id=4, title="The Matrix", director="Lilly Wachowski, Lana Wachowski")
    keys = build_metadata(movie, "x")["director_keys"]
    assert keys == ["lilly wachowski", "lana wachowski"]


def test_year_comes_from_the_first_four_characters_only_when_numeric() -> None:
    assert Movie(id=1, title="A", release_date="1931-04-01").year == 1931
    assert Movie(id=1, title="A", release_date="").year is None
    assert Movie(id=1, title="A", release_date="unknown").year is None


def test_hash_changes_with_the_text_and_only_with_it() -> None:
    assert content_hash("same text") == content_hash("same text")
    assert content_hash("same text") != content_hash("same text.")
    assert len(content_hash("x")) == 64
