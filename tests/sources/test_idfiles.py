"""Id files in every supported format, bad input, and pickles that try to run code."""

from __future__ import annotations

import os
import pickle
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from moviembed.errors import InputError
from moviembed.movie import is_tmdb_id
from moviembed.sources.idfiles import normalize_ids, read_id_file

from ..conftest import DATA

PICKLES = DATA / "ids"


def write(tmp_path: Path, name: str, content: str | bytes) -> Path:
    path = tmp_path / name
    path.write_bytes(content if isinstance(content, bytes) else content.encode("utf-8"))
    return path


def test_text_file_with_comments_blank_lines_and_problems(tmp_path: Path) -> None:
    path = write(tmp_path, "ids.txt", "# my list\n603\n\n550  # Fight Club\nabc\n-4\n603\n")
    result = read_id_file(path)
    assert result.ids == [603, 550]
    assert result.problems == [
        "line 5: 'abc' is not a positive integer id (skipped)",
        "line 6: '-4' is not a positive integer id (skipped)",
        "id 603 is listed 2 times (indexed once)",
    ]


@pytest.mark.parametrize("column", ["id", "movie_id", "TMDB_ID"])
def test_csv_with_any_id_column(tmp_path: Path, column: str) -> None:
    path = write(tmp_path, "ids.csv", f"title,{column}\nThe Matrix,603\nFight Club,550\n")
    assert read_id_file(path).ids == [603, 550]


def test_csv_without_an_id_column_names_the_columns(tmp_path: Path) -> None:
    path = write(tmp_path, "ids.csv", "title,year\nThe Matrix,1999\n")
    with pytest.raises(InputError, match="no id column: expected one of id, movie_id, tmdb_id"):
        read_id_file(path)


@pytest.mark.parametrize(
    "content", ["[603, 550]", '["603", "550"]', '[{"id": 603}, {"tmdb_id": 550}]']
)
def test_json_lists_of_ids_or_objects(tmp_path: Path, content: str) -> None:
    assert read_id_file(write(tmp_path, "ids.json", content)).ids == [603, 550]


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("series_pandas1.pkl", [603, 550, 13]),
        ("series_pandas3.pkl", [603, 550, 13]),
        ("series_int_index_pandas1.pkl", [862, 12]),
        ("series_int_index_pandas3.pkl", [862, 12]),
        ("array_numpy1.pkl", [603, 550, 13]),
        ("array_numpy2.pkl", [603, 550, 13]),
    ],
)
def test_pickled_series_and_arrays_without_pandas(name: str, expected: list[int]) -> None:
    assert read_id_file(PICKLES / name).ids == expected


@pytest.mark.parametrize("ids", [[603, 550], (603, 550), {550, 603}])
def test_pickled_plain_containers(tmp_path: Path, ids: object) -> None:
    path = write(tmp_path, "movie_ids.pkl", pickle.dumps(ids))
    assert sorted(read_id_file(path).ids) == [550, 603]


class RunsACommand:
    def __init__(self, marker: Path) -> None:
        self.marker = marker

    def __reduce__(self) -> tuple[object, tuple[str]]:
        return (os.system, (f"touch {self.marker}",))


class CallsEval:
    def __reduce__(self) -> tuple[object, tuple[str]]:
        return (eval, ("__import__('os').getcwd()",))


def test_a_malicious_pickle_is_refused_without_running(tmp_path: Path) -> None:
    marker = tmp_path / "pwned"
    path = write(tmp_path, "movie_ids.pkl", pickle.dumps([603, RunsACommand(marker)]))
    with pytest.raises(InputError, match="refused without running it"):
        read_id_file(path)
    assert not marker.exists()
    path = write(tmp_path, "eval.pkl", pickle.dumps(CallsEval()))
    with pytest.raises(InputError, match=r"builtins\.eval"):
        read_id_file(path)


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("dataframe_pandas3.pkl", None, "holds a DataFrame"),
        ("dict.pkl", pickle.dumps({"ids": [1]}), "holds a dict"),
        ("garbage.pkl", b"\x80\x04not really a pickle", "not a readable pickle"),
        ("empty.txt", b"  \n", "is empty"),
        ("binary.txt", b"603\n\x00\x01\x02", "is a binary file"),
        ("latin1.txt", "603\nAmélie\n".encode("latin-1"), "is not UTF-8 text"),
        ("words.txt", b"abc\n", r"holds no valid movie ids \(line 1: 'abc'"),
        ("broken.json", b"[603,", "is not valid JSON"),
        ("object.json", b'{"ids": [603]}', "must hold a JSON list"),
    ],
)
def test_bad_files_give_one_clear_error(
    tmp_path: Path, name: str, content: bytes | None, message: str
) -> None:
    path = PICKLES / name if content is None else write(tmp_path, name, content)
    with pytest.raises(InputError, match=message):
        read_id_file(path)


def test_missing_folder_and_huge_files(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    with pytest.raises(InputError, match="does not exist"):
        read_id_file(tmp_path / "absent.txt")
    with pytest.raises(InputError, match="is a folder"):
        read_id_file(tmp_path)
    huge = tmp_path / "huge.txt"
    with huge.open("wb") as handle:
        handle.truncate(65 * 1024 * 1024)
    with pytest.raises(InputError, match="ids files are limited to 64 MiB"):
        read_id_file(huge)


@given(st.lists(st.one_of(st.integers(), st.text(max_size=8), st.floats(), st.booleans())))
def test_normalize_keeps_each_positive_id_once_in_order(values: list[object]) -> None:
    result = normalize_ids((f"item {i}", value) for i, value in enumerate(values))
    assert len(result.ids) == len(set(result.ids))
    assert all(isinstance(i, int) and i > 0 for i in result.ids)
    expected = []
    for value in values:
        if is_tmdb_id(value):
            if value not in expected:
                expected.append(value)
    assert [i for i in result.ids if i in expected] == expected
