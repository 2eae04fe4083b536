"""TMDB's change feed checked like every other TMDB answer: a malformed page, or a page count
beyond what TMDB serves, stops `build --changes` with one line, and the next sync still
starts where the last complete one ended."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from moviembed.cli.app import app
from moviembed.index.store import EmbeddingStore
from tests.fake_tmdb import FakeTmdb

SINCE = (dt.date.today() - dt.timedelta(days=20)).isoformat()
GOOD = {"results": [{"id": 603, "adult": False}], "page": 1, "total_pages": 1}


def page(**changes: Any) -> dict[str, Any]:
    return {key: value for key, value in {**GOOD, **changes}.items() if value != "-"}


def results(*items: Any) -> dict[str, Any]:
    return page(results=list(items))


MALFORMED = {
    "results a string": page(results="nope"),
    "results null": page(results=None),
    "results an object": page(results={"id": 603}),
    "no results": page(results="-"),
    "empty object": {},
    "only a page count": {"total_pages": 1},
    "id a string": results({"id": "603"}),
    "id null": results({"id": None}),
    "id missing": results({"adult": False}),
    "id a float": results({"id": 603.5}),
    "id negative": results({"id": -3}),
    "id zero": results({"id": 0}),
    "id true": results({"id": True}),
    "id 2**31": results({"id": 2**31}),
    "id 10**30": results({"id": 10**30}),
    "id a list": results({"id": [603]}),
    "item a number": results(603),
    "item a list": results([603]),
    "item null": results(None),
    "one bad id among good": results({"id": 603}, {"id": "x"}, {"id": 12}),
    "page negative": page(page=-1),
    "page zero": page(page=0),
    "page absurd": page(page=10**12),
    "page a string": page(page="1"),
    "page missing": page(page="-"),
    "page true": page(page=True),
    "page another": page(page=2),
    "page count negative": page(total_pages=-1),
    "page count a string": page(total_pages="1"),
    "page count null": page(total_pages=None),
    "page count missing": page(total_pages="-"),
    "page count a float": page(total_pages=1.0),
    "empty before the announced end": page(results=[], total_pages=3),
}
TOO_MANY_PAGES = {"10**12 pages": 10**12, "7001 pages": 7001, "501 pages every day": 501}


@pytest.fixture
def feed(fake_tmdb: FakeTmdb, fake_index: Path) -> FakeTmdb:
    fake_tmdb.reset()
    return fake_tmdb


def sync_refused(feed: FakeTmdb, index: Path, message: str) -> None:
    """`build --changes` exits 1 with one `Error:` line holding `message`, records no new
    sync point, and asked TMDB only a few times."""
    result = CliRunner().invoke(app, ["build", "--changes", "--since", SINCE, "-q"])
    errors = [line for line in result.stderr.splitlines() if line.startswith("Error:")]
    assert result.exit_code == 1, result.output
    assert len(errors) == 1 and message in errors[0], result.stderr
    assert "Traceback" not in result.output
    assert EmbeddingStore(index).sync_state().synced is None
    changes = [path for path in feed.paths if path == "/3/movie/changes"]
    assert 1 <= len(changes) <= 6


@pytest.mark.parametrize("payload", list(MALFORMED.values()), ids=list(MALFORMED))
def test_a_malformed_page_of_changes_is_an_error(
    feed: FakeTmdb, fake_index: Path, payload: dict[str, Any]
) -> None:
    feed.answer_next(1, payload)
    sync_refused(feed, fake_index, "is malformed" if payload.get("results") != [] else "empty")


@pytest.mark.parametrize("pages", list(TOO_MANY_PAGES.values()), ids=list(TOO_MANY_PAGES))
def test_more_pages_than_tmdb_serves_are_refused_not_walked(
    feed: FakeTmdb, fake_index: Path, pages: int
) -> None:
    feed.answer_next(50, page(total_pages=pages, page="-") | {"page": 1})
    sync_refused(feed, fake_index, "it serves")


def test_a_well_formed_feed_still_moves_the_sync_point(feed: FakeTmdb, fake_index: Path) -> None:
    result = CliRunner().invoke(app, ["build", "--changes", "--since", SINCE, "-q"])
    assert result.exit_code == 0, result.output
    assert EmbeddingStore(fake_index).sync_state().synced is not None
