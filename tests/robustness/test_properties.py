"""Property-based: every reader of outside data either returns clean values or raises the
one error type its caller turns into a line; never RecursionError, never a text that
cannot be printed."""

from __future__ import annotations

import tempfile
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from moviembed.config import SPECS, Settings
from moviembed.errors import ConfigError, InputError
from moviembed.files import parse_json
from moviembed.index.backup import read_export
from moviembed.movie import movie_from_tmdb
from moviembed.sources.catalog import load_catalog
from moviembed.sources.dataset import api_record
from moviembed.sources.idfiles import read_id_file

FAST = settings(max_examples=60, suppress_health_check=[HealthCheck.too_slow], deadline=None)
json_text = st.one_of(
    st.text(alphabet='[]{}",:0123456789.-eE \\ud800abcnultrsf', max_size=80),
    st.recursive(
        st.one_of(st.none(), st.booleans(), st.integers(), st.floats(), st.text(max_size=8)),
        lambda inner: st.one_of(
            st.lists(inner, max_size=3), st.dictionaries(st.text(max_size=5), inner, max_size=3)
        ),
        max_leaves=15,
    ).map(repr),
)


def _printable(value: object) -> None:
    str(value).encode("utf-8")  # a lone surrogate would raise here


def _in_file(suffix: str, data: bytes) -> Path:
    handle = tempfile.NamedTemporaryFile(suffix=suffix, delete=False)
    handle.write(data)
    handle.close()
    return Path(handle.name)


@FAST
@given(st.sampled_from([".txt", ".csv", ".json", ".pkl"]), st.binary(max_size=200))
def test_ids_files(suffix: str, data: bytes) -> None:
    path = _in_file(suffix, data)
    try:
        result = read_id_file(path)
    except InputError:
        return
    finally:
        path.unlink()
    assert result.ids and all(0 < movie_id < 2**31 for movie_id in result.ids)


@FAST
@given(json_text)
def test_catalogs(text: str) -> None:
    path = _in_file(".json", text.encode("utf-8", "surrogatepass"))
    try:
        movies = load_catalog(path)
    except InputError as exc:
        _printable(exc)
        return
    finally:
        path.unlink()
    for movie in movies:
        _printable(movie)


@FAST
@given(st.lists(json_text, max_size=4))
def test_export_lines(lines: list[str]) -> None:
    header = '{"moviembed_export": 1, "model": "m", "dimension": 2, "count": 1}'
    try:
        movies = read_export([header, *lines], source="fuzz")
    except InputError as exc:
        _printable(exc)
        return
    _printable(movies.metadatas)


@FAST
@given(json_text)
def test_tmdb_answers(text: str) -> None:
    try:
        movie = movie_from_tmdb(parse_json(text))
    except (ValueError, AttributeError) as exc:
        assert not isinstance(exc, RecursionError)
        if isinstance(exc, AttributeError):  # only a non-object answer, which callers refuse
            assert not isinstance(parse_json(text), dict)
        return
    _printable(movie)


@FAST
@given(
    st.dictionaries(
        st.sampled_from(
            ["id", "title", "genres", "runtime", "keywords", "release_date", "original_language"]
        ),
        json_text,
    )
)
def test_dataset_rows(row: dict[str, str]) -> None:
    try:
        record = api_record(row)
    except ValueError:
        return
    _printable(movie_from_tmdb(record))


@FAST
@given(st.sampled_from(sorted(SPECS)), st.text(max_size=30))
def test_settings_values(name: str, value: str) -> None:
    try:
        Settings.load(environ={SPECS[name].variable: value})
    except ConfigError as exc:
        _printable(exc)
