"""query, similar and recommend take the same filter options, and a bad value is named by
its flag (the library names it by its field; `cli_flag` says it as the command line does)."""

from __future__ import annotations

import json
import shlex
from pathlib import Path

import pytest
from typer.testing import CliRunner

from moviembed.cli.app import app
from moviembed.cli.options import FILTER_OPTIONS
from moviembed.cli.support import cli_flag

COMMANDS = {"query": ["a shark"], "similar": ["Toy Story"], "recommend": ["Toy Story"]}


@pytest.mark.parametrize("command", list(COMMANDS))
def test_every_search_command_lists_every_filter(runner: CliRunner, command: str) -> None:
    shown = runner.invoke(app, [command, "--help"], env={"COLUMNS": "200"}).stdout
    for name in FILTER_OPTIONS:
        assert cli_flag("genres" if name == "genre" else name) in shown


# A bad value, as typed, and the start of the one line that refuses it.
REFUSED = {
    "--min-rating 11": "Error: --min-rating 11.0 is outside TMDB's 0-10 scale.",
    "--min-votes -1": "Error: --min-votes -1 is negative; use 0 or more.",
    "--genre cartoons": "Error: --genre 'cartoons' is not a TMDB genre.",
    "--year 2020..1990": "Error: --year '2020..1990' runs backwards",
    "--director ' '": "Error: --director needs a name",
}


@pytest.mark.parametrize("command", list(COMMANDS))
@pytest.mark.parametrize("typed", list(REFUSED))
def test_a_bad_filter_is_named_by_its_flag_in_every_command(
    runner: CliRunner, fake_index: Path, command: str, typed: str
) -> None:
    result = runner.invoke(app, [command, *COMMANDS[command], *shlex.split(typed)])
    assert result.exit_code == 2, result.output
    assert result.stderr.startswith(REFUSED[typed]), result.stderr


def test_recommend_applies_the_filters_query_has(runner: CliRunner, fake_index: Path) -> None:
    args = ["recommend", "Toy Story", "--min-rating", "8", "--min-votes", "5000", "--json"]
    picks = json.loads(runner.invoke(app, [*args, "--runtime", "..160"]).stdout)
    assert picks and all(
        pick["metadata"]["vote_average"] >= 8
        and pick["metadata"]["vote_count"] >= 5000
        and pick["metadata"]["runtime"] <= 160
        for pick in picks
    )
    assert all(type(pick["id"]) is int and type(pick["because"]["id"]) is int for pick in picks)


def test_cli_flag_says_a_field_as_the_command_line_does() -> None:
    assert cli_flag("min_rating") == "--min-rating"
    assert cli_flag("genres") == "--genre"
    assert cli_flag("disliked") == "--not"
