"""Ranking signals: the prior, --rank, rating/votes/runtime filters, --explain, on real indexes
built with the fake embedder (the bundled catalog, and TMDB 5000 when ../shared is present)."""

from __future__ import annotations

import json
import shutil
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from moviembed.choices import RankOrder
from moviembed.cli.app import app
from moviembed.search.ranking import (
    KEYWORD_WEIGHT,
    PRIOR_WEIGHT,
    Candidates,
    fuse,
    leaning,
    liked_prior,
    order_key,
    vote_prior,
)
from moviembed.search.understanding import Understanding

from ..conftest import isolate
from ..fakes import HashingEmbedder
from .test_understand import TITLES_LIKE_REQUESTS


def hits(runner: CliRunner, *args: str) -> list[dict[str, Any]]:
    result = runner.invoke(app, ["query", *args, "--json"])
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


@pytest.fixture(scope="module")
def fake_bundled_index(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The bundled catalog as `moviembed build` indexes it with the fake model, built once."""
    folder = tmp_path_factory.mktemp("bundled")
    with pytest.MonkeyPatch.context() as patch:
        isolate(patch, folder, folder / "cache", HashingEmbedder())
        result = CliRunner().invoke(app, ["build", "--quiet"])
    assert result.exit_code == 0, result.output
    return folder / "index"


@pytest.fixture
def bundled(runner: CliRunner, fake_bundled_index: Path, isolated_env: Path) -> CliRunner:
    """A runner whose index is a private copy of the bundled one."""
    shutil.copytree(fake_bundled_index, isolated_env / "index")
    return runner


def test_unknown_votes_rank_neutrally_and_more_votes_rank_higher() -> None:
    assert vote_prior({}) == 0.0 == vote_prior({"vote_count": "many"})
    ladder = [vote_prior({"vote_count": n}) for n in (0, 10, 100, 1_000, 10_000, 50_000)]
    assert ladder == sorted(ladder) and ladder[0] == -0.5 and ladder[-1] == 0.5
    assert abs(vote_prior({"vote_count": 100})) < 0.01  # about a hundred votes is neutral


def test_a_rating_counts_as_far_as_votes_back_it() -> None:
    assert liked_prior({}) == 0.0
    loved, panned = (
        {"vote_count": 5000, "vote_average": 8.5},
        {"vote_count": 5000, "vote_average": 4.5},
    )
    assert liked_prior(loved) > vote_prior(loved) > liked_prior(panned)
    few = [liked_prior({"vote_count": 2, "vote_average": r}) for r in (2.0, 10.0)]
    assert few[1] - few[0] < liked_prior(loved) - liked_prior(panned)


def test_fusion_adds_similarity_keyword_and_prior_and_explains_each() -> None:
    metadata = {"a": {"vote_count": 5}, "b": {"vote_count": 20_000}, "c": {}}
    found = Candidates(
        similarity={"a": 0.5, "b": 0.4, "c": 0.1},
        metadata=metadata,
        dense=["a", "b"],
        keyword=[("b", 8.0), ("c", 4.0)],
        titled=["c"],
    )
    scored = fuse(found)
    assert max(scored, key=lambda i: scored[i][0]) == "c"  # the exact title goes first
    score_b, why_b = scored["b"]
    assert (why_b.dense_rank, why_b.keyword_rank, why_b.title_match) == (2, 1, False)
    assert why_b.keyword == KEYWORD_WEIGHT  # the query's best keyword match
    assert scored["c"][1].keyword == KEYWORD_WEIGHT / 2  # half as relevant, half the share
    assert why_b.prior == pytest.approx(PRIOR_WEIGHT * 0.5)
    assert score_b == pytest.approx(0.4 + why_b.keyword + why_b.prior)
    assert scored["a"][1].keyword_rank is None and scored["a"][1].prior < 0
    assert fuse(found, prior=None)["b"][1].prior == 0.0


@pytest.mark.parametrize(("famous", "obscure", "winner"), [(0.50, 0.52, "b"), (0.25, 0.60, "a")])
def test_the_prior_moves_a_film_only_as_far_as_its_fit_allows(
    famous: float, obscure: float, winner: str
) -> None:
    """Near a tie the well-known film wins; a famous film that barely fits does not."""
    found = Candidates(
        similarity={"a": obscure, "b": famous},
        metadata={"a": {"vote_count": 5}, "b": {"vote_count": 20_000, "vote_average": 8.5}},
        dense=["a", "b"],
    )
    scored = fuse(found)
    assert max(scored, key=lambda i: scored[i][0]) == winner


def test_a_story_names_genres_in_passing_and_leans_on_none() -> None:
    """ "a green-faced cartoon maniac": a request leans to cartoons, a plot does not; a
    negated keyword still ranks a film last in both."""
    asked = Understanding(
        text="cartoon",
        meaning="cartoon",
        keywords="",
        genres=("Animation",),
        exclude_keywords=("gore",),
        phrases=(("cartoon", "genres Animation"),),
    )
    told = replace(asked, story=True)
    cartoon = {"genre_list": ["Animation"]}
    gory = "Keywords: gore, zombie"
    assert leaning(asked, cartoon, "") > 0 and leaning(told, cartoon, "") == 0
    assert leaning(told, cartoon, gory) < leaning(told, {}, "") == 0


def test_other_orders_put_unknown_values_last() -> None:
    movies = [{"vote_average": 6.0}, {}, {"vote_average": 8.1, "vote_count": 10}]
    best = sorted(movies, key=order_key(RankOrder.rating))
    assert best == [movies[2], movies[0], movies[1]]


def test_rating_votes_and_runtime_filters_hold_for_every_result(bundled: CliRunner) -> None:
    found = hits(bundled, "a story", "-n", "100", "--min-rating", "7.5", "--min-votes", "2000")
    assert len(found) >= 10
    assert all(h["metadata"]["vote_average"] >= 7.5 for h in found)
    assert all(h["metadata"]["vote_count"] >= 2000 for h in found)
    short = hits(bundled, "a story", "-n", "100", "--runtime", "..95")
    assert short and all(h["metadata"]["runtime"] <= 95 for h in short)
    ranged = hits(bundled, "a story", "-n", "100", "--runtime", "100..110")
    assert ranged and all(100 <= h["metadata"]["runtime"] <= 110 for h in ranged)
    similar = bundled.invoke(app, ["similar", "603", "--min-votes", "5000", "--json"])
    assert all(h["metadata"]["vote_count"] >= 5000 for h in json.loads(similar.stdout))


@pytest.mark.parametrize(
    ("order", "field"), [("rating", "vote_average"), ("popularity", "popularity"), ("year", "year")]
)
def test_rank_sorts_the_matches_by_the_chosen_field(
    bundled: CliRunner, order: str, field: str
) -> None:
    found = hits(bundled, "war", "-n", "20", "--rank", order)
    values = [h["metadata"][field] for h in found if field in h["metadata"]]
    assert len(values) >= 10 and values == sorted(values, reverse=True)
    relevant = {h["id"] for h in hits(bundled, "war", "-n", "50")}
    assert {h["id"] for h in found} <= relevant  # the same matches, another order


def test_results_carry_the_score_they_are_ordered_by(bundled: CliRunner) -> None:
    found = hits(bundled, "heist", "-n", "10")
    scores = [h["score"] for h in found]
    assert scores == sorted(scores, reverse=True)
    parts = {"dense_rank", "keyword_rank", "title_match", "keyword", "prior", "understood"}
    assert set(found[0]["explain"]) == parts
    for hit in hits(bundled, "a heist movie from the 90s", "-n", "10"):
        shares = (hit["explain"][part] for part in ("keyword", "prior", "understood"))
        assert hit["score"] == pytest.approx(hit["similarity"] + sum(shares), abs=1e-3)
    assert hits(bundled, "casablanca")[0]["explain"]["title_match"] is True
    dense = hits(bundled, "heist", "--mode", "dense")
    assert all(h["explain"]["keyword_rank"] is None for h in dense)


def test_explain_adds_columns_and_the_table_shows_ratings(bundled: CliRunner) -> None:
    plain = bundled.invoke(app, ["query", "alien", "-n", "3"]).stdout.splitlines()
    explained = bundled.invoke(app, ["query", "alien", "-n", "3", "--explain"]).stdout.splitlines()
    first, why = plain[0].split("\t"), explained[0].split("\t")
    assert len(why) == len(first) + 6  # dense #, keyword #, title match, and three shares
    assert first[5] == why[5]  # the sixth column is still the similarity
    assert first[6] and float(first[6]) > 0  # the rating of a bundled movie TMDB 5000 knows


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--min-rating", "11"], "outside TMDB's 0-10 scale"),
        (["--min-votes", "-3"], "negative"),
        (["--runtime", "120..90"], "runs backwards"),
        (["--runtime", "long"], "is not a length in minutes"),
        (["--rank", "loudness"], "loudness"),
    ],
)
def test_bad_ranking_options_are_usage_errors(
    runner: CliRunner, args: list[str], message: str
) -> None:
    result = runner.invoke(app, ["query", "space", *args])
    assert result.exit_code == 2
    assert message in result.stderr


@pytest.mark.slow
def test_ranking_options_on_tmdb_5000(runner: CliRunner, shared_data: Path) -> None:
    built = runner.invoke(
        app,
        [
            "build",
            "--quiet",
            "--tmdb-csv",
            str(shared_data / "tmdb_5000_movies.csv.gz"),
            "--credits",
            str(shared_data / "tmdb_5000_credits.csv.gz"),
        ],
    )
    assert built.exit_code == 0, built.output
    rated = hits(runner, "crime", "-n", "50", "--min-rating", "8", "--min-votes", "1000")
    assert len(rated) >= 10
    assert all(
        h["metadata"]["vote_average"] >= 8 and h["metadata"]["vote_count"] >= 1000 for h in rated
    )
    popular = hits(runner, "space adventure", "-n", "10", "--rank", "popularity")
    assert popular[0]["metadata"]["popularity"] > 100
    epics = hits(runner, "war", "--runtime", "150..", "-n", "30", "--genre", "war")
    assert epics and all(h["metadata"]["runtime"] >= 150 for h in epics)
    # Titles whose words read like conditions are still found first by their title (issue 25).
    for title in TITLES_LIKE_REQUESTS:
        found = hits(runner, title, "-n", "3")
        assert found[0]["title"] == title, (title, [h["title"] for h in found])
        assert found[0]["understood"]["title_lookup"]
    eighties = hits(runner, "an 80s action movie", "-n", "10")
    assert all(1980 <= h["year"] <= 1989 for h in eighties)
    assert eighties[0]["understood"]["summary"] == "years 1980–1989 · genres Action"
