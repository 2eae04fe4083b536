"""Understood requests end to end on the small index (fake model, real Chroma and keyword
index): conditions filter, genres lean, names and titles are looked up in the index."""

from __future__ import annotations

from pathlib import Path

import pytest

from moviembed.choices import SearchMode
from moviembed.index.keywords import KeywordIndex
from moviembed.index.store import EmbeddingStore
from moviembed.search.filters import Filters
from moviembed.search.query import SearchResults, search

from ..fakes import HashingEmbedder


@pytest.fixture
def store(fake_index: Path) -> EmbeddingStore:
    return EmbeddingStore(fake_index)


def run(store: EmbeddingStore, text: str, tmp_path: Path, **options: object) -> SearchResults:
    keywords = KeywordIndex.for_store(store, tmp_path / "cache")
    keywords.ensure_current(store)
    return search(
        text, store=store, embedder=HashingEmbedder(), keywords=keywords, limit=12, **options
    )


def titles(results: SearchResults) -> list[str]:
    return [hit.title for hit in results]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("a Tom Hanks comedy", ["Toy Story"]),
        ("a Spielberg movie", {"Jaws", "Jurassic Park"}),
        ("movies directed by Christopher Nolan", ["Interstellar"]),
        ("something with meg ryan", ["When Harry Met Sally..."]),
        (
            "movies from the 90s",
            {"The Matrix", "Toy Story", "Pulp Fiction", "Jurassic Park"}
            | {"The Silence of the Lambs"},
        ),
        ("a movie under 100 minutes", {"Toy Story", "When Harry Met Sally..."}),
        ("at most 100 minutes long", {"Toy Story", "When Harry Met Sally...", "Finding Nemo"}),
        ("an old movie", {"Casablanca"}),
        ("a classic film", {"Alien", "The Godfather", "Jaws", "Casablanca"}),
        ("a movie over 2.5 hours long", {"The Godfather", "Pulp Fiction", "Interstellar"}),
        ("a french film", []),
        ("a hidden gem", {"When Harry Met Sally..."}),
    ],
)
def test_conditions_filter(
    store: EmbeddingStore, tmp_path: Path, text: str, expected: list[str] | set[str]
) -> None:
    found = titles(run(store, text, tmp_path))
    assert (set(found) if isinstance(expected, set) else found) == expected


def test_literal_words_do_not_filter(store: EmbeddingStore, tmp_path: Path) -> None:
    results = run(store, "movies from the 90s", tmp_path, literal=True)
    assert len(results) == 12 and not results.understood.understood


def test_genres_lean_without_filtering(store: EmbeddingStore, tmp_path: Path) -> None:
    results = run(store, "a scary movie", tmp_path)
    assert [hit.metadata["genre_list"].count("Horror") for hit in results[:2]] == [1, 1]
    assert len(results) == 12
    assert results[0].explanation is not None and results[0].explanation.understood > 0


def test_negated_genres_are_left_out(store: EmbeddingStore, tmp_path: Path) -> None:
    found = run(store, "a family movie that is not animated", tmp_path)
    assert found and all("Animation" not in hit.genres for hit in found)


def test_a_named_film_steers_and_is_left_out(store: EmbeddingStore, tmp_path: Path) -> None:
    results = run(store, "something like The Matrix but scarier", tmp_path)
    assert "The Matrix" not in titles(results)
    assert results.understood.reference is not None
    assert results.understood.reference.title == "The Matrix"
    assert "Horror" in results[0].genres


def test_titles_are_still_found_first(store: EmbeddingStore, tmp_path: Path) -> None:
    for title in ("Jaws", "The Godfather", "Toy Story", "When Harry Met Sally"):
        results = run(store, title, tmp_path)
        assert results.understood.title_lookup or not results.understood.understood
        assert titles(results)[0].startswith(title)


def test_flags_win_over_understood_conditions(store: EmbeddingStore, tmp_path: Path) -> None:
    found = run(store, "movies from the 90s", tmp_path, filters=Filters.parse(year="2014"))
    assert titles(found) == ["Interstellar"]


def test_ignored_conditions_are_dropped(store: EmbeddingStore, tmp_path: Path) -> None:
    results = run(store, "an old movie", tmp_path, ignore=["years"])
    assert len(results) == 12 and results.understood.year_to is None


def test_dense_mode_understands_too(store: EmbeddingStore, tmp_path: Path) -> None:
    found = run(store, "a Spielberg movie", tmp_path, mode=SearchMode.dense)
    assert set(titles(found)) == {"Jaws", "Jurassic Park"}


def test_results_say_what_was_understood(store: EmbeddingStore, tmp_path: Path) -> None:
    results = run(store, "a short comedy from the 90s", tmp_path)
    assert results.understood.summary() == "years 1990–1999 · runtime ≤ 90 min · genres Comedy"
    item = results.to_dicts()[0]
    assert item["title"] == "Toy Story"
    assert item["understood"]["summary"] == results.understood.summary()
