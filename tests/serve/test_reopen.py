"""A running service shows what other processes write, and rides out a Chroma server outage."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx
import pytest

from moviembed.config import Settings
from moviembed.index.store import EmbeddingStore
from moviembed.serve import create_app
from tests.chroma_server import ChromaServer
from tests.live_server import LiveServer

ROOT = Path(__file__).resolve().parents[2]
NEW_MOVIE = {  # invented for this test
    "id": 990001,
    "title": "The Lighthouse Cartographer",
    "release_date": "2031-05-02",
    "genres": ["Drama", "Mystery"],
    "director": "Ines Varga",
    "cast": ["Tomas Brandt", "Mira Okafor"],
    "runtime": 104,
    "original_language": "en",
    "overview": "A retired mapmaker takes the keeper's job at a lighthouse on a foggy northern "
    "island and begins charting the coves where ships vanished a century ago.",
}


def wait_until(check: Callable[[], Any], timeout: float, what: str) -> Any:
    deadline = time.monotonic() + timeout
    while True:
        value = check()
        if value:
            return value
        if time.monotonic() > deadline:
            pytest.fail(f"{what} did not happen within {timeout:.0f} s")
        time.sleep(0.2)


WRITER = textwrap.dedent(
    """
    import sys
    from moviembed.index.store import EmbeddingStore
    store = EmbeddingStore(sys.argv[1])
    vector = [0.0] * 384
    vector[7] = 1.0
    store.upsert_movies(["990002"], [vector], ["written elsewhere"], [{"title": "Elsewhere"}])
    """
)


@pytest.mark.slow
@pytest.mark.processes
def test_a_local_store_sees_another_process_vectors_only_after_close(index_copy: Path) -> None:
    """Why the service reopens: Chroma keeps a folder's vector index in memory per process."""
    store = EmbeddingStore(index_copy)
    vector = [0.0] * 384
    vector[7] = 1.0
    assert store.query_similar(vector, 1)[0]["id"] != "990002"
    subprocess.run([sys.executable, "-c", WRITER, str(index_copy)], check=True, cwd=ROOT)
    assert store.count() == 13  # counts and metadata are read from SQLite afresh
    assert store.query_similar(vector, 1)[0]["id"] != "990002"  # the vectors are not
    store.close()
    assert store.query_similar(vector, 1)[0]["id"] == "990002"


def dense_top(client: httpx.Client, text: str) -> int:
    response = client.get("/api/search", params={"q": text, "n": 1, "mode": "dense"})
    assert response.status_code == 200, response.text
    return response.json()["results"][0]["id"]


@pytest.mark.slow
@pytest.mark.processes
def test_a_build_beside_the_service_shows_without_a_restart(
    index_copy: Path, user_cache: Path, tmp_path: Path
) -> None:
    catalog = tmp_path / "new.json"
    catalog.write_text(json.dumps([NEW_MOVIE]), encoding="utf-8")
    settings = Settings(db_path=index_copy, cache_dir=user_cache)
    app = create_app(settings, recheck_seconds=0.2)
    with LiveServer(app) as server, httpx.Client(base_url=server.url, timeout=60) as client:
        before = client.get("/api/health").json()
        assert dense_top(client, NEW_MOVIE["overview"]) != 990001
        build = [sys.executable, "-m", "moviembed", "--db", str(index_copy), "build", "-q"]
        subprocess.run([*build, "--catalog", str(catalog)], check=True, cwd=ROOT, timeout=600)
        wait_until(lambda: dense_top(client, NEW_MOVIE["overview"]) == 990001, 30, "the reopen")
        after = client.get("/api/health").json()
        assert after["count"] == before["count"] + 1
        assert after["generation"] != before["generation"]
        keywords = client.get("/api/search", params={"q": "cartographer", "n": 1}).json()
        assert keywords["results"][0]["id"] == 990001


def copy_to_server(local: Path, server: ChromaServer, collection: str) -> None:
    source = EmbeddingStore(local)
    target = EmbeddingStore(collection=collection, chroma_url=server.url)
    for page in source.iter_movies(include_embeddings=True):
        target.upsert_movies(
            [hit["id"] for hit in page],
            [hit["embedding"] for hit in page],
            [hit["document"] for hit in page],
            [hit["metadata"] for hit in page],
        )
    source.close()


@pytest.mark.slow
@pytest.mark.server
def test_a_chroma_server_that_goes_away_gives_503_then_recovers(
    built_index: Path, real_model: Path, tmp_path: Path
) -> None:
    with ChromaServer(tmp_path / "chroma") as chroma:
        copy_to_server(built_index, chroma, "movies")
        settings = Settings(
            db_path=tmp_path / "unused", cache_dir=real_model, chroma_url=chroma.url
        )
        app = create_app(settings, recheck_seconds=0.2)
        with LiveServer(app) as server, httpx.Client(base_url=server.url, timeout=60) as client:
            assert dense_top(client, "a shark attacks a beach town") == 578
            chroma.stop()
            for path in ("/api/search?q=shark", "/api/health", "/api/movies/578"):
                down = client.get(path)
                assert down.status_code == 503, (path, down.text)
                assert "Chroma" in down.json()["error"]
            time.sleep(0.5)  # the watcher meets the outage too, and must keep going
            chroma.start()
            wait_until(lambda: client.get("/api/health").status_code == 200, 30, "recovery")
            assert dense_top(client, "a shark attacks a beach town") == 578
