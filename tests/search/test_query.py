"""Search features end to end on the small index: filters, hybrid, titles, similar, formats."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from moviembed.cli.app import app
from moviembed.embedding.embedder import SentenceTransformerEmbedder
from moviembed.index.keywords import KeywordIndex
from moviembed.index.store import EmbeddingStore
from moviembed.search.filters import Filters
from moviembed.search.query import SearchMode, search

from ..conftest import SMALL_CATALOG


def titles(runner: CliRunner, *args: str) -> list[str]:
    result = runner.invoke(app, [*args, "--json"])
    assert result.exit_code == 0, result.output
    return [hit["title"] for hit in json.loads(result.stdout)]


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (["--genre", "animation"], {"Toy Story", "Finding Nemo"}),
        (["--genre", "Horror", "--genre", "science fiction"], {"Alien"}),
        (
            ["--year", "1990..1999"],
            {
                "The Matrix",
                "Toy Story",
                "The Silence of the Lambs",
                "Pulp Fiction",
                "Jurassic Park",
            },
        ),
        (["--year", "..1950"], {"Casablanca"}),
        (["--year", "2014"], {"Interstellar"}),
        (["--director", "steven spielberg"], {"Jaws", "Jurassic Park"}),
        (["--director", "Spielberg"], {"Jaws", "Jurassic Park"}),
        (["--language", "en", "--year", "2003.."], {"Finding Nemo", "Interstellar"}),
    ],
)
def test_filters_return_every_match_up_to_the_limit(
    runner: CliRunner, index_copy: Path, args: list[str], expected: set[str]
) -> None:
    for mode in ("dense", "hybrid"):
        found = titles(runner, "query", "a movie", "-n", "10", "--mode", mode, *args)
        assert set(found) == expected, mode


def test_limit_is_met_when_enough_movies_match(runner: CliRunner, index_copy: Path) -> None:
    assert len(titles(runner, "query", "story", "-n", "4", "--year", "1990..")) == 4


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--year", "2020..1990"], "runs backwards"),
        (["--genre", "cyberpunk"], "is not a TMDB genre"),
        (["--director", "Kubrick"], "No movie by a director named 'Kubrick'"),
        (["--language", "english"], "two-letter ISO 639-1 code"),
    ],
)
def test_bad_filters_are_one_line_errors(
    runner: CliRunner, index_copy: Path, args: list[str], message: str
) -> None:
    result = runner.invoke(app, ["query", "anything", *args])
    assert result.exit_code in (1, 2)
    assert message in result.stderr and "Traceback" not in result.stderr


@pytest.mark.parametrize(
    ("query", "movie"),
    [("Lasseter", "Toy Story"), ("Fishburne", "The Matrix"), ("Goldblum", "Jurassic Park")],
)
def test_hybrid_keeps_exact_words_that_dense_loses(
    runner: CliRunner, index_copy: Path, query: str, movie: str
) -> None:
    dense = ["--mode", "dense", "--literal"]  # "Lasseter" alone is understood as a director
    assert titles(runner, "query", query, "-n", "1", *dense) != [movie]
    assert titles(runner, "query", query, "-n", "1") == [movie]


def test_an_exact_title_ranks_first(runner: CliRunner, index_copy: Path) -> None:
    assert titles(runner, "query", "casablanca", "-n", "3")[0] == "Casablanca"
    assert (
        titles(runner, "query", "when harry met sally", "-n", "3")[0] == "When Harry Met Sally..."
    )


def test_similar_by_id_and_by_title_excludes_itself(runner: CliRunner, index_copy: Path) -> None:
    by_id = titles(runner, "similar", "348", "-n", "3")
    by_title = titles(runner, "similar", "ALIEN", "-n", "3")
    assert by_id == by_title and len(by_id) == 3
    assert "Alien" not in by_id
    assert "Interstellar" in by_id  # the other film about a crew far out in space


def test_similar_honours_filters(runner: CliRunner, index_copy: Path) -> None:
    assert set(titles(runner, "similar", "Jaws", "--genre", "Animation")) == {
        "Toy Story",
        "Finding Nemo",
    }
    # --director reads the same as in query: a unique surname stands for the full name.
    assert titles(runner, "similar", "Jaws", "--director", "Spielberg") == ["Jurassic Park"]


def test_ambiguous_and_unknown_titles(runner: CliRunner, index_copy: Path, tmp_path: Path) -> None:
    clash = tmp_path / "clash.json"
    records = json.loads(SMALL_CATALOG.read_text())
    remake = dict(records[10], id=999001, release_date="1999-01-01")  # another "Casablanca"
    clash.write_text(json.dumps([remake]))
    assert runner.invoke(app, ["build", "--catalog", str(clash), "-q"]).exit_code == 0
    result = runner.invoke(app, ["similar", "casablanca"])
    assert result.exit_code == 2
    assert (
        "Several movies are titled 'casablanca': Casablanca (1942, id 289), "
        "Casablanca (1999, id 999001); give the year or the id." in result.stderr
    )
    for named in ("Casablanca (1999)", "casablanca 1999"):
        shown = runner.invoke(app, ["inspect", named, "--json"])
        assert json.loads(shown.stdout)["id"] in ("999001", 999001), shown.output
    unknown = runner.invoke(app, ["inspect", "Citizen Kane"])
    assert unknown.exit_code == 1
    assert "No movie with id or title 'Citizen Kane'" in unknown.stderr


def test_inspect_accepts_a_title(runner: CliRunner, index_copy: Path) -> None:
    result = runner.invoke(app, ["inspect", "the matrix", "--json"])
    assert json.loads(result.stdout)["id"] == 603


def test_context_format_is_prompt_ready(runner: CliRunner, index_copy: Path) -> None:
    result = runner.invoke(app, ["query", "shark", "-n", "2", "--format", "context"])
    assert result.exit_code == 0
    lines = result.stdout.splitlines()
    assert lines[0] == "Movies for: shark" and lines[1] == ""
    assert lines[2].startswith("[1] Jaws (1975) | TMDB id 578 | similarity ")
    assert lines[3] == "Jaws (1975)"
    assert "[2] " in result.stdout
    similar = runner.invoke(app, ["similar", "578", "-n", "1", "--format", "context"])
    assert similar.stdout.startswith("Movies like: 578\n\n[1] ")


def test_json_shape_is_the_same_for_query_and_similar(runner: CliRunner, index_copy: Path) -> None:
    """The same keys, and a query's items also say what it understood."""
    for args, extra in ((["query", "shark"], {"understood"}), (["similar", "578"], set())):
        hits = json.loads(runner.invoke(app, [*args, "-n", "2", "--json"]).stdout)
        assert all(extra <= set(hit) for hit in hits)
        assert [set(hit) - extra for hit in hits] == [
            {
                "rank",
                "id",
                "title",
                "year",
                "genres",
                "similarity",
                "score",
                "explain",
                "document",
                "metadata",
            }
        ] * 2


def test_keyword_index_follows_the_store(
    index_copy: Path, tmp_path: Path, embedder: SentenceTransformerEmbedder
) -> None:
    store = EmbeddingStore(index_copy)
    keywords = KeywordIndex.for_store(store, tmp_path / "kw-cache")
    assert keywords.ensure_current(store) is True
    assert keywords.ensure_current(store) is False
    assert [movie_id for movie_id, _ in keywords.search("clownfish", 3)] == ["12"]
    store.mark_changed()
    assert keywords.ensure_current(store) is True
    hits = search(
        "clownfish",
        store=store,
        embedder=embedder,
        limit=2,
        mode=SearchMode.hybrid,
        keywords=keywords,
        filters=Filters.parse(year="..2000"),
    )
    assert 12 not in [hit.id for hit in hits]  # Finding Nemo (2003) is filtered out
