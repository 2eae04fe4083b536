"""Shared fixtures: an isolated environment per test, the real model once per session."""

from __future__ import annotations

import functools
import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
import typer.main
import typer.testing
from typer.testing import CliRunner

from moviembed.embedding.embedder import DEFAULT_MODEL, SentenceTransformerEmbedder
from moviembed.embedding.onnx_export import ensure_onnx
from moviembed.index.builder import build_index
from moviembed.index.store import EmbeddingStore
from moviembed.movie import Movie
from moviembed.sources.catalog import load_catalog

from . import fake_tmdb as fake
from . import fakes
from .chroma_server import ChromaServer
from .fakes import HashingEmbedder

DATA = Path(__file__).parent / "data"
# ../shared beside the checkout; a git worktree elsewhere points at it with MOVIEMBED_SHARED_DATA.
BESIDE = Path(__file__).resolve().parents[2] / "shared" / "data"
SHARED_DATA = Path(os.environ.get("MOVIEMBED_SHARED_DATA") or BESIDE)
SMALL_CATALOG = DATA / "movies_small.json"


@pytest.fixture(scope="session", autouse=True)
def click_command_once() -> Iterator[None]:
    """Typer's CliRunner turns the app into a Click command on every invoke (~70 ms for
    ours); build it once per app, as one `moviembed` process does."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(typer.testing, "_get_command", functools.cache(typer.main.get_command))
        yield


@pytest.fixture(scope="session")
def onnx_cache(
    tmp_path_factory: pytest.TempPathFactory, embedder: SentenceTransformerEmbedder
) -> Path:
    """A cache root holding the bundled model's ONNX export, made once per run."""
    root = tmp_path_factory.mktemp("onnx-cache")
    ensure_onnx(DEFAULT_MODEL, root)
    return root


@pytest.fixture
def user_cache(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """This test's MOVIEMBED_CACHE_DIR."""
    return tmp_path_factory.mktemp("user-cache")


REAL_MODEL_FIXTURES = {
    "real_model",
    "embedder",
    "onnx_cache",
    "built_index",
    "index_copy",
    "mpnet_cache",
}


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """A test that loads the real model or reads the whole TMDB 5000 dataset is slow,
    whatever file it is in."""
    for item in items:
        if (REAL_MODEL_FIXTURES | {"shared_data"}) & set(getattr(item, "fixturenames", ())):
            item.add_marker(pytest.mark.slow)


@pytest.fixture
def real_model(user_cache: Path, onnx_cache: Path) -> Path:
    """The real bundled model for this test, its ONNX export shared through a symlink,
    so queries run as they do for a user after a first build: without torch."""
    (user_cache / "onnx").symlink_to(onnx_cache / "onnx", target_is_directory=True)
    return user_cache


@pytest.fixture
def fake_embedder() -> HashingEmbedder:
    """The deterministic stand-in that builds and queries use unless a test asks for
    `real_model`."""
    return HashingEmbedder()


@pytest.fixture(autouse=True)
def isolated_env(
    request: pytest.FixtureRequest,
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
    user_cache: Path,
    fake_embedder: HashingEmbedder,
) -> Path:
    """Point every setting at temporary places so no test reads or writes user files, and
    use the fake model unless the test asked for the real one."""
    real = REAL_MODEL_FIXTURES & set(request.fixturenames)
    isolate(monkeypatch, tmp_path, user_cache, None if real else fake_embedder)
    return tmp_path


def isolate(
    monkeypatch: pytest.MonkeyPatch, folder: Path, cache: Path, embedder: HashingEmbedder | None
) -> None:
    """Clear the user's settings, run in `folder` with the index in `folder`/index and
    the cache in `cache`, and build and query with `embedder` (None: the real model)."""
    if embedder is not None:
        fakes.install(monkeypatch, embedder)
    for name in list(os.environ):
        if name.startswith(("MOVIEMBED_", "TMDB_", "CHROMA_")):
            monkeypatch.delenv(name)
    monkeypatch.setenv("MOVIEMBED_DB", str(folder / "index"))
    monkeypatch.setenv("MOVIEMBED_CACHE_DIR", str(cache))
    monkeypatch.setenv("NO_COLOR", "1")
    monkeypatch.setenv("COLUMNS", "200")
    monkeypatch.chdir(folder)


@pytest.fixture(scope="session")
def embedder() -> SentenceTransformerEmbedder:
    """The real bundled all-MiniLM-L6-v2, loaded once for the whole run."""
    model = SentenceTransformerEmbedder()
    assert model.dimension == 384
    return model


@pytest.fixture(scope="session")
def small_movies() -> list[Movie]:
    return load_catalog(SMALL_CATALOG)


@pytest.fixture(scope="session")
def built_index(
    tmp_path_factory: pytest.TempPathFactory,
    small_movies: list[Movie],
    embedder: SentenceTransformerEmbedder,
) -> Path:
    """An index of the small catalog, built once; copy it before writing to it."""
    path = tmp_path_factory.mktemp("built") / "index"
    build_index(small_movies, store=EmbeddingStore(path), embedder=embedder)
    return path


@pytest.fixture(scope="session")
def fake_built_index(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The small catalog indexed once with the fake model; copy it before writing to it."""
    path = tmp_path_factory.mktemp("fake-built") / "index"
    build_index(load_catalog(SMALL_CATALOG), store=EmbeddingStore(path), embedder=HashingEmbedder())
    return path


@pytest.fixture(scope="session")
def bundled_index(tmp_path_factory: pytest.TempPathFactory, onnx_cache: Path) -> Path:
    """`moviembed build` with no options (the bundled catalog) and the real model, run once;
    read it, never write to it."""
    from moviembed.cli.app import app

    path = tmp_path_factory.mktemp("bundled") / "index"
    result = CliRunner().invoke(
        app,
        ["--db", str(path), "build", "--quiet"],
        env={"MOVIEMBED_CACHE_DIR": str(onnx_cache)},
    )
    assert result.exit_code == 0, result.output
    assert f"{len(load_catalog())} added" in result.stderr
    return path


@pytest.fixture(scope="session")
def fake_bundled_index(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The bundled catalog indexed once with the fake model; read it, never write to it."""
    path = tmp_path_factory.mktemp("fake-bundled") / "index"
    build_index(load_catalog(), store=EmbeddingStore(path), embedder=HashingEmbedder())
    return path


@pytest.fixture
def fake_index(fake_built_index: Path, isolated_env: Path) -> Path:
    """A private copy of the small fake index where MOVIEMBED_DB points."""
    target = isolated_env / "index"
    shutil.copytree(fake_built_index, target)
    return target


@pytest.fixture
def index_copy(built_index: Path, tmp_path: Path, real_model: Path) -> Path:
    """A private, writable copy of the small built index."""
    target = tmp_path / "index"
    shutil.copytree(built_index, target)
    return target


@pytest.fixture
def runner() -> CliRunner:
    return CliRunner()


@pytest.fixture(scope="session")
def shared_data() -> Path:
    """The TMDB 5000 dataset beside the project; tests needing it skip when it is absent."""
    folder = SHARED_DATA / "tmdb5000"
    if not (folder / "tmdb_5000_movies.csv.gz").is_file():
        pytest.skip(f"{folder} is not available (set MOVIEMBED_SHARED_DATA to its parent)")
    return folder


TMDB_KEY = "k3y-0f-the-test-5uite"


@pytest.fixture
def fake_tmdb(monkeypatch: pytest.MonkeyPatch) -> Iterator[fake.FakeTmdb]:
    """A real HTTP server on 127.0.0.1 speaking TMDB's API, with the env pointing at it."""
    with fake.FakeTmdb(fake.small_movies(), api_key=TMDB_KEY) as server:
        monkeypatch.setenv("MOVIEMBED_TMDB_URL", server.url)
        monkeypatch.setenv("TMDB_API_KEY", TMDB_KEY)
        monkeypatch.setenv("MOVIEMBED_TMDB_RATE", "1000")
        yield server


@pytest.fixture(scope="session")
def chroma_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ChromaServer]:
    """One real Chroma server (`chroma run`) for the whole run; tests use their own collections."""
    server = ChromaServer(tmp_path_factory.mktemp("chroma-server"))
    server.start()
    try:
        yield server
    finally:
        server.stop()
