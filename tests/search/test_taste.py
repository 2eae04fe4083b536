"""A taste from ratings exports: films matched to the index by id or title and year, split
into liked (weighted), disliked and seen, and the picks it gives.

Matching runs on the bundled catalog with the fast stand-in vectors; the picks that show
the taste was understood use the real model's vectors (slow)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from moviembed.cli.app import app
from moviembed.documents import fold
from moviembed.index.builder import build_index
from moviembed.index.store import EmbeddingStore
from moviembed.movie import Skipped, movie_from_tmdb
from moviembed.search.recommend import recommend
from moviembed.search.taste import liking, recommend_for, taste_from
from moviembed.sources.catalog import load_catalog
from moviembed.sources.dataset import iter_api_records
from moviembed.sources.ratings import RatedFilm, read_ratings
from tests.fakes import HashingEmbedder
from tests.sources.test_ratings import SAMPLES, letterboxd_zip

GENRES = {movie.id: set(movie.genres) for movie in load_catalog()}  # by the ids hits carry
TITLES = {str(movie.id): movie.title for movie in load_catalog()}
TOY_STORY, UP, TEXAS_CHAIN_SAW, HEAT, CASINO, MAMMA_MIA = (
    "862",
    "14160",
    "30497",
    "949",
    "524",
    "11631",
)


@pytest.fixture
def store(fake_bundled_index: Path) -> EmbeddingStore:
    return EmbeddingStore(fake_bundled_index)


def test_liking_grows_with_the_rating() -> None:
    assert [liking(r) for r in (10, 9, 8, 7, 5, 4, 2, 1, None)] == [
        1.0,
        0.75,
        0.5,
        0,
        0,
        -0.25,
        -0.75,
        -1.0,
        0,
    ]


def test_letterboxd_ratings_match_by_title_and_year(store: EmbeddingStore) -> None:
    taste = taste_from(store, read_ratings(SAMPLES / "letterboxd-ratings.csv").films)
    assert taste.liked[TOY_STORY] == 1.0 and taste.liked["12"] == 0.75  # 5 and 4.5 stars
    assert TITLES[next(iter(taste.liked))] == "Toy Story"
    assert "10681" in taste.liked  # WALL·E, folded as the index folds it
    assert taste.disliked == {TEXAS_CHAIN_SAW: 0.75, "9552": 0.5}  # 1 and 1.5 stars
    assert "597" in taste.seen and "597" not in taste.weights  # Titanic, 3 stars: seen only
    assert len(taste.seen) == 12  # 15 rows: Up twice, two films the catalog lacks
    assert taste.unmatched == [
        "Aftersun (2022), letterboxd-ratings.csv line 14: not in the index",
        "The Mitchells vs. the Machines (2021), letterboxd-ratings.csv line 15: not in the index",
    ]


def test_a_later_rating_of_the_same_film_wins(store: EmbeddingStore, tmp_path: Path) -> None:
    taste = taste_from(store, read_ratings(letterboxd_zip(tmp_path)).films)
    assert taste.liked[CASINO] == 0.75  # 3 stars in the diary, 4.5 on the rewatch
    assert taste.disliked[MAMMA_MIA] == 0.75
    assert "578" in taste.seen and "578" not in taste.weights  # Jaws, watched, not rated
    assert "116149" not in taste.seen  # Paddington is on the watchlist only


def test_imdb_titles_years_and_a_year_either_side(store: EmbeddingStore) -> None:
    films = read_ratings(SAMPLES / "imdb-ratings.csv").films
    taste = taste_from(store, [*films, RatedFilm("Heat", 1996, rating=9.0, where="x")])
    assert taste.liked["238"] == 1.0 and taste.liked["769"] == 0.75  # Goodfellas, any case
    assert taste.disliked == {MAMMA_MIA: 0.5, "8488": 0.25, "2642": 0.75}
    assert "194" in taste.seen  # Amélie, read from Windows-1252
    assert [line.split(",")[0] for line in taste.unmatched] == ["The Irishman (2019)"]


def test_ids_win_over_titles_and_unknown_years_are_reported(store: EmbeddingStore) -> None:
    films = [
        RatedFilm("Wrong title", 1999, tmdb_id=603, rating=10.0, where="a"),
        RatedFilm("Alien", None, rating=9.0, where="b"),
        RatedFilm("Alien", 1950, rating=9.0, where="c"),
    ]
    taste = taste_from(store, films)
    assert taste.liked == {"603": 1.0, "348": 0.75}
    assert taste.unmatched == ["Alien (1950), c: the index has it from 1979 only"]


def test_without_any_rating_every_watched_film_is_liked(store: EmbeddingStore) -> None:
    taste = taste_from(store, read_ratings(SAMPLES / "letterboxd-watched.csv").films)
    assert sorted(taste.liked) == sorted(taste.seen) and len(taste.seen) == 5
    assert set(taste.liked.values()) == {1.0}


def test_named_movies_win_over_the_file(store: EmbeddingStore) -> None:
    taste = taste_from(store, read_ratings(SAMPLES / "letterboxd-ratings.csv").films)
    named = taste.with_named([TEXAS_CHAIN_SAW], [TOY_STORY])
    assert named.liked[TEXAS_CHAIN_SAW] == 1.0 and TEXAS_CHAIN_SAW not in named.disliked
    assert named.disliked[TOY_STORY] == 1.0 and TOY_STORY not in named.liked


def test_weights_move_the_picks_toward_the_heavier_movie(store: EmbeddingStore) -> None:
    liked = [TOY_STORY, HEAT]
    toward_toy = recommend(liked, store=store, limit=5, weights={TOY_STORY: 1.0, HEAT: 0.01})
    plain = recommend([TOY_STORY], store=store, limit=5)
    assert [pick.id for pick in toward_toy] == [pick.id for pick in plain]


def test_seen_films_never_come_back(store: EmbeddingStore, tmp_path: Path) -> None:
    taste = taste_from(store, read_ratings(letterboxd_zip(tmp_path)).films)
    picks = recommend_for(taste, store=store, limit=50)
    assert len(picks) == 50 and not {str(pick.id) for pick in picks} & set(taste.seen)


def test_the_cli_reads_a_ratings_file_and_says_what_it_matched(fake_index: Path) -> None:
    result = CliRunner().invoke(
        app, ["-v", "recommend", "--ratings", str(SAMPLES / "plain.csv"), "Toy Story", "--json"]
    )
    assert result.exit_code == 0, result.output
    assert "plain.csv (CSV): 3 films matched the index, 4 did not; 2 liked, 1 not." in (
        result.stderr
    )
    assert "not used: Arrival (2016), plain.csv line 6: not in the index" in result.stderr
    assert "not used: plain.csv line 8: no title and no valid TMDB id ('abc')" in result.stderr
    picks = {hit["id"] for hit in json.loads(result.stdout)}
    assert picks and not picks & {603, 348, 157336, 862}


def test_the_cli_refuses_a_bad_ratings_file_in_one_line(fake_index: Path, tmp_path: Path) -> None:
    bad = tmp_path / "export.csv"
    bad.write_text("Foo,Bar\n1,2\n", encoding="utf-8")
    result = CliRunner().invoke(app, ["recommend", "--ratings", str(bad)])
    assert result.exit_code == 2
    assert result.stderr.startswith("Error: export.csv is not a ratings export")
    assert result.stderr.count("\n") == 1
    unknown = tmp_path / "films.csv"
    unknown.write_text("title,year\nAftersun,2022\n", encoding="utf-8")
    none_liked = CliRunner().invoke(app, ["recommend", "--ratings", str(unknown)])
    assert none_liked.exit_code == 1
    assert none_liked.stderr.splitlines()[-1] == (
        "Error: No liked movie is in the index (films in the file not found: 1); "
        "name one, or rate some films highly."
    )
    nothing = CliRunner().invoke(app, ["recommend"])
    assert nothing.exit_code == 2 and "give --ratings FILE" in nothing.stderr


def test_an_animation_lover_gets_animation(bundled_index: Path, real_model: Path) -> None:
    store = EmbeddingStore(bundled_index)
    taste = taste_from(store, read_ratings(SAMPLES / "letterboxd-ratings.csv").films)
    picks = recommend_for(taste, store=store, limit=5)
    animated = [p.title for p in picks if GENRES[p.id] & {"Animation", "Family"}]
    assert picks[0].title == "Toy Story 3" and picks[0].because.title == "Toy Story"
    assert len(animated) >= 3, [p.title for p in picks]
    assert not any("Horror" in GENRES[p.id] for p in picks)


def test_a_crime_lover_on_imdb_gets_crime(bundled_index: Path, real_model: Path) -> None:
    store = EmbeddingStore(bundled_index)
    taste = taste_from(store, read_ratings(SAMPLES / "imdb-ratings.csv").films)
    picks = recommend_for(taste, store=store, limit=5)
    crime = [p.title for p in picks if "Crime" in GENRES[p.id]]
    assert len(crime) >= 4, [p.title for p in picks]
    assert {str(p.because.id) for p in picks} <= set(taste.liked)


def test_the_samples_match_tmdb_5000_titles(shared_data: Path, tmp_path: Path) -> None:
    """Against the dataset's films of the sample titles, every one the dataset holds is found
    (25: "Goodfellas" and "GoodFellas", "WALL·E", "Amélie" from Windows-1252 among them)."""
    samples = [
        film
        for name in ("letterboxd-ratings", "letterboxd-diary", "imdb-ratings", "plain")
        for film in read_ratings(SAMPLES / f"{name}.csv").films
    ]
    wanted = {fold(film.title) for film in samples}
    records = iter_api_records(
        shared_data / "tmdb_5000_movies.csv.gz", shared_data / "tmdb_5000_credits.csv.gz"
    )
    movies = [
        movie
        for movie in (movie_from_tmdb(r) for r in records if not isinstance(r, Skipped))
        if fold(movie.title) in wanted
    ]
    store = EmbeddingStore(tmp_path / "tmdb5000")
    build_index(movies, store=store, embedder=HashingEmbedder())
    taste = taste_from(store, samples)
    years = {str(movie.id): movie.year for movie in movies}
    by_title = {fold(film.title): film.year for film in samples}
    for movie_id in taste.seen:
        movie = next(m for m in movies if str(m.id) == movie_id)
        assert abs(years[movie_id] - by_title[fold(movie.title)]) <= 1, movie.title
    assert len(taste.seen) == len(movies) == 25, taste.unmatched
