"""The web page in a real headless Chromium: typed into and driven with the keyboard only.

Skipped where no chromium is installed (Debian: apt-get install -y chromium). Screenshots
are kept in each test's tmp folder.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from moviembed.config import Settings
from moviembed.serve import create_app
from tests.browser import Browser, Page, chromium_executable
from tests.live_server import LiveServer

pytestmark = [pytest.mark.slow, pytest.mark.browser]

TITLES = "[...document.querySelectorAll('#results .title')].map(node => node.textContent)"
STATUS = "document.getElementById('status').textContent"


@pytest.fixture
def browser(tmp_path: Path) -> Iterator[Browser]:
    if chromium_executable() is None:
        pytest.skip("chromium is not installed (Debian: apt-get install -y chromium)")
    with Browser(tmp_path / "chromium-profile") as started:
        yield started


def serving(index: Path, cache: Path, token: str | None = None) -> LiveServer:
    """The service over `index` in a real uvicorn, as `moviembed serve` runs it."""
    return LiveServer(create_app(Settings(db_path=index, cache_dir=cache, serve_token=token)))


def submit(page: Page, text: str) -> None:
    """Type into the focused field and press Enter, as a person would."""
    page.type_text(text)
    page.press("Enter", 13, "\r")


def problems(browser: Browser, base_url: str) -> list[str]:
    """Script errors, console errors and requests that left the service, seen so far."""
    found = []
    for event in browser.events:
        method, params = event.get("method"), event.get("params", {})
        if method == "Runtime.exceptionThrown":
            found.append(f"exception: {params['exceptionDetails']}")
        elif method == "Log.entryAdded" and params["entry"]["level"] == "error":
            found.append(f"console: {params['entry']['text']}")
        elif method == "Network.requestWillBeSent":
            url = params["request"]["url"]
            if not url.startswith(base_url):
                found.append(f"request to {url}")
    return found


def test_search_and_more_like_this_with_the_keyboard(
    browser: Browser, index_copy: Path, user_cache: Path, tmp_path: Path
) -> None:
    with serving(index_copy, user_cache) as server:
        page = browser.open_page(server.url + "/")
        page.wait_for("document.activeElement.id === 'q'")  # the search box has focus
        page.wait_for("document.getElementById('count').textContent === '12 movies'")
        submit(page, "a shark attacks a beach town")
        assert page.wait_for(TITLES)[0] == "Jaws"
        card = page.evaluate("document.querySelector('#results .movie').innerText")
        for fact in ("(1975)", "Horror", "Directed by Steven Spielberg", "With ", "similarity"):
            assert fact in card
        assert page.evaluate("document.querySelector('.synopsis').textContent.length") > 40
        assert page.evaluate("document.querySelectorAll('.poster:not([hidden])').length") == 0
        assert "q=a+shark" in page.evaluate("location.search")
        page.screenshot(tmp_path / "search.png")

        page.evaluate("document.querySelector('.like-this').focus()")
        page.press("Enter", 13, "\r")
        page.wait_for("document.getElementById('results-heading').textContent === 'More like Jaws'")
        assert "Jaws" not in page.wait_for(TITLES)
        assert page.evaluate("document.activeElement.id") == "results-heading"
        page.screenshot(tmp_path / "more-like-this.png")

        page.evaluate("document.querySelector('[name=year]').focus()")
        submit(page, "19x")
        assert "is not a year or range" in page.wait_for(f"{STATUS}.includes('year') && {STATUS}")
        assert problems(browser, server.url) == [
            "console: Failed to load resource: the server responded with a status of 400 "
            "(Bad Request)"
        ]
    assert (tmp_path / "search.png").stat().st_size > 10_000


def test_the_page_asks_for_the_token(
    browser: Browser, index_copy: Path, user_cache: Path, tmp_path: Path
) -> None:
    with serving(index_copy, user_cache, token="page-t0ken") as server:
        page = browser.open_page(server.url + "/?q=toys+come+alive")
        page.wait_for("!document.getElementById('token').hidden")
        page.evaluate("document.getElementById('token-value').focus()")
        submit(page, "page-t0ken")
        assert page.wait_for(TITLES)[0] == "Toy Story"
        assert page.evaluate("document.getElementById('token').hidden")
        page.screenshot(tmp_path / "with-token.png")


def test_sort_and_minimum_rating_from_the_address_bar(
    browser: Browser, index_copy: Path, user_cache: Path, tmp_path: Path
) -> None:
    with serving(index_copy, user_cache) as server:
        page = browser.open_page(server.url + "/?q=a+film&rank=year&min_rating=8")
        titles = page.wait_for(TITLES)
        assert titles == [
            "Interstellar",
            "Pulp Fiction",
            "The Silence of the Lambs",
            "The Godfather",
        ]
        assert page.evaluate("document.querySelector('[name=rank]').value") == "year"
        assert page.evaluate("document.querySelector('[name=min_rating]').value") == "8"
        card = page.evaluate("document.querySelector('#results .movie').innerText")
        assert "★ 8.1 (10,867 votes)" in card and "score " in card and "similarity " in card
        page.screenshot(tmp_path / "sorted.png")

        page.evaluate("document.querySelector('.like-this').focus()")
        page.press("Enter", 13, "\r")
        page.wait_for("document.getElementById('results-heading').textContent.startsWith('More')")
        assert "rank=" not in page.evaluate("location.search")
        assert "min_rating=8" in page.evaluate("location.search")
        card = page.evaluate("document.querySelector('#results .movie').innerText")
        assert "score " not in card
        assert problems(browser, server.url) == []
