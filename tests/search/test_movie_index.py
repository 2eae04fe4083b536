"""`MovieIndex`: opening, naming movies, its methods, and the same answers as the CLI (fast
tier: the stand-in model; the real one runs the examples of docs/library.md)."""

from __future__ import annotations

import json
import subprocess
import sys
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from moviembed import MovieIndex
from moviembed.cli.app import app
from moviembed.config import Settings
from moviembed.errors import NotFoundError, UsageError
from moviembed.index.store import EmbeddingStore
from moviembed.search.filters import Filters
from moviembed.search.locking import ReadersWriterLock

CASABLANCA, REMAKE = 289, 999001


@pytest.fixture
def index(fake_index: Path) -> MovieIndex:
    """The small catalog (fake model) plus a second "Casablanca" (1999)."""
    store = EmbeddingStore(fake_index)
    original = store.get_one(str(CASABLANCA), include_embeddings=True)
    remake = dict(original["metadata"], year=1999)
    store.upsert_movies([str(REMAKE)], [original["embedding"]], [original["document"]], [remake])
    return MovieIndex.open(fake_index)


def test_open_by_path_by_default_settings_or_by_settings(
    fake_index: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert MovieIndex.open(fake_index).count() == 12
    assert MovieIndex.open().count() == 12  # MOVIEMBED_DB, as the CLI reads it
    assert MovieIndex.open(settings=Settings.load(db_path=fake_index)).count() == 12
    assert MovieIndex.open(fake_index.parent / "none").count() == 0
    monkeypatch.setenv("MOVIEMBED_CHROMA_URL", "http://127.0.0.1:9")  # a folder given wins
    assert MovieIndex.open(fake_index).count() == 12
    with pytest.raises(UsageError, match="either settings or path"):
        MovieIndex.open(fake_index, settings=Settings.load())


@pytest.mark.parametrize(
    "name", [862, "862", " 862 ", "Toy Story", "toy story", "Toy Story (1995)", "toy story 1995"]
)
def test_a_movie_is_named_by_id_title_or_title_and_year(index: MovieIndex, name: Any) -> None:
    assert index.resolve(name) == 862
    assert index.movie(name)["metadata"]["title"] == "Toy Story"


def test_a_shared_title_lists_its_candidates_and_the_year_picks_one(index: MovieIndex) -> None:
    with pytest.raises(UsageError) as caught:
        index.similar("casablanca")
    assert str(caught.value) == (
        "Several movies are titled 'casablanca': Casablanca (1942, id 289), "
        "Casablanca (1999, id 999001); give the year or the id."
    )
    assert caught.value.field == "movie"
    assert index.resolve("Casablanca (1999)") == REMAKE
    assert index.resolve("casablanca 1942") == CASABLANCA
    with pytest.raises(NotFoundError) as missing:
        index.resolve("Casablanca 1977")
    assert str(missing.value) == (
        "No movie with id or title 'Casablanca 1977' in the index; "
        "there is Casablanca (1942, id 289), Casablanca (1999, id 999001)."
    )


def test_an_unknown_movie_names_the_argument(index: MovieIndex) -> None:
    with pytest.raises(NotFoundError, match="'Citizen Kane'") as caught:
        index.recommend(["Toy Story"], disliked=["Citizen Kane"])
    assert caught.value.field == "disliked"
    with pytest.raises(UsageError, match="names no movie"):
        index.movie("  ")


def test_filters_by_name_or_as_filters(index: MovieIndex) -> None:
    by_name = index.similar("Alien", 5, genres="science fiction", year="..2000")
    assert by_name == index.similar(
        "Alien", 5, filters=Filters.parse(["science fiction"], "..2000")
    )
    assert {hit.title for hit in by_name} == {"The Matrix", "Jurassic Park"}
    with pytest.raises(UsageError, match=r"Unknown option\(s\): colour\."):
        index.search("space", colour="red")
    with pytest.raises(UsageError, match="not both"):
        index.similar("Alien", filters=Filters(), year="1990s")
    with pytest.raises(UsageError, match="rank 'loudest' is not one of"):
        index.search("space", rank="loudest")


def test_recommend_resolves_every_list_and_never_returns_them(index: MovieIndex) -> None:
    picks = index.recommend(["Toy Story", 12], disliked=["Alien"], seen=["Jaws", 329], limit=20)
    returned = {int(pick.id) for pick in picks}
    assert returned and not returned & {862, 12, 348, 578, 329}
    assert {pick.because.title for pick in picks} <= {"Toy Story", "Finding Nemo"}


def test_search_brings_the_keyword_index_up_to_date_first(index: MovieIndex) -> None:
    assert not index.keywords.path.exists()
    hits = index.search("clownfish", limit=1, literal=True)
    assert index.keywords.path.exists() and int(hits[0].id) == 12
    assert index.search("clownfish", limit=1, mode="dense") == index.search(
        "clownfish", limit=1, mode="dense"
    )


def test_context_names_movies_or_searches(index: MovieIndex) -> None:
    named = index.context("fish", movies=["Finding Nemo", 862])
    assert named.startswith("Movies for: fish\n\n[1] ")
    assert "Finding Nemo (2003) | TMDB id 12" in named and "[2] " in named and "[3]" not in named
    searched = index.context("space", limit=2, genres=["science fiction"])
    assert searched.count("| TMDB id") == 2 and "[3]" not in searched


def cli_json(runner: CliRunner, *args: str) -> list[dict[str, Any]]:
    result = runner.invoke(app, [*args, "--json", "--local"])
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


SAME = [
    (
        ["query", "space adventure", "-n", "4", "--genre", "science fiction", "--year", "1970.."],
        lambda index: index.search("space adventure", 4, genres=["science fiction"], year="1970.."),
    ),
    (
        ["query", "crime", "--rank", "year", "--min-votes", "2000", "--mode", "dense"],
        lambda index: index.search("crime", rank="year", min_votes=2000, mode="dense"),
    ),
    (
        ["similar", "Alien", "-n", "3", "--min-rating", "7.6", "--runtime", "..150"],
        lambda index: index.similar("Alien", 3, min_rating=7.6, runtime="..150"),
    ),
    (
        ["similar", "the matrix (1999)", "--director", "Spielberg"],
        lambda index: index.similar(603, director="Spielberg"),
    ),
    (
        ["recommend", "Toy Story", "12", "--not", "Alien", "--genre", "science fiction"],
        lambda index: index.recommend(
            ["toy story 1995", "Finding Nemo"], ["348"], genres="science fiction"
        ),
    ),
    (
        ["recommend", "Jaws", "--method", "rrf", "--year", "1970..1999"],
        lambda index: index.recommend([578], method="rrf", year="1970..1999"),
    ),
]


@pytest.mark.parametrize(("args", "call"), SAME, ids=[" ".join(args[:2]) for args, _ in SAME])
def test_the_library_answers_as_the_cli(
    runner: CliRunner, fake_index: Path, args: list[str], call: Callable[[MovieIndex], Any]
) -> None:
    expected = cli_json(runner, *args)
    hits = call(MovieIndex.open(fake_index))
    dicts = hits.to_dicts() if hasattr(hits, "to_dicts") else [hit.to_dict() for hit in hits]
    assert expected and json.loads(json.dumps(dicts)) == expected


def test_count_imports_no_model_runtime(fake_index: Path, tmp_path: Path) -> None:
    code = (
        "import sys; from moviembed import MovieIndex; "
        f"print(MovieIndex.open({str(fake_index)!r}).count(), "
        "[name for name in ('torch', 'onnxruntime', 'sentence_transformers') "
        "if name in sys.modules])"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, cwd=tmp_path, check=True
    )
    assert done.stdout.split() == ["12", "[]"]


def test_a_reader_may_read_again_while_a_writer_waits() -> None:
    lock = ReadersWriterLock()
    wrote = threading.Event()

    def write() -> None:
        with lock.writing():
            wrote.set()

    with lock.reading():
        writer = threading.Thread(target=write)
        writer.start()
        while not lock._writer_waiting:  # the writer is queued behind this reader
            threading.Event().wait(0.001)
        with lock.reading():  # a method calling another: must not wait for the writer
            assert not wrote.is_set()
    writer.join(timeout=10)
    assert wrote.is_set()


WRITER = """
import sys
from moviembed.index.store import EmbeddingStore
store = EmbeddingStore(sys.argv[1])
vector = [0.0] * 383 + [1.0]
metadata = {"title": "The Lighthouse Cartographer", "title_key": "the lighthouse cartographer"}
store.upsert_movies(["990001"], [vector], ["A lighthouse keeper maps the sea."], [metadata])
store.mark_changed()
"""


def test_a_served_index_shows_another_process_write_after_reopen(fake_index: Path) -> None:
    index = MovieIndex(Settings.load(db_path=fake_index), serving=True).load()
    try:
        assert index.keywords.search("lighthouse", 3) == []
        subprocess.run([sys.executable, "-c", WRITER, str(fake_index)], check=True)
        generation = index.current_generation()
        assert generation != index.generation
        index.reopen(generation)
        assert index.generation == generation and index.count() == 13
        assert index.movie("the lighthouse cartographer")["id"] == "990001"
        assert index.keywords.search("lighthouse", 3)[0][0] == "990001"  # refreshed on reopen
    finally:
        index.close()
