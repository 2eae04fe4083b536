"""Debian's headless chromium driven by Playwright for Python.

Playwright's own browser download (`playwright install`) is never used: the tests launch the
system chromium through `executable_path`, so they need no internet. Each page records what
would be a problem for a visitor: script errors, console errors and requests to anywhere
but the places it may load from.

    with launched() as browser:
        tab = Tab.open(browser, "http://127.0.0.1:8000/", allowed=["http://127.0.0.1:8000"])
        tab.page.get_by_role("button", name="Search").click()
        assert tab.problems == []
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field

from playwright.sync_api import Browser, ConsoleMessage, Page, Request, sync_playwright

FLAGS = (
    "--no-sandbox",
    "--disable-gpu",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
)
DESKTOP = {"width": 1200, "height": 900}
PHONE = {"width": 390, "height": 844}


def chromium_executable() -> str | None:
    """Debian's chromium (or a Chrome) on PATH, else None."""
    names = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")
    return next((path for path in map(shutil.which, names) if path), None)


@contextmanager
def launched() -> Iterator[Browser]:
    """The system chromium, headless, closed at the end of the block."""
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=chromium_executable(), args=list(FLAGS), headless=True
        )
        try:
            yield browser
        finally:
            browser.close()


@dataclass
class Tab:
    """A page in a fresh browser context (its own storage), with what went wrong in it."""

    page: Page
    allowed: Sequence[str]
    problems: list[str] = field(default_factory=list)

    @classmethod
    def open(
        cls, browser: Browser, url: str, allowed: Sequence[str], size: dict[str, int] = DESKTOP
    ) -> Tab:
        page = browser.new_context(viewport=size).new_page()
        tab = cls(page, allowed)
        page.on("console", tab._console)
        page.on("pageerror", lambda error: tab.problems.append(f"exception: {error}"))
        page.on("request", tab._request)
        page.goto(url)
        return tab

    def _console(self, message: ConsoleMessage) -> None:
        if message.type == "error":
            self.problems.append(f"console: {message.text}")

    def _request(self, request: Request) -> None:
        if not request.url.startswith(tuple(self.allowed)):
            self.problems.append(f"request to {request.url}")
