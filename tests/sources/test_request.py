"""The source registry: every kind of source is a class with its field, its modifiers and
its needs, and the checks that follow from those declarations are generic. The tests below
walk the registry, so a new source is covered once it has a value in `SOURCE_VALUES`."""

from __future__ import annotations

import datetime as dt
from dataclasses import fields
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from moviembed.cli.app import app
from moviembed.cli.support import cli_flag
from moviembed.config import Settings
from moviembed.errors import ConfigError, UsageError
from moviembed.sources.request import SourceRequest, open_source, registered

# A value that asks for each kind of source, and one for each modifier.
SOURCE_VALUES: dict[str, Any] = {
    "catalog": Path("catalog.json"),
    "ids_file": Path("ids.txt"),
    "movie_ids": (603,),
    "tmdb_list": "popular",
    "changes": True,
    "tmdb_csv": Path("tmdb_5000_movies.csv"),
}
MODIFIER_VALUES: dict[str, Any] = {
    "limit": 5,
    "min_popularity": 0.0,  # 0 is a value too, not "not given"
    "include_adult": True,
    "since": dt.date(2026, 1, 1),
    "credits_csv": Path("credits.csv"),
    "refresh": True,
    "offline": True,
}
COMBINATIONS = [
    (source, modifier) for source in registered() for modifier in sorted(MODIFIER_VALUES)
]


def test_every_request_field_is_a_source_or_some_source_s_modifier() -> None:
    sources = registered()
    taken = set().union(*(kind.modifiers for kind in sources.values()))
    names = {item.name for item in fields(SourceRequest)}
    assert set(sources) | taken == names
    assert set(sources) == set(SOURCE_VALUES) and taken == set(MODIFIER_VALUES)
    assert all(kind.option == option for option, kind in sources.items())


def test_every_source_and_modifier_is_an_option_of_build(runner: CliRunner) -> None:
    result = runner.invoke(app, ["build", "--help"], env={"COLUMNS": "200"})
    assert result.exit_code == 0
    for item in fields(SourceRequest):
        assert f" {cli_flag(item.name)} " in result.stdout, item.name


@pytest.mark.parametrize(("source", "modifier"), COMBINATIONS)
def test_a_modifier_goes_only_with_the_sources_that_declare_it(source: str, modifier: str) -> None:
    kind = registered()[source]
    request = SourceRequest(**{source: SOURCE_VALUES[source], modifier: MODIFIER_VALUES[modifier]})
    if modifier in kind.modifiers and not (modifier == "offline" and kind.online):
        assert request.check() is kind
        return
    with pytest.raises(UsageError) as caught:
        request.check()
    assert caught.value.field == modifier
    message = str(caught.value)  # the library's words: the field as the library names it
    assert message.startswith(f"{modifier} ") and kind.described in message


def test_two_sources_are_refused_naming_the_second() -> None:
    request = SourceRequest(movie_ids=(603,), tmdb_csv=Path("movies.csv"))
    with pytest.raises(UsageError, match="one source at a time") as caught:
        request.check()
    assert caught.value.field == "tmdb_csv"
    assert caught.value.worded(cli_flag) == "Give one source at a time: --tmdb-csv is a second one."


def test_refresh_and_offline_together_are_refused() -> None:
    with pytest.raises(UsageError, match="contradict") as caught:
        SourceRequest(movie_ids=(603,), refresh=True, offline=True).check()
    assert caught.value.field == "refresh"


def test_no_source_is_the_catalog() -> None:
    assert SourceRequest().check() is registered()["catalog"]


def test_each_face_names_the_field_its_own_way(runner: CliRunner) -> None:
    with pytest.raises(UsageError) as caught:
        SourceRequest(since=dt.date(2026, 1, 1)).check()
    assert str(caught.value) == "since goes with a sync of TMDB's changes, not with a catalog."
    result = runner.invoke(app, ["build", "--since", "2026-01-01"])
    assert result.exit_code == 2
    assert result.stderr == (
        "Error: --since goes with a sync of TMDB's changes, not with a catalog.\n"
    )


def test_without_credentials_a_tmdb_source_suggests_offline_unless_it_needs_tmdb() -> None:
    settings = Settings.load(environ={})
    with pytest.raises(ConfigError) as by_id:
        open_source(SourceRequest(movie_ids=(603,)), settings)
    assert by_id.value.field == "offline" and "add offline to use" in str(by_id.value)
    with pytest.raises(ConfigError) as by_list:
        open_source(SourceRequest(tmdb_list="popular"), settings)
    assert by_list.value.field is None and "offline" not in str(by_list.value)
