"""The web page in Debian's headless chromium (driven by Playwright), used with the keyboard.

The small catalog is served with posters for three movies, from a local image server named
by MOVIEMBED_IMAGE_BASE_URL: nothing is loaded from the internet. Skipped where no chromium
is installed (Debian: apt-get install -y chromium). Screenshots at desktop and phone widths
go to each test's tmp folder.
"""

from __future__ import annotations

import json
import re
import struct
import threading
import zlib
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import httpx
import pytest
from playwright.sync_api import Browser, Page, expect

from moviembed.config import Settings
from moviembed.embedding.embedder import SentenceTransformerEmbedder
from moviembed.index.builder import build_index
from moviembed.index.store import EmbeddingStore
from moviembed.serve import create_app
from moviembed.sources.catalog import load_catalog
from tests.browser import PHONE, Tab, chromium_executable, launched
from tests.live_server import LiveServer

pytestmark = [pytest.mark.slow, pytest.mark.browser]

SMALL = Path(__file__).resolve().parents[1] / "data" / "movies_small.json"
RATINGS = Path(__file__).resolve().parents[1] / "data" / "ratings" / "plain.csv"
POSTERS = {862: "/toy-story.png", 12: "/finding-nemo.png", 603: "/the-matrix.png"}
TITLES = "#results .title"


def png(width: int, height: int, rgb: tuple[int, int, int]) -> bytes:
    """A solid-colour PNG, made here so the image server needs no file."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    rows = b"".join(b"\0" + bytes(rgb) * width for _ in range(height))
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(rows))


class _Images(BaseHTTPRequestHandler):
    image = png(40, 60, (40, 90, 160))

    def do_GET(self) -> None:  # noqa: N802 (http.server's name)
        known = self.path.removeprefix("/t/p/w185") in POSTERS.values()
        self.send_response(200 if known else 404)
        self.send_header("Content-Type", "image/png")
        self.end_headers()
        if known:
            self.wfile.write(self.image)

    def log_message(self, format: str, *args: object) -> None:
        pass


@pytest.fixture(scope="module")
def image_server() -> Iterator[str]:
    """A local stand-in for TMDB's image server; its base URL."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Images)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()


@pytest.fixture(scope="module")
def served_paths(
    tmp_path_factory: pytest.TempPathFactory,
    embedder: SentenceTransformerEmbedder,
    onnx_cache: Path,
) -> tuple[Path, Path]:
    """The small catalog, three movies with a poster_path, indexed with the real model."""
    root = tmp_path_factory.mktemp("page")
    movies = json.loads(SMALL.read_text(encoding="utf-8"))
    for movie in movies:
        if movie["id"] in POSTERS:
            movie["poster_path"] = POSTERS[movie["id"]]
    (root / "catalog.json").write_text(json.dumps(movies), encoding="utf-8")
    catalog = load_catalog(root / "catalog.json")
    build_index(catalog, store=EmbeddingStore(root / "index"), embedder=embedder)
    (root / "cache").mkdir()
    (root / "cache" / "onnx").symlink_to(onnx_cache / "onnx", target_is_directory=True)
    return root / "index", root / "cache"


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    if chromium_executable() is None:
        pytest.skip("chromium is not installed (Debian: apt-get install -y chromium)")
    with launched() as started:
        yield started


def serving(paths: tuple[Path, Path], images: str, token: str | None = None) -> LiveServer:
    """The service in a real uvicorn, as `moviembed serve` runs it."""
    settings = Settings(
        db_path=paths[0],
        cache_dir=paths[1],
        serve_token=token,
        image_base_url=f"{images}/t/p/w185",
    )
    return LiveServer(create_app(settings))


@pytest.fixture(scope="module")
def server(served_paths: tuple[Path, Path], image_server: str) -> Iterator[LiveServer]:
    with serving(served_paths, image_server) as started:
        yield started


def press(page: Page, selector: str, key: str = "Enter") -> None:
    """Focus an element and press a key on it, as a keyboard user would."""
    page.locator(selector).focus()
    page.keyboard.press(key)


def tab_to(page: Page, selector: str, most: int = 60) -> None:
    """Press Tab until `selector` has focus: it is reachable by keyboard alone."""
    target = page.locator(selector)
    for _ in range(most):
        if target.evaluate("node => node === document.activeElement"):
            return
        page.keyboard.press("Tab")
    raise AssertionError(f"{most} presses of Tab never reached {selector}")


def submit(page: Page, text: str) -> None:
    """Type into the focused field and press Enter."""
    page.keyboard.type(text)
    page.keyboard.press("Enter")


def titles(page: Page) -> list[str]:
    page.locator(TITLES).first.wait_for()
    return page.locator(TITLES).all_text_contents()


def test_search_posters_and_more_like_this_with_the_keyboard(
    browser: Browser, server: LiveServer, image_server: str, tmp_path: Path
) -> None:
    tab = Tab.open(browser, server.url + "/", [server.url, image_server])
    page = tab.page
    expect(page.locator("#q")).to_be_focused()  # the search box has focus
    expect(page.locator("#count")).to_have_text("12 movies")
    submit(page, "toys that come alive")
    assert titles(page)[0] == "Toy Story"
    card = page.locator("#results .movie").first
    for fact in ("(1995)", "Animation", "Directed by John Lasseter", "With ", "similarity"):
        expect(card).to_contain_text(fact)
    poster = card.locator("img.poster")
    expect(poster).to_have_attribute("src", f"{image_server}/t/p/w185/toy-story.png")
    page.wait_for_function("document.querySelector('#results img.poster').naturalWidth === 40")
    placeholders = page.locator("#results .poster.placeholder")
    assert placeholders.count() == len(titles(page)) - page.locator("#results img.poster").count()
    expect(placeholders.first).to_have_attribute("aria-hidden", "true")
    assert "q=toys+that" in page.evaluate("location.search")
    page.screenshot(path=tmp_path / "search.png", full_page=True)

    press(page, "#results .like-this >> nth=0")
    expect(page.locator("#results-heading")).to_have_text("More like Toy Story")
    expect(page.locator("#results-heading")).to_be_focused()
    assert "Toy Story" not in titles(page)

    page.locator("[name=year]").focus()
    submit(page, "19x")
    expect(page.locator("#status")).to_contain_text("is not a year or range")
    assert tab.problems == [
        "console: Failed to load resource: the server responded with a status of 400 (Bad Request)"
    ]


def test_like_dislike_for_you_and_the_shared_address(
    browser: Browser, server: LiveServer, image_server: str, tmp_path: Path
) -> None:
    tab = Tab.open(browser, server.url + "/?q=animated+fish+and+toys", [server.url, image_server])
    page = tab.page
    titles(page)
    tab_to(page, "#results .like[aria-label='Like Toy Story']")
    page.keyboard.press("Enter")
    press(page, "#results .like[aria-label='Like Finding Nemo']")
    press(page, "#results .dislike[aria-label='Jaws is not for me']", " ")
    expect(page.locator("#results .like[aria-label='Like Toy Story']")).to_have_attribute(
        "aria-pressed", "true"
    )
    assert re.search(r"liked=12%2C862&disliked=578", page.evaluate("location.search"))
    expect(page.locator("#liked-chips")).to_contain_text("Finding Nemo ×")
    expect(page.locator("#disliked-chips")).to_contain_text("Jaws ×")

    press(page, "#to-for-you")
    expect(page.locator("#results-heading")).to_have_text("For you")
    expect(page.locator("#results-heading")).to_be_focused()
    expect(page.locator("#to-for-you")).to_have_attribute("aria-current", "page")
    picks = titles(page)
    assert not {"Toy Story", "Finding Nemo", "Jaws"} & set(picks)
    because = page.locator("#results .because").all_text_contents()
    assert set(because) <= {"Because you liked Toy Story", "Because you liked Finding Nemo"}
    page.screenshot(path=tmp_path / "for-you.png", full_page=True)

    page.reload()  # the taste stays: in the address and in localStorage
    expect(page.locator("#liked-chips")).to_contain_text("Toy Story ×")
    assert titles(page) == picks

    shared = Tab.open(browser, page.url, [server.url, image_server], PHONE)  # no storage
    expect(shared.page.locator("#liked-chips")).to_contain_text("Finding Nemo ×")
    expect(shared.page.locator("#disliked-chips")).to_contain_text("Jaws ×")
    assert titles(shared.page) == picks
    shared.page.screenshot(path=tmp_path / "for-you-phone.png")

    press(page, "#liked-chips .chip[aria-label='Remove Toy Story from your taste']")
    expect(page.locator("#liked-chips")).not_to_contain_text("Toy Story")
    assert "liked=12&" in page.evaluate("location.search")
    assert tab.problems == [] and shared.problems == []


def test_upload_ratings_and_the_movie_view(
    browser: Browser, server: LiveServer, image_server: str, tmp_path: Path
) -> None:
    tab = Tab.open(browser, server.url + "/", [server.url, image_server], PHONE)
    page = tab.page
    expect(page.locator("#filters-box")).not_to_have_attribute("open", "")  # no room
    page.locator("#ratings-file").set_input_files(RATINGS)
    expect(page.locator("#status")).to_have_text(
        "plain.csv (CSV): 3 films matched, 4 not in the index."
    )
    expect(page.locator("#results-heading")).to_have_text("For you")
    expect(page.locator("#to-for-you")).to_have_attribute("aria-current", "page")
    expect(page.locator("#liked-chips")).to_contain_text("The Matrix ×")
    expect(page.locator("#disliked-chips")).to_contain_text("Interstellar ×")
    assert not {"The Matrix", "Alien", "Interstellar"} & set(titles(page))
    assert "view=for-you&liked=" in page.evaluate("location.search")
    page.screenshot(path=tmp_path / "upload-phone.png")

    first = page.locator(TITLES).first.text_content()
    press(page, f"{TITLES} >> nth=0")
    expect(page.locator("#movie-heading")).to_be_focused()
    expect(page.locator("#movie-heading .title")).to_have_text(first or "")
    expect(page.locator("#results-heading")).to_have_text(f"Similar to {first}")
    assert len(page.locator("#movie .synopsis").text_content() or "") > 80
    press(page, "#movie .like")
    expect(page.locator("#movie .like")).to_have_attribute("aria-pressed", "true")
    expect(page.locator("#liked-chips")).to_contain_text(f"{first} ×")
    page.set_viewport_size({"width": 1200, "height": 900})
    page.screenshot(path=tmp_path / "movie.png", full_page=True)
    page.go_back()
    expect(page.locator("#results-heading")).to_have_text("For you")
    assert tab.problems == []


def test_a_bad_ratings_file_says_why(
    browser: Browser, server: LiveServer, image_server: str, tmp_path: Path
) -> None:
    bad = tmp_path / "notes.csv"
    bad.write_text("what,ever\n1,2\n", encoding="utf-8")
    tab = Tab.open(browser, server.url + "/", [server.url, image_server])
    tab.page.locator("#ratings-file").set_input_files(bad)
    expect(tab.page.locator("#status")).to_contain_text("notes.csv: notes.csv is not a ratings")
    expect(tab.page.locator("#status")).to_have_class("error")
    assert tab.problems == [
        "console: Failed to load resource: the server responded with a status of 400 (Bad Request)"
    ]


def test_the_page_asks_for_the_token(
    browser: Browser, served_paths: tuple[Path, Path], image_server: str
) -> None:
    with serving(served_paths, image_server, token="page-t0ken") as server:
        tab = Tab.open(browser, server.url + "/?q=toys+come+alive", [server.url, image_server])
        page = tab.page
        expect(page.locator("#token")).to_be_visible()
        page.locator("#token-value").focus()
        submit(page, "page-t0ken")
        assert titles(page)[0] == "Toy Story"
        expect(page.locator("#token")).to_be_hidden()


def test_sort_and_minimum_rating_from_the_address_bar(
    browser: Browser, server: LiveServer, image_server: str
) -> None:
    tab = Tab.open(
        browser, server.url + "/?q=a+film&rank=year&min_rating=8", [server.url, image_server]
    )
    page = tab.page
    assert titles(page) == [
        "Interstellar",
        "Pulp Fiction",
        "The Silence of the Lambs",
        "The Godfather",
    ]
    assert page.locator("[name=rank]").input_value() == "year"
    assert page.locator("[name=min_rating]").input_value() == "8"
    card = page.locator("#results .movie").first
    expect(card).to_contain_text("★ 8.1 (10,867 votes)")
    expect(card).to_contain_text("score ")

    press(page, "#results .like-this >> nth=0")
    expect(page.locator("#results-heading")).to_contain_text("More like")
    assert "rank=" not in page.evaluate("location.search")
    assert "min_rating=8" in page.evaluate("location.search")
    expect(page.locator("#results .movie").first).not_to_contain_text("score ")
    assert tab.problems == []


def test_for_you_takes_every_filter_from_the_address_bar(
    browser: Browser, server: LiveServer, image_server: str
) -> None:
    address = "/?view=for-you&liked=862&min_votes=5000&runtime=..130"
    tab = Tab.open(browser, server.url + address, [server.url, image_server])
    request = {"liked": [862], "min_votes": 5000, "runtime": "..130"}
    expected = httpx.post(server.url + "/api/recommend", json=request).json()["results"]
    assert expected and titles(tab.page) == [hit["title"] for hit in expected]
    assert tab.page.locator("[name=min_votes]").input_value() == "5000"
    assert tab.page.locator("[name=runtime]").input_value() == "..130"
    assert tab.problems == []


def test_understood_chips_can_be_removed_with_the_keyboard(
    browser: Browser, server: LiveServer, image_server: str, tmp_path: Path
) -> None:
    tab = Tab.open(browser, server.url + "/?q=an+old+movie", [server.url, image_server])
    page = tab.page
    assert titles(page) == ["Casablanca"]
    chip = page.locator("#understood .chip")
    expect(chip).to_have_count(1)
    expect(chip).to_have_text("years ≤ 1969 ×")
    page.screenshot(path=str(tmp_path / "understood.png"))
    press(page, "#understood .chip")
    expect(page.locator("#understood .chip")).to_have_count(0)
    assert "ignore=years" in page.evaluate("location.search")
    page.locator(f"{TITLES} >> nth=1").wait_for()
    assert len(titles(page)) == 10

    page.goto(server.url + "/?q=a+Spielberg+movie")
    assert set(titles(page)) == {"Jaws", "Jurassic Park"}
    press(page, "#understood button.link")
    assert "literal=true" in page.evaluate("location.search")
    page.locator(f"{TITLES} >> nth=2").wait_for()
    expect(page.locator("#understood .chip")).to_have_count(0)
    assert tab.problems == []
