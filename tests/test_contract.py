"""One contract for every face: the library, the CLI (`--json`) and the HTTP API (a real
uvicorn) give the same movies, in the same order, with integer ids, to the same request:
query, similar and recommend, with filters and with movies named by title or by id.
And a bad value is refused by each face naming the field its own way.

Over the bundled catalog indexed once with the real model (queries must embed alike).
"""

from __future__ import annotations

import json
import shutil
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pytest
from typer.testing import CliRunner

from moviembed.cli.app import app as cli
from moviembed.config import Settings
from moviembed.errors import UsageError
from moviembed.search.filters import Filters
from moviembed.search.movie_index import MovieIndex
from moviembed.serve import create_app
from tests.live_server import LiveServer

HEAT = 949  # in the bundled catalog, as are Casino and The Matrix


@dataclass(frozen=True)
class Request:
    """One request as each face takes it: `command` with its movie(s) or text, a limit and
    the filters by the API's names."""

    command: str
    subject: Any  # the query text, the movie, or the liked movies
    filters: dict[str, Any] = field(default_factory=dict)
    limit: int = 5

    def cli_args(self) -> list[str]:
        subjects = self.subject if isinstance(self.subject, list) else [self.subject]
        args = [self.command, *map(str, subjects), "-n", str(self.limit)]
        for name, value in self.filters.items():
            for one in value if isinstance(value, list) else [value]:
                args += ["--" + name.replace("_", "-"), str(one)]
        return [*args, "--json", "--local"]

    def library_filters(self) -> Filters:
        options = dict(self.filters)
        return Filters.parse(options.pop("genre", []), **options)


REQUESTS = [
    Request("query", "a heist crew plans one last job"),
    Request(
        "query",
        "space adventure",
        {"genre": ["Science Fiction"], "year": "1970..", "min_votes": 1000},
    ),
    Request("query", "a mob story", {"min_rating": 7.5, "runtime": "120..", "language": "en"}),
    Request("similar", "Heat", {"min_rating": 7}),
    Request("similar", 603, {"runtime": "..140", "director": "spielberg"}),
    Request("recommend", ["Heat"], {"min_rating": 7}),
    Request("recommend", [HEAT, "the matrix"], {"genre": ["Crime"], "year": "1990..2010"}),
    Request("recommend", ["Casino"], {"min_votes": 2000, "runtime": "..150"}, limit=3),
]


@pytest.fixture(scope="module")
def cache(tmp_path_factory: pytest.TempPathFactory, onnx_cache: Path) -> Path:
    """One cache for every face: the session's ONNX export, the keyword index."""
    folder = tmp_path_factory.mktemp("contract-cache")
    shutil.copytree(onnx_cache / "onnx", folder / "onnx", symlinks=True)
    return folder


@pytest.fixture(scope="module")
def api(bundled_index: Path, cache: Path) -> Iterator[httpx.Client]:
    settings = Settings(db_path=bundled_index, cache_dir=cache)  # type: ignore[call-arg]
    with (
        LiveServer(create_app(settings)) as server,
        httpx.Client(base_url=server.url, timeout=60) as client,
    ):
        yield client


@pytest.fixture(scope="module")
def library(bundled_index: Path, cache: Path) -> Iterator[MovieIndex]:
    index = MovieIndex.open(bundled_index, cache_dir=cache)
    yield index
    index.close()


def by_library(request: Request, library: MovieIndex) -> list[int]:
    filters, limit = request.library_filters(), request.limit
    if request.command == "query":
        found = library.search(request.subject, limit, filters=filters)
    elif request.command == "similar":
        found = library.similar(request.subject, limit, filters=filters)
    else:
        found = library.recommend(request.subject, limit=limit, filters=filters)
    return [hit.id for hit in found]


def by_cli(request: Request, bundled_index: Path, cache: Path) -> list[Any]:
    args = ["--db", str(bundled_index), *request.cli_args()]
    run = CliRunner().invoke(cli, args, env={"MOVIEMBED_CACHE_DIR": str(cache)})
    assert run.exit_code == 0, run.output
    return [hit["id"] for hit in json.loads(run.stdout)]


def by_api(request: Request, api: httpx.Client) -> list[Any]:
    params = {"n": request.limit, **request.filters}
    if request.command == "query":
        response = api.get("/api/search", params={"q": request.subject, **params})
    elif request.command == "similar":
        response = api.get(f"/api/similar/{request.subject}", params=params)
    else:
        response = api.post("/api/recommend", json={"liked": request.subject, **params})
    assert response.status_code == 200, response.text
    return [hit["id"] for hit in response.json()["results"]]


@pytest.mark.parametrize("request_", REQUESTS, ids=lambda r: f"{r.command}-{r.subject}")
def test_every_face_gives_the_same_movies_in_the_same_order(
    request_: Request,
    api: httpx.Client,
    library: MovieIndex,
    bundled_index: Path,
    cache: Path,
) -> None:
    expected = by_library(request_, library)
    assert expected and all(type(movie_id) is int for movie_id in expected)
    assert by_cli(request_, bundled_index, cache) == expected
    assert by_api(request_, api) == expected


@pytest.mark.parametrize(
    ("filters", "library_field", "flag", "api_field", "status"),
    [
        ({"min_rating": 11}, "min_rating", "--min-rating", "min_rating", 422),
        ({"runtime": "long"}, "runtime", "--runtime", "runtime", 400),
        ({"genre": ["cartoons"]}, "genres", "--genre", "genre", 400),
        ({"year": "2020..1990"}, "year", "--year", "year", 400),
    ],
)
@pytest.mark.parametrize("command", ["query", "similar", "recommend"])
def test_a_bad_value_is_named_by_each_face_its_own_way(
    command: str,
    filters: dict[str, Any],
    library_field: str,
    flag: str,
    api_field: str,
    status: int,
    api: httpx.Client,
    bundled_index: Path,
    cache: Path,
) -> None:
    request = Request(command, ["Heat"] if command == "recommend" else "Heat", filters)
    with pytest.raises(UsageError) as raised:
        request.library_filters()
    assert raised.value.field == library_field
    args = ["--db", str(bundled_index), *request.cli_args()]
    run = CliRunner().invoke(cli, args, env={"MOVIEMBED_CACHE_DIR": str(cache)})
    assert run.exit_code == 2 and run.stderr.startswith(f"Error: {flag} "), run.stderr
    if command == "recommend":
        response = api.post("/api/recommend", json={"liked": ["Heat"], **filters})
    elif command == "similar":
        response = api.get("/api/similar/Heat", params=filters)
    else:
        response = api.get("/api/search", params={"q": "Heat", **filters})
    assert response.status_code == status, response.text
    body = response.json()
    assert body["field"] == api_field and "--" not in body["error"]
    assert body["error"].startswith(api_field)
