"""The table's own check can fail: an index that no longer holds what was built is caught,
whether a movie went or only a stored field changed."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from moviembed.index.store import EmbeddingStore

from .conftest import Case

CHANGES: dict[str, Callable[[EmbeddingStore], object]] = {
    "a movie removed": lambda store: store.delete(["603"]),
    "a title changed": lambda store: store.update_metadatas(["603"], [{"title": "Matrix"}]),
}


@pytest.mark.parametrize("change", CHANGES.values(), ids=list(CHANGES))
def test_a_changed_index_fails_the_check(
    fake_index: Path,
    check_refused: Callable[[Case], None],
    change: Callable[[EmbeddingStore], object],
) -> None:
    def change_the_index(folder: Path) -> str:
        change(EmbeddingStore(fake_index))
        return ""

    case = Case("changed", ["query", ""], 2, "The query is empty", change_the_index)
    with pytest.raises(AssertionError, match="the index changed"):
        check_refused(case)


def test_an_unchanged_index_passes_the_check(check_refused: Callable[[Case], None]) -> None:
    check_refused(Case("unchanged", ["query", ""], 2, "The query is empty"))
