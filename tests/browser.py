"""Headless Chromium driven over the DevTools protocol on a pipe: no websocket, no npm.

`--remote-debugging-pipe` makes Chromium read commands from file descriptor 3 and write
answers and events to descriptor 4, each a JSON message ended by a NUL byte.

    with Browser(tmp_path / "profile") as browser:
        page = browser.open_page("http://127.0.0.1:8000/")
        page.evaluate("document.title")
"""

from __future__ import annotations

import base64
import fcntl
import json
import os
import select
import shutil
import subprocess
import time
from pathlib import Path
from types import TracebackType
from typing import Any

FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
    "--window-size=1200,1400",
    "--remote-debugging-pipe",
)


def chromium_executable() -> str | None:
    """Debian's chromium (or a Chrome) on PATH, else None."""
    names = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")
    return next((path for path in map(shutil.which, names) if path), None)


class BrowserError(RuntimeError):
    """Chromium answered with an error, died, or did not answer in time."""


class Page:
    """One tab, reached through its DevTools session."""

    def __init__(self, browser: Browser, session: str) -> None:
        self.browser = browser
        self.session = session

    def send(self, method: str, **params: Any) -> dict[str, Any]:
        return self.browser.send(method, session=self.session, **params)

    def evaluate(self, expression: str) -> Any:
        """The JSON value of a JavaScript expression (awaited if it is a promise)."""
        answer = self.send(
            "Runtime.evaluate", expression=expression, returnByValue=True, awaitPromise=True
        )
        if "exceptionDetails" in answer:
            raise BrowserError(f"{expression!r} threw: {answer['exceptionDetails']}")
        return answer["result"].get("value")

    def wait_for(self, expression: str, timeout: float = 30.0) -> Any:
        """Poll a JavaScript expression until it is truthy; its value."""
        deadline = time.monotonic() + timeout
        while True:
            value = self.evaluate(expression)
            if value:
                return value
            if time.monotonic() > deadline:
                raise BrowserError(f"Still false after {timeout:.0f} s: {expression}")
            time.sleep(0.1)

    def press(self, key: str, code: int, text: str = "") -> None:
        """A key pressed and released, as a keyboard user would (Enter, Tab, …)."""
        common = {"key": key, "code": key, "windowsVirtualKeyCode": code}
        self.send("Input.dispatchKeyEvent", type="keyDown", text=text, **common)
        self.send("Input.dispatchKeyEvent", type="keyUp", **common)

    def type_text(self, text: str) -> None:
        self.send("Input.insertText", text=text)

    def screenshot(self, path: Path) -> Path:
        data = self.send("Page.captureScreenshot", format="png", captureBeyondViewport=True)
        path.write_bytes(base64.b64decode(data["data"]))
        return path


class Browser:
    """A headless Chromium process with its own profile folder; events are kept in `events`."""

    def __init__(self, profile: Path, executable: str | None = None) -> None:
        self.profile = profile
        self.executable = executable or chromium_executable()
        self.events: list[dict[str, Any]] = []
        self._process: subprocess.Popen[bytes] | None = None
        self._next_id = 0
        self._buffer = b""

    def __enter__(self) -> Browser:
        if self.executable is None:
            raise BrowserError("No chromium on PATH.")
        self.profile.mkdir(parents=True, exist_ok=True)
        to_browser, self._write_fd = os.pipe()
        self._read_fd, from_browser = os.pipe()
        with open(self.profile / "chromium.log", "wb") as log:
            self._process = subprocess.Popen(
                [self.executable, *FLAGS, f"--user-data-dir={self.profile}", "about:blank"],
                stdin=subprocess.DEVNULL,
                stdout=subprocess.DEVNULL,
                stderr=log,
                close_fds=False,  # our descriptors are non-inheritable, except 3 and 4 below
                preexec_fn=_as_fds_3_and_4(to_browser, from_browser),
            )
        os.close(to_browser)
        os.close(from_browser)
        return self

    def open_page(self, url: str) -> Page:
        """A new tab at `url`, with page, console and network events switched on."""
        target = self.send("Target.createTarget", url="about:blank")["targetId"]
        session = self.send("Target.attachToTarget", targetId=target, flatten=True)["sessionId"]
        page = Page(self, session)
        for domain in ("Page", "Runtime", "Network", "Log"):
            page.send(f"{domain}.enable")
        page.send("Page.navigate", url=url)
        page.wait_for("document.readyState === 'complete'")
        return page

    def send(self, method: str, session: str | None = None, **params: Any) -> dict[str, Any]:
        """Send one command and wait for its answer; events meanwhile go to `events`."""
        self._next_id += 1
        message: dict[str, Any] = {"id": self._next_id, "method": method, "params": params}
        if session:
            message["sessionId"] = session
        os.write(self._write_fd, json.dumps(message).encode() + b"\0")
        while True:
            reply = self._receive()
            if reply.get("id") == self._next_id:
                if "error" in reply:
                    raise BrowserError(f"{method}: {reply['error']}")
                result: dict[str, Any] = reply.get("result", {})
                return result
            self.events.append(reply)

    def _receive(self, timeout: float = 60.0) -> dict[str, Any]:
        while b"\0" not in self._buffer:
            # poll, not select: after a long test run the pipe's fd may be above 1024
            poller = select.poll()
            poller.register(self._read_fd, select.POLLIN)
            ready = poller.poll(timeout * 1000)
            chunk = os.read(self._read_fd, 1 << 16) if ready else b""
            if not chunk:
                raise BrowserError("Chromium closed the pipe or did not answer in time.")
            self._buffer += chunk
        message, self._buffer = self._buffer.split(b"\0", 1)
        return json.loads(message)

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        process = self._process
        if process is None:
            return
        try:
            self.send("Browser.close")
        except (BrowserError, OSError):
            pass
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        os.close(self._write_fd)
        os.close(self._read_fd)


def _as_fds_3_and_4(commands: int, answers: int) -> Any:
    """A preexec_fn putting the two pipe ends where Chromium looks for them."""

    def place() -> None:
        high = [fcntl.fcntl(fd, fcntl.F_DUPFD, 10) for fd in (commands, answers)]
        for fd, target in zip(high, (3, 4), strict=True):
            os.dup2(fd, target)
            os.set_inheritable(target, True)

    return place
