"""When the service reopens the index (fast tier: the stand-in model, no server)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from typer.testing import CliRunner

from moviembed.cli.app import app
from moviembed.config import Settings
from moviembed.index.keywords import SCHEMA, KeywordIndex
from moviembed.index.lock import OWNER_NAME, IndexLock, writer_running
from moviembed.index.store import EmbeddingStore
from moviembed.search.service import IndexService
from tests.conftest import SMALL_CATALOG


def test_writer_running_reads_the_owner_file_without_taking_the_lock(tmp_path: Path) -> None:
    assert not writer_running(tmp_path)
    with IndexLock(tmp_path):
        assert writer_running(tmp_path)
    assert not writer_running(tmp_path)
    finished = subprocess.run(
        [sys.executable, "-c", "import os; print(os.getpid())"],
        check=True,
        capture_output=True,
        text=True,
    )
    (tmp_path / OWNER_NAME).write_text(json.dumps({"pid": int(finished.stdout)}))
    assert not writer_running(tmp_path)  # a writer killed before it could remove the file
    (tmp_path / OWNER_NAME).write_text("{damaged")
    assert not writer_running(tmp_path)


def test_the_service_reopens_once_the_writer_is_done(runner: CliRunner, tmp_path: Path) -> None:
    built = runner.invoke(app, ["build", "-q", "--catalog", str(SMALL_CATALOG)])
    assert built.exit_code == 0, built.output
    settings = Settings.load()
    service = IndexService.open(settings, recheck_seconds=0)
    try:
        writer = EmbeddingStore.from_settings(settings)
        with IndexLock(settings.db_path):
            writer.mark_changed()
            assert not service.check()  # changed since the last check: maybe mid-write
            assert not service.check()  # still, but the writer holds the lock
        assert service.check()
        assert not service.check()
        with service.reading() as index:
            assert index.generation == writer.generation()
            assert index.store.count() == 12
    finally:
        service.close()


def test_keywords_rewritten_by_another_build_wait_for_the_reopen(
    runner: CliRunner, tmp_path: Path
) -> None:
    """A build rewrites the shared keyword file before the service reopens its store, whose
    local Chroma cannot read the new movies yet: until then, searches rank by meaning."""
    built = runner.invoke(app, ["build", "-q", "--catalog", str(SMALL_CATALOG)])
    assert built.exit_code == 0, built.output
    settings = Settings.load()
    service = IndexService.open(settings, recheck_seconds=0)
    try:
        with service.reading() as index:
            keywords = index.keywords
        assert keywords.search("toy", 5)[0][0] == "862"
        writer = EmbeddingStore.from_settings(settings)
        KeywordIndex.for_store(writer, settings.cache_dir).rebuild(writer, "another build's")
        assert keywords.search("toy", 5) == []
        assert [hit.id for hit in service.search("toy story", limit=1)] == [862]
        keywords.pin(writer)
        assert keywords.search("toy", 5)[0][0] == "862"
        same = f"{SCHEMA}:{writer.generation() or ''}"
        KeywordIndex.for_store(writer, settings.cache_dir).rebuild(writer, same)
        assert keywords.search("toy", 5)[0][0] == "862"  # rebuilt alike, e.g. by the build
    finally:
        service.close()
