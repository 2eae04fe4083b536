"""Settings precedence: flag > environment > .env > default."""

from __future__ import annotations

from pathlib import Path

import pytest

from moviembed.config import Settings, default_db_path
from moviembed.errors import ConfigError
from moviembed.index.store import EmbeddingStore


def test_defaults_when_nothing_is_set(tmp_path: Path) -> None:
    settings = Settings.load(environ={})
    assert settings.db_path == default_db_path()
    assert settings.collection == "movies"
    assert settings.model is None
    assert settings.batch_size is None and settings.device == "auto"  # suited to the device


def test_flag_beats_environment_beats_env_file(tmp_path: Path) -> None:
    (tmp_path / ".env").write_text("MOVIEMBED_DB=/from/file\nMOVIEMBED_BATCH_SIZE=8\n")
    environ = {"MOVIEMBED_DB": "/from/env"}
    assert Settings.load(environ=environ).db_path == Path("/from/env")
    assert Settings.load(environ=environ, db_path=Path("/from/flag")).db_path == Path("/from/flag")
    assert Settings.load(environ={}).db_path == Path("/from/file")
    assert Settings.load(environ=environ).batch_size == 8


def test_explicit_env_file_is_read_and_must_exist(tmp_path: Path) -> None:
    other = tmp_path / "other.env"
    other.write_text("MOVIEMBED_MODEL=all-MiniLM-L6-v2\n")
    assert Settings.load(env_file=other, environ={}).model == "all-MiniLM-L6-v2"
    with pytest.raises(ConfigError, match="does not exist"):
        Settings.load(env_file=tmp_path / "missing.env", environ={})


def test_env_file_in_parent_folders_is_ignored(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / ".env").write_text("MOVIEMBED_COLLECTION=parent\n")
    child = tmp_path / "child"
    child.mkdir()
    monkeypatch.chdir(child)
    assert Settings.load(environ={}).collection == "movies"


@pytest.mark.parametrize("raw", ["0", "-1", "many"])
def test_bad_batch_size_is_a_config_error(raw: str) -> None:
    with pytest.raises(ConfigError, match="MOVIEMBED_BATCH_SIZE must be a number from 1 to 4096"):
        Settings.load(environ={"MOVIEMBED_BATCH_SIZE": raw})


def test_relative_folders_keep_their_meaning_when_the_working_directory_changes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Importing chromadb changes the working directory for a moment, while another thread
    may be opening the query model from the cache folder: folders are absolute from the
    start, whether loaded or given directly."""
    monkeypatch.chdir(tmp_path)
    here = Path.cwd()
    loaded = Settings.load(environ={"MOVIEMBED_DB": "index", "MOVIEMBED_CACHE_DIR": "cache"})
    given = Settings(db_path=Path("index"), cache_dir=Path("cache"))
    monkeypatch.chdir(tmp_path.parent)
    for settings in (loaded, given):
        assert settings.db_path == here / "index" and settings.cache_dir == here / "cache"
    store = EmbeddingStore(Path("index"))
    assert store.persist_dir == Path(store.location) == Path.cwd() / "index"
