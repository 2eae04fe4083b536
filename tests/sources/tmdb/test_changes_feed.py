"""`TmdbClient.changed_ids` against the fake TMDB's `/movie/changes`: windows, pages, splits."""

from __future__ import annotations

import datetime as dt

import pytest

from moviembed.errors import UsageError
from moviembed.sources.tmdb import client as client_module
from moviembed.sources.tmdb.client import TmdbClient
from tests.fake_tmdb import FakeTmdb, many_movies

TODAY = dt.date(2026, 11, 28)


@pytest.fixture
def server() -> FakeTmdb:
    with FakeTmdb(many_movies(400), api_key="key") as fake:
        yield fake


def client_for(server: FakeTmdb) -> TmdbClient:
    return TmdbClient(api_key="key", base_url=server.url, rate=1000)


def windows(server: FakeTmdb) -> list[tuple[dt.date, dt.date, int]]:
    return [
        (
            dt.date.fromisoformat(seen.params["start_date"]),
            dt.date.fromisoformat(seen.params["end_date"]),
            int(seen.params["page"]),
        )
        for seen in server.requests
        if seen.path == "/3/movie/changes"
    ]


def test_a_long_span_is_asked_14_days_at_a_time_and_every_page(server: FakeTmdb) -> None:
    ids = sorted(server.movies)
    server.changes.record(ids[:150], TODAY - dt.timedelta(days=40))  # two pages that day
    server.changes.record(ids[100:160], TODAY - dt.timedelta(days=3))  # overlaps: once each
    server.changes.record(ids[390:], TODAY - dt.timedelta(days=60))  # before the span
    found = list(client_for(server).changed_ids(TODAY - dt.timedelta(days=45), TODAY))
    assert found == ids[:100] + ids[100:150] + ids[150:160]
    asked = windows(server)
    spans = sorted({(start, end) for start, end, _ in asked})
    assert spans[0][0] == TODAY - dt.timedelta(days=45) and spans[-1][1] == TODAY
    for (_, end), (next_start, _) in zip(spans, spans[1:], strict=False):
        assert next_start == end + dt.timedelta(days=1)  # no gap, no overlap
    assert all((end - start).days <= 13 for start, end in spans)
    assert [page for start, _, page in asked if start == spans[0][0]] == [1, 2]


def test_a_window_with_more_pages_than_tmdb_serves_is_split(
    server: FakeTmdb, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(client_module, "MAX_PAGE", 2)  # as if one window held > 500 pages
    ids = sorted(server.movies)
    for day in range(10):
        server.changes.record(ids[day * 30 : day * 30 + 30], TODAY - dt.timedelta(days=day))
    found = list(client_for(server).changed_ids(TODAY - dt.timedelta(days=9), TODAY))
    assert sorted(found) == ids[:300]
    assert len({(start, end) for start, end, _ in windows(server)}) > 1


def test_no_changes_and_a_backwards_window(server: FakeTmdb) -> None:
    client = client_for(server)
    assert list(client.changed_ids(TODAY, TODAY)) == []
    with pytest.raises(UsageError, match="ends .* before it starts"):
        list(client.changed_ids(TODAY, TODAY - dt.timedelta(days=1)))


def test_the_fake_refuses_windows_tmdb_refuses(server: FakeTmdb) -> None:
    status, _ = server.changes.answer({"start_date": "2026-01-01", "end_date": "2026-01-15"})
    assert status == 422
    status, body = server.changes.answer({"start_date": "2026-01-01", "end_date": "2026-01-14"})
    assert status == 200 and body["results"] == []
