"""A real Chroma server (`chroma run`) and chromadb.HttpClient talking to it over loopback.

These tests pin down what `EmbeddingStore` can rely on when it talks to a
server: the collection API over HTTP, crash durability, the errors a client
sees when the server is down, and what (little) auth the 1.5 server has.
"""

from __future__ import annotations

import http.client
import json
import math
import socket
import threading
import urllib.request
import uuid
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import chromadb
import httpx
import pytest
from chromadb.errors import InvalidArgumentError, NotFoundError

from tests.chroma_server import HEARTBEAT_PATH, ChromaServer, ChromaServerError, free_port

AUTH_ENV = {
    # What chroma 0.5/0.6 servers read to turn token auth on; the 1.5 server ignores it.
    "CHROMA_SERVER_AUTHN_PROVIDER": "chromadb.auth.token_authn.TokenAuthenticationServerProvider",
    "CHROMA_SERVER_AUTHN_CREDENTIALS": "test-token",
    "CHROMA_AUTH_TOKEN_TRANSPORT_HEADER": "X-Chroma-Token",
}

pytestmark = pytest.mark.server


def http_client(server: ChromaServer | _RecordingProxy, **kwargs: Any) -> Any:
    """A chromadb.HttpClient for `server`, telemetry off unless `settings` are given."""
    settings = kwargs.pop("settings", None) or chromadb.Settings(anonymized_telemetry=False)
    return chromadb.HttpClient(host=server.host, port=server.port, settings=settings, **kwargs)


def unique_name() -> str:
    return f"movies-{uuid.uuid4().hex[:12]}"


def unit(*values: float) -> list[float]:
    norm = math.sqrt(sum(v * v for v in values))
    return [v / norm for v in values]


def new_collection(client: Any, name: str | None = None) -> Any:
    return client.create_collection(
        name or unique_name(),
        embedding_function=None,
        metadata={"hnsw:space": "cosine", "embedding_model": "test-model", "embedding_dim": 3},
    )


# -- the server itself --------------------------------------------------------------


def test_server_answers_its_heartbeat_at_its_url(chroma_server: ChromaServer) -> None:
    assert chroma_server.url == f"http://127.0.0.1:{chroma_server.port}"
    assert chroma_server.is_running()
    assert chroma_server.heartbeat() is not None
    with urllib.request.urlopen(chroma_server.url + HEARTBEAT_PATH, timeout=5) as response:
        assert HEARTBEAT_PATH == "/api/v2/heartbeat"
        assert "nanosecond heartbeat" in json.loads(response.read())
    assert chroma_server.startup_seconds is not None
    assert chroma_server.log_path.is_file()
    assert (chroma_server.path / "chroma.sqlite3").is_file()


def test_a_server_that_cannot_start_raises_with_its_log_tail(tmp_path: Path) -> None:
    (tmp_path / "chroma.sqlite3").write_text("not a database")
    server = ChromaServer(tmp_path, startup_timeout=30)
    with pytest.raises(ChromaServerError, match="exited with status") as caught:
        server.start()
    assert "file is not a database" in str(caught.value)
    assert not server.is_running()


def test_a_server_that_never_answers_times_out_and_is_killed(tmp_path: Path) -> None:
    silent = tmp_path / "silent-chroma"
    silent.write_text("#!/bin/sh\necho pretending to start\nexec sleep 60\n")
    silent.chmod(0o755)
    server = ChromaServer(tmp_path / "data", executable=str(silent))
    with pytest.raises(ChromaServerError, match="did not answer within 1 s") as caught:
        server.start(timeout=1)
    assert "pretending to start" in str(caught.value)
    assert not server.is_running()


def test_a_taken_port_is_refused_before_launch(tmp_path: Path) -> None:
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen()
        port = listener.getsockname()[1]
        server = ChromaServer(tmp_path, port=port)
        with pytest.raises(ChromaServerError, match="is not available"):
            server.start()
        assert not server.is_running()


def test_stop_is_graceful_and_kill_is_not(tmp_path: Path) -> None:
    server = ChromaServer(tmp_path).start()
    assert server.stop() == 0
    assert server.heartbeat(timeout=0.5) is None
    server.start()
    assert server.kill() == -9
    assert not server.is_running()
    assert server.stop() == -9  # stopping a dead server is harmless


# -- HttpClient against the server ---------------------------------------------------


def test_http_client_collection_round_trip(chroma_server: ChromaServer) -> None:
    client = http_client(chroma_server)
    assert (client.tenant, client.database) == ("default_tenant", "default_database")
    name = unique_name()
    collection = new_collection(client, name)
    assert collection.metadata["hnsw:space"] == "cosine"
    assert collection.metadata["embedding_dim"] == 3

    collection.upsert(
        ids=["1", "2", "3"],
        embeddings=[unit(1, 0, 0), unit(1, 1, 0), unit(0, 0, 1)],
        documents=["one", "two", "three"],
        metadatas=[{"title": "One"}, {"title": "Two", "year": 1999}, {"title": "Three"}],
    )
    assert collection.count() == 3

    result = collection.query(
        query_embeddings=[unit(1, 0.1, 0)],
        n_results=3,
        include=["documents", "metadatas", "distances"],
    )
    assert result["ids"][0] == ["1", "2", "3"]
    assert result["documents"][0][0] == "one"
    assert result["distances"][0][0] == pytest.approx(1 - unit(1, 0.1, 0)[0], abs=1e-4)
    assert result["distances"][0][2] == pytest.approx(1.0, abs=1e-4)

    filtered = collection.query(
        query_embeddings=[unit(1, 0, 0)], n_results=3, where={"year": {"$gte": 1990}}
    )
    assert filtered["ids"][0] == ["2"]

    got = collection.get(ids=["3", "1", "404"], include=["documents", "metadatas", "embeddings"])
    assert sorted(got["ids"]) == ["1", "3"]
    position = got["ids"].index("3")
    assert got["metadatas"][position] == {"title": "Three"}
    assert list(got["embeddings"][position]) == pytest.approx([0.0, 0.0, 1.0])

    collection.delete(ids=["2"])
    assert collection.count() == 2
    assert collection.get(ids=["2"])["ids"] == []

    reopened = client.get_collection(name, embedding_function=None)
    assert reopened.count() == 2
    collections = client.list_collections()
    assert isinstance(collections, list)
    assert name in [c.name for c in collections]
    assert client.get_max_batch_size() > 1000


def test_array_metadata_and_contains_work_over_http(chroma_server: ChromaServer) -> None:
    collection = new_collection(http_client(chroma_server))
    collection.upsert(
        ids=["heat", "manhattan"],
        embeddings=[unit(1, 0, 0), unit(0, 1, 0)],
        metadatas=[{"genre_list": ["Action", "Drama"]}, {"genre_list": ["Comedy", "Romance"]}],
    )
    assert collection.get(ids=["heat"])["metadatas"][0] == {"genre_list": ["Action", "Drama"]}
    assert collection.get(where={"genre_list": {"$contains": "Drama"}})["ids"] == ["heat"]
    hits = collection.query(
        query_embeddings=[unit(1, 0, 0)], n_results=2, where={"genre_list": {"$contains": "Comedy"}}
    )
    assert hits["ids"][0] == ["manhattan"]
    assert collection.get(where={"genre_list": {"$not_contains": "Drama"}})["ids"] == ["manhattan"]


def test_http_errors_are_chroma_exceptions(chroma_server: ChromaServer) -> None:
    client = http_client(chroma_server)
    with pytest.raises(NotFoundError, match="does not exist"):
        client.get_collection(unique_name())
    collection = new_collection(client)
    collection.upsert(ids=["1"], embeddings=[unit(1, 0, 0)])
    with pytest.raises(InvalidArgumentError, match="dimension of 3, got 2"):
        collection.upsert(ids=["2"], embeddings=[[1.0, 0.0]])
    with pytest.raises(NotFoundError, match="Database"):
        http_client(chroma_server, database="no_such_database")


# -- crashes, restarts and a missing server -------------------------------------------


def test_acknowledged_writes_survive_sigkill_and_restart(tmp_path: Path) -> None:
    server = ChromaServer(tmp_path / "chroma").start()
    try:
        client = http_client(server)
        collection = new_collection(client, "crash-test")
        ids = [str(i) for i in range(300)]
        vectors = [unit(1, i / 300, (i % 7) / 7) for i in range(300)]
        collection.upsert(ids=ids, embeddings=vectors, documents=ids)
        collection.delete(ids=["0"])
        url = server.url

        server.kill()  # right after the acknowledged writes, as a crash would
        with pytest.raises(httpx.ConnectError):
            collection.count()

        server.start()
        assert server.url == url
        # The client made before the crash reconnects by itself.
        assert collection.count() == 299
        assert collection.get(ids=["0"])["ids"] == []
        hit = collection.query(query_embeddings=[vectors[123]], n_results=1)
        assert hit["ids"][0] == ["123"]
        assert hit["distances"][0][0] == pytest.approx(0.0, abs=1e-5)

        server.restart()  # a graceful restart keeps everything too
        assert http_client(server).get_collection("crash-test").count() == 299
    finally:
        server.stop()


def test_http_client_fails_at_construction_when_no_server_listens() -> None:
    port = free_port()
    with pytest.raises(ValueError, match="Could not connect to a Chroma server") as caught:
        chromadb.HttpClient(
            host="127.0.0.1", port=port, settings=chromadb.Settings(anonymized_telemetry=False)
        )
    assert isinstance(caught.value.__context__, httpx.ConnectError)


def test_calls_on_a_client_whose_server_went_away_raise_httpx_connect_error(
    tmp_path: Path,
) -> None:
    server = ChromaServer(tmp_path).start()
    client = http_client(server)
    server.stop()
    with pytest.raises(httpx.ConnectError, match="Connection refused"):
        client.heartbeat()
    with pytest.raises(httpx.ConnectError):
        client.list_collections()


# -- auth ------------------------------------------------------------------------------


class _RecordingProxy:
    """A loopback HTTP proxy that forwards to the server and records request headers."""

    def __init__(self, upstream: ChromaServer) -> None:
        self.headers: list[dict[str, str]] = []
        proxy = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def _forward(self) -> None:
                headers = {k: v for k, v in self.headers.items() if k.lower() != "host"}
                proxy.headers.append({k.lower(): v for k, v in headers.items()})
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                upstream_conn = http.client.HTTPConnection(upstream.host, upstream.port, timeout=30)
                try:
                    upstream_conn.request(self.command, self.path, body=body, headers=headers)
                    response = upstream_conn.getresponse()
                    payload = response.read()
                finally:
                    upstream_conn.close()
                self.send_response(response.status)
                for key, value in response.getheaders():
                    if key.lower() not in ("content-length", "transfer-encoding", "connection"):
                        self.send_header(key, value)
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)

            do_GET = do_POST = do_PUT = do_DELETE = do_PATCH = _forward

            def log_message(self, format: str, *args: Any) -> None:
                pass

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.host = "127.0.0.1"
        self.port = int(self._server.server_address[1])
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    def __enter__(self) -> _RecordingProxy:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._server.shutdown()
        self._server.server_close()


@pytest.fixture(scope="module")
def auth_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ChromaServer]:
    """A server started with the token-auth variables of older Chroma servers."""
    with ChromaServer(tmp_path_factory.mktemp("chroma-auth"), env=AUTH_ENV) as server:
        yield server


def test_the_1_5_server_has_no_auth_and_ignores_auth_settings(auth_server: ChromaServer) -> None:
    client = http_client(auth_server)  # no credentials at all
    collection = new_collection(client)
    collection.upsert(ids=["1"], embeddings=[unit(1, 0, 0)])
    assert collection.count() == 1
    assert client.get_user_identity().tenant == "default_tenant"
    wrong = http_client(
        auth_server,
        settings=chromadb.Settings(
            anonymized_telemetry=False,
            chroma_client_auth_provider="chromadb.auth.token_authn.TokenAuthClientProvider",
            chroma_client_auth_credentials="not-the-token",
        ),
    )
    assert wrong.get_collection(collection.name).count() == 1


@pytest.mark.parametrize(
    ("kwargs", "expected"),
    [
        pytest.param(
            {
                "settings": chromadb.Settings(
                    anonymized_telemetry=False,
                    chroma_client_auth_provider="chromadb.auth.token_authn.TokenAuthClientProvider",
                    chroma_client_auth_credentials="tok-123",
                )
            },
            {"authorization": "Bearer tok-123"},
            id="token-provider-bearer",
        ),
        pytest.param(
            {
                "settings": chromadb.Settings(
                    anonymized_telemetry=False,
                    chroma_client_auth_provider="chromadb.auth.token_authn.TokenAuthClientProvider",
                    chroma_client_auth_credentials="tok-123",
                    chroma_auth_token_transport_header="X-Chroma-Token",
                )
            },
            {"x-chroma-token": "tok-123"},
            id="token-provider-x-chroma-token",
        ),
        pytest.param(
            {"headers": {"Authorization": "Bearer tok-456", "X-Moviembed": "yes"}},
            {"authorization": "Bearer tok-456", "x-moviembed": "yes"},
            id="custom-headers",
        ),
    ],
)
def test_credentials_are_sent_on_every_request_and_accepted(
    auth_server: ChromaServer, kwargs: dict[str, Any], expected: dict[str, str]
) -> None:
    with _RecordingProxy(auth_server) as proxy:
        client = http_client(proxy, **kwargs)
        collection = new_collection(client)
        collection.upsert(ids=["1"], embeddings=[unit(1, 0, 0)])
        assert collection.query(query_embeddings=[unit(1, 0, 0)], n_results=1)["ids"] == [["1"]]
    assert len(proxy.headers) >= 4
    for sent in proxy.headers:
        assert {key: sent.get(key) for key in expected} == expected
