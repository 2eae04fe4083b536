"""Every command through Typer's CliRunner, then the index reopened to check the effect."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from moviembed import __version__
from moviembed.cli.app import app
from moviembed.index.store import EmbeddingStore

from ..conftest import SMALL_CATALOG

SMALL = ["build", "--catalog", str(SMALL_CATALOG)]


def test_build_reports_on_stderr_and_reruns_change_nothing(
    runner: CliRunner, isolated_env: Path
) -> None:
    first = runner.invoke(app, SMALL)
    assert first.exit_code == 0, first.output
    assert first.stdout == ""
    assert "Index updated: 12 added, 0 updated, 0 unchanged, 0 failed" in first.stderr
    again = runner.invoke(app, SMALL)
    assert again.exit_code == 0
    assert "Nothing to do: the index is already up to date (0 added, 0 updated, 12 unchanged" in (
        again.stderr
    )
    assert EmbeddingStore(isolated_env / "index").count() == 12


def test_build_json_report_is_the_only_stdout(runner: CliRunner) -> None:
    result = runner.invoke(app, [*SMALL, "--json", "--quiet"])
    assert result.exit_code == 0
    report = json.loads(result.stdout)
    assert (report["added"], report["failed"], report["interrupted"]) == (12, [], False)


def test_build_shows_processing_progress_on_a_terminal(
    runner: CliRunner, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("TTY_INTERACTIVE", "1")
    monkeypatch.setenv("TTY_COMPATIBLE", "1")
    result = runner.invoke(app, SMALL)
    assert result.exit_code == 0
    assert "Processing movie 12/12: Jurassic Park" in result.stderr
    assert "Encoding" in result.stderr
    assert result.stdout == ""


def test_build_with_a_bad_catalog_fails_cleanly(runner: CliRunner, tmp_path: Path) -> None:
    bad = tmp_path / "bad.json"
    bad.write_text('[{"id": 1}]')
    result = runner.invoke(app, ["build", "--catalog", str(bad)])
    assert result.exit_code == 2
    assert result.stderr.startswith("Error: bad.json: record 1 (id 1): missing field(s) title")
    assert "Traceback" not in result.output


def test_count_prints_just_the_number(runner: CliRunner, index_copy: Path) -> None:
    result = runner.invoke(app, ["count"])
    assert (result.exit_code, result.stdout) == (0, "12\n")


def test_count_without_an_index_is_zero(runner: CliRunner) -> None:
    result = runner.invoke(app, ["--db", "elsewhere", "count"])
    assert (result.exit_code, result.stdout) == (0, "0\n")
    assert not Path("elsewhere").exists()


def test_query_prints_a_ranked_table_on_a_terminal(
    runner: CliRunner, index_copy: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("TTY_COMPATIBLE", "1")
    result = runner.invoke(app, ["query", "a shark attacks a beach town", "-n", "3"])
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert any("Title" in line and "Score" in line for line in lines)
    first_row = next(line for line in lines if line.strip().startswith("1 "))
    assert "Jaws" in first_row and "1975" in first_row
    assert sum(1 for line in lines if line.strip()[:1].isdigit()) == 3


def test_piped_query_output_is_tab_separated(runner: CliRunner, index_copy: Path) -> None:
    result = runner.invoke(app, ["query", "a shark attacks a beach town", "-n", "2"])
    rows = [line.split("\t") for line in result.stdout.splitlines()]
    # rank, id, title, year, genres, similarity first; rating, votes and score follow
    assert len(rows) == 2 and all(len(row) == 9 for row in rows)
    assert rows[0][:4] == ["1", "578", "Jaws", "1975"]
    assert float(rows[0][5]) > float(rows[1][5])


def test_query_json_is_a_list_for_scripts(runner: CliRunner, index_copy: Path) -> None:
    result = runner.invoke(app, ["query", "computer hacker simulation", "--json", "-n", "4"])
    assert result.exit_code == 0
    hits = json.loads(result.stdout)
    assert [hit["rank"] for hit in hits] == [1, 2, 3, 4]
    assert hits[0]["title"] == "The Matrix" and hits[0]["id"] == 603
    assert {"year", "genres", "similarity", "score", "document", "metadata"} <= set(hits[0])
    scores = [hit["score"] for hit in hits]
    assert scores == sorted(scores, reverse=True)  # rank order is score order
    assert all(-1.0 <= hit["similarity"] <= 1.0 for hit in hits)


def test_query_on_an_empty_index_hints_at_build(runner: CliRunner) -> None:
    result = runner.invoke(app, ["query", "anything"])
    assert result.exit_code == 1
    assert result.stderr.strip().endswith("is empty. Run `moviembed build` first.")
    assert result.stdout == ""


@pytest.mark.parametrize(
    ("args", "code", "message"),
    [
        (["query", "   "], 2, "The query is empty"),
        (["query", "x", "-n", "0"], 2, "Invalid value for '--limit'"),
        (["inspect", "abc"], 1, "No movie with id or title 'abc' in the index"),
        (["inspect", "999999"], 1, "No movie with id or title '999999' in the index"),
        (["--model", "BAAI/bge-small-en-v1.5", "count"], 2, "was built with"),
    ],
)
def test_error_paths_give_one_line_and_an_exit_code(
    runner: CliRunner, index_copy: Path, args: list[str], code: int, message: str
) -> None:
    result = runner.invoke(app, args)
    assert result.exit_code == code
    assert message in result.stderr
    assert "Traceback" not in result.stderr
    assert result.stdout == ""


def test_verbose_shows_the_traceback(runner: CliRunner, index_copy: Path) -> None:
    result = runner.invoke(app, ["--verbose", "inspect", "999999"])
    assert result.exit_code == 1
    assert "Traceback" in result.stderr
    assert result.stderr.rstrip().splitlines()[-1].startswith("Error: No movie with id or title")


def test_inspect_describes_the_index(runner: CliRunner, index_copy: Path) -> None:
    result = runner.invoke(app, ["inspect"])
    assert result.exit_code == 0
    for expected in (str(index_copy), "movies", "all-MiniLM-L6-v2", "384", "cosine", "12"):
        assert expected in result.stdout
    info = json.loads(runner.invoke(app, ["inspect", "--json"]).stdout)
    assert info["count"] == 12 and info["dimension"] == 384 and info["distance"] == "cosine"
    assert info["size_bytes"] > 0


def test_inspect_one_movie_shows_document_metadata_and_embedding(
    runner: CliRunner, index_copy: Path
) -> None:
    result = runner.invoke(app, ["inspect", "603"])
    assert result.exit_code == 0
    assert "The Matrix (1999)" in result.stdout
    assert "384-d, norm 1.0000" in result.stdout
    data = json.loads(runner.invoke(app, ["inspect", "603", "--json"]).stdout)
    assert data["metadata"]["title"] == "The Matrix"
    assert data["embedding"]["dimension"] == 384
    assert data["embedding"]["norm"] == pytest.approx(1.0, abs=1e-4)
    assert len(data["embedding"]["head"]) == 8


def test_version_and_help(runner: CliRunner) -> None:
    assert runner.invoke(app, ["--version"]).stdout == f"moviembed {__version__}\n"
    result = runner.invoke(app, [])
    assert "build" in result.output and "query" in result.output


def test_db_flag_beats_the_environment(runner: CliRunner, tmp_path: Path) -> None:
    result = runner.invoke(app, ["--db", str(tmp_path / "other"), *SMALL, "-q"])
    assert result.exit_code == 0
    assert EmbeddingStore(tmp_path / "other").count() == 12
    assert EmbeddingStore(tmp_path / "index").count() == 0


def test_a_bad_setting_does_not_break_help(runner: CliRunner, tmp_path: Path) -> None:
    (tmp_path / ".env").write_text("MOVIEMBED_BATCH_SIZE=abc\n")
    assert runner.invoke(app, ["count", "--help"]).exit_code == 0
    result = runner.invoke(app, ["count"])
    assert result.exit_code == 2
    assert (
        "MOVIEMBED_BATCH_SIZE (in .env) must be a number from 1 to 4096, got 'abc'" in result.stderr
    )


def test_count_json_and_conflicting_formats(runner: CliRunner, index_copy: Path) -> None:
    assert json.loads(runner.invoke(app, ["count", "--json"]).stdout) == {"count": 12}
    result = runner.invoke(app, ["query", "x", "--json", "--format", "context"])
    assert result.exit_code == 2 and "ask for different output" in result.stderr


def test_a_build_where_every_movie_failed_exits_1(runner: CliRunner, tmp_path: Path) -> None:
    movies = tmp_path / "movies.csv"
    movies.write_text("id,title,genres,overview,release_date,runtime\nx1,Bad,[],,,\n")
    result = runner.invoke(app, ["build", "--tmdb-csv", str(movies), "-q"])
    assert result.exit_code == 1
    assert "0 added, 0 updated, 0 unchanged, 1 failed" in result.stderr
