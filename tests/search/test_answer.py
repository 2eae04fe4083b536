"""`search.answer`: the CLI's options by name, run the same way here and in a service."""

from __future__ import annotations

from pathlib import Path

import pytest

from moviembed.choices import RankOrder, SearchMode
from moviembed.errors import UsageError
from moviembed.search.answer import answer
from moviembed.search.filters import Filters
from moviembed.search.movie_index import MovieIndex
from moviembed.search.query import search
from tests.fakes import HashingEmbedder


def searchable(path: Path, cache: Path) -> MovieIndex:
    return MovieIndex.open(path, cache_dir=cache)


def test_options_by_their_cli_names_give_the_library_results(
    fake_index: Path, user_cache: Path
) -> None:
    index = searchable(fake_index, user_cache)
    options = {"text": "space", "limit": 3, "genre": ["science fiction"], "mode": "dense"}
    hits = answer("query", options | {"rank": "year", "year": None}, index)
    expected = search(
        "space",
        store=index.store,
        embedder=HashingEmbedder(),
        limit=3,
        filters=Filters.parse(["science fiction"], None, None, None),
        mode=SearchMode.dense,
        order=RankOrder.year,
    )
    assert hits == expected and hits


@pytest.mark.parametrize(
    ("command", "options", "message"),
    [
        ("delete", {}, "Unknown search command 'delete'; use one of query, similar, recommend."),
        ("similar", {"movie": "603", "limit": 3, "colour": "red"}, "Unknown option(s): colour."),
        ("similar", {"movie": "603", "limit": 3, "store": "x"}, "Unknown option(s): store."),
        (
            "query",
            {"text": "x", "limit": 3, "mode": "loud"},
            ("mode 'loud' is not one of dense, hybrid."),
        ),
    ],
)
def test_an_unknown_command_option_or_choice_is_a_usage_error(
    fake_index: Path, user_cache: Path, command: str, options: dict, message: str
) -> None:
    with pytest.raises(UsageError) as caught:
        answer(command, options, searchable(fake_index, user_cache))
    assert str(caught.value) == message
