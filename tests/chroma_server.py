"""A real Chroma server in a subprocess, for tests that talk to it over HTTP.

`ChromaServer` runs `chroma run --path DIR --host 127.0.0.1 --port PORT` (the
CLI that ships with the chromadb package), waits for its heartbeat, and can
stop, crash (SIGKILL) and restart it on the same port and data folder. The
server's stdout and stderr go to `DIR/chroma-server.log`; a failed start raises
`ChromaServerError` with the tail of that log.

    with ChromaServer(tmp_path / "chroma") as server:
        client = chromadb.HttpClient(host=server.host, port=server.port)
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Mapping
from pathlib import Path
from types import TracebackType
from typing import IO

HEARTBEAT_PATH = "/api/v2/heartbeat"
LOG_NAME = "chroma-server.log"
# A start takes about 1 s on an idle 2-core machine; leave CI plenty of room.
DEFAULT_STARTUP_TIMEOUT = 60.0
DEFAULT_STOP_GRACE = 10.0
# `chroma run` exits (with status 0) printing this when its port is taken.
PORT_TAKEN = "is not available"


class ChromaServerError(RuntimeError):
    """The Chroma server could not be started, or died while we waited for it."""


def chroma_executable() -> str:
    """The `chroma` CLI of this interpreter's environment, else the one on PATH."""
    folder = Path(sys.executable).parent
    for name in ("chroma", "chroma.exe"):
        candidate = folder / name
        if candidate.is_file() and os.access(candidate, os.X_OK):
            return str(candidate)
    found = shutil.which("chroma")
    if found is None:
        raise ChromaServerError(
            f"The chroma CLI is neither next to {sys.executable} nor on PATH; "
            "it comes with the chromadb package (pip install chromadb)."
        )
    return found


def free_port(host: str = "127.0.0.1") -> int:
    """A TCP port on `host` that nothing listens on right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((host, 0))
        return int(sock.getsockname()[1])


def _port_is_free(host: str, port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind((host, port))
        except OSError:
            return False
        return True


def _die_with_parent() -> Callable[[], None] | None:
    """On Linux, a preexec_fn that makes the child get SIGKILL when the test run dies."""
    if not sys.platform.startswith("linux"):
        return None
    import ctypes

    libc = ctypes.CDLL(None, use_errno=True)
    pr_set_pdeathsig = 1

    def preexec() -> None:
        libc.prctl(pr_set_pdeathsig, signal.SIGKILL)

    return preexec


class ChromaServer:
    """A `chroma run` subprocess on 127.0.0.1, with its data and log in one folder.

    The port is chosen when the object is made (a free one unless `port` is
    given) and kept by `restart()`. `env` adds to or overrides the server's
    environment; `ANONYMIZED_TELEMETRY=False` and `NO_COLOR=1` are always set.
    """

    def __init__(
        self,
        path: str | Path,
        *,
        host: str = "127.0.0.1",
        port: int | None = None,
        startup_timeout: float = DEFAULT_STARTUP_TIMEOUT,
        env: Mapping[str, str] | None = None,
        executable: str | None = None,
    ) -> None:
        self.path = Path(path)
        self.host = host
        self._fixed_port = port is not None
        self.port = port if port is not None else free_port(host)
        self.startup_timeout = startup_timeout
        self.extra_env = dict(env or {})
        self.executable = executable
        self.startup_seconds: float | None = None
        self._launched_at = 0.0
        self._process: subprocess.Popen[bytes] | None = None
        self._log: IO[bytes] | None = None

    # -- facts -----------------------------------------------------------------

    @property
    def url(self) -> str:
        """Base URL of the server, e.g. `http://127.0.0.1:54321`."""
        return f"http://{self.host}:{self.port}"

    @property
    def log_path(self) -> Path:
        return self.path / LOG_NAME

    @property
    def pid(self) -> int | None:
        return self._process.pid if self._process is not None else None

    def is_running(self) -> bool:
        """True while the server process is alive (ready or not)."""
        return self._process is not None and self._process.poll() is None

    def heartbeat(self, timeout: float = 2.0) -> int | None:
        """The server's heartbeat in nanoseconds, or None if it does not answer."""
        try:
            with urllib.request.urlopen(self.url + HEARTBEAT_PATH, timeout=timeout) as response:
                if response.status != 200:
                    return None
                body = json.loads(response.read())
        except (OSError, ValueError):  # URLError, refused, reset, timeout, bad JSON
            return None
        value = body.get("nanosecond heartbeat") if isinstance(body, dict) else None
        return int(value) if isinstance(value, int) else None

    def log_tail(self, lines: int = 30) -> str:
        """The last `lines` lines of the server log ('' if there is none)."""
        try:
            text = self.log_path.read_text(encoding="utf-8", errors="replace")
        except OSError:
            return ""
        return "\n".join(text.rstrip().splitlines()[-lines:])

    # -- life cycle ------------------------------------------------------------

    def start(self, timeout: float | None = None) -> ChromaServer:
        """Launch the server and wait until it answers its heartbeat.

        A port picked by us that another process grabbed meanwhile is replaced
        by a fresh one (twice at most) on the first start; `restart()` and a
        port given by the caller never move.
        """
        if self.is_running():
            raise ChromaServerError(f"The Chroma server at {self.url} is already running.")
        attempts = 1 if self._fixed_port or self.startup_seconds is not None else 3
        for attempt in range(attempts):
            try:
                self._launch()
                self.startup_seconds = self.wait_ready(
                    self.startup_timeout if timeout is None else timeout
                )
                return self
            except ChromaServerError as error:
                self._abandon()
                if attempt + 1 < attempts and PORT_TAKEN in str(error):
                    self.port = free_port(self.host)
                    continue
                raise
        raise AssertionError("unreachable")  # pragma: no cover

    def wait_ready(self, timeout: float = DEFAULT_STARTUP_TIMEOUT) -> float:
        """Poll the heartbeat until it answers; return the seconds since launch.

        Raises ChromaServerError with the log tail if the process exits or
        `timeout` seconds pass first.
        """
        if self._process is None:
            raise ChromaServerError("The Chroma server was never started.")
        started = self._launched_at
        deadline = time.monotonic() + timeout
        delay = 0.02
        while True:
            code = self._process.poll()
            if code is not None:
                raise self._error(f"The Chroma server exited with status {code} while starting")
            beat = self.heartbeat(timeout=min(2.0, max(0.1, deadline - time.monotonic())))
            if beat is not None:
                if self._process.poll() is None:  # the answer came from our process
                    return time.monotonic() - started
                continue
            if time.monotonic() >= deadline:
                raise self._error(f"The Chroma server did not answer within {timeout:.0f} s")
            time.sleep(delay)
            delay = min(delay * 1.5, 0.25)

    def stop(self, grace: float = DEFAULT_STOP_GRACE) -> int | None:
        """SIGTERM, then SIGKILL after `grace` seconds; return the exit status."""
        process = self._process
        if process is None:
            return None
        if process.poll() is None:
            process.terminate()
            try:
                process.wait(timeout=grace)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
        self._close_log()
        return process.returncode

    def kill(self) -> int | None:
        """SIGKILL the server at once, as a crash would, and reap it."""
        process = self._process
        if process is None:
            return None
        if process.poll() is None:
            process.kill()
            process.wait()
        self._close_log()
        return process.returncode

    def restart(self, timeout: float | None = None) -> ChromaServer:
        """Stop the server if it runs, then start it again on the same port and path."""
        self.stop()
        return self.start(timeout=timeout)

    def __enter__(self) -> ChromaServer:
        if not self.is_running():
            self.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.stop()

    def __repr__(self) -> str:
        state = "running" if self.is_running() else "stopped"
        return f"ChromaServer({self.url}, path={str(self.path)!r}, {state})"

    # -- plumbing --------------------------------------------------------------

    def _launch(self) -> None:
        self.path.mkdir(parents=True, exist_ok=True)
        if not _port_is_free(self.host, self.port):
            # chroma run would exit with status 0, and a server already on the
            # port could answer our heartbeat in its place.
            raise ChromaServerError(
                f"Cannot start Chroma on {self.host}:{self.port}: Address {self.host}:"
                f"{self.port} {PORT_TAKEN} (another process listens there)."
            )
        command = [
            self.executable or chroma_executable(),
            "run",
            "--path",
            str(self.path),
            "--host",
            self.host,
            "--port",
            str(self.port),
        ]
        env = {**os.environ, **self.extra_env, "ANONYMIZED_TELEMETRY": "False", "NO_COLOR": "1"}
        self._log = open(self.log_path, "ab")  # closed by stop() or kill()
        self._log.write(f"\n=== {time.strftime('%H:%M:%S')} $ {' '.join(command)}\n".encode())
        self._log.flush()
        self._launched_at = time.monotonic()
        self._process = subprocess.Popen(
            command,
            stdin=subprocess.DEVNULL,
            stdout=self._log,
            stderr=subprocess.STDOUT,
            env=env,
            cwd=self.path,
            preexec_fn=_die_with_parent(),  # only calls prctl
        )

    def _abandon(self) -> None:
        """After a failed start: make sure no half-started process is left."""
        self.kill()

    def _close_log(self) -> None:
        if self._log is not None:
            self._log.close()
            self._log = None

    def _error(self, what: str) -> ChromaServerError:
        tail = self.log_tail()
        return ChromaServerError(
            f"{what} ({self.url}, data {self.path}). Last lines of {self.log_path}:\n{tail}"
        )
