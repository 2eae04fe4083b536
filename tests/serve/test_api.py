"""The HTTP API through a real uvicorn server on 127.0.0.1 and a real HTTP client (httpx).

Searches run the real bundled model (its ONNX export), so the module is marked slow.
"""

from __future__ import annotations

import json
import re
import shutil
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from typer.testing import CliRunner

from moviembed.cli.app import app as cli
from moviembed.config import Settings
from moviembed.serve import create_app
from tests.live_server import LiveServer

pytestmark = pytest.mark.slow

TOKEN = "s3rve-t0ken-of-the-tests"


@pytest.fixture(scope="module")
def served_paths(
    tmp_path_factory: pytest.TempPathFactory, built_index: Path, onnx_cache: Path
) -> tuple[Path, Path]:
    """A copy of the small index and a cache folder sharing the session's ONNX export."""
    root = tmp_path_factory.mktemp("serve")
    shutil.copytree(built_index, root / "index")
    (root / "cache").mkdir()
    (root / "cache" / "onnx").symlink_to(onnx_cache / "onnx", target_is_directory=True)
    return root / "index", root / "cache"


def serve(paths: tuple[Path, Path], **options: object) -> LiveServer:
    token = options.pop("token", None)
    settings = Settings(db_path=paths[0], cache_dir=paths[1], serve_token=token)  # type: ignore[arg-type]
    return LiveServer(create_app(settings, **options))  # type: ignore[arg-type]


@pytest.fixture(scope="module")
def api(served_paths: tuple[Path, Path]) -> Iterator[httpx.Client]:
    with serve(served_paths) as server, httpx.Client(base_url=server.url, timeout=60) as client:
        yield client


def results(response: httpx.Response) -> list[dict]:
    assert response.status_code == 200, response.text
    return response.json()["results"]


def error_of(response: httpx.Response, status: int) -> str:
    """The one-line message of a JSON error answer with `status`."""
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == "application/json"
    body = response.json()
    assert list(body) in (["error"], ["error", "field"])
    assert "\n" not in body["error"] and body["error"]
    return body["error"]


def test_search_answers_like_query_json(
    api: httpx.Client, served_paths: tuple[Path, Path], runner: CliRunner
) -> None:
    response = api.get("/api/search", params={"q": "space adventure", "n": 5})
    body = response.json()
    assert body["query"] == "space adventure"
    cli_run = runner.invoke(
        cli, ["--db", str(served_paths[0]), "query", "space adventure", "-n", "5", "--json"]
    )
    assert cli_run.exit_code == 0, cli_run.output
    assert results(response) == json.loads(cli_run.stdout)
    assert [hit["rank"] for hit in body["results"]] == [1, 2, 3, 4, 5]


def test_filters_and_mode(api: httpx.Client) -> None:
    params = {"q": "scary", "genre": ["horror", "thriller"], "year": "1970s", "mode": "dense"}
    hits = results(api.get("/api/search", params=params))
    assert {hit["title"] for hit in hits} == {"Alien", "Jaws"}
    hits = results(api.get("/api/search", params={"q": "crime", "director": "tarantino"}))
    assert [hit["title"] for hit in hits] == ["Pulp Fiction"]
    assert results(api.get("/api/search", params={"q": "a musical", "language": "fr"})) == []


def titles(hits: list[dict]) -> set[str]:
    return {hit["title"] for hit in hits}


def test_rating_votes_and_runtime_filters(api: httpx.Client) -> None:
    rated = results(api.get("/api/search", params={"q": "a film", "min_rating": 8}))
    assert titles(rated) == {
        "The Godfather",
        "Interstellar",
        "The Silence of the Lambs",
        "Pulp Fiction",
    }
    voted = results(api.get("/api/search", params={"q": "a film", "min_votes": 6000}))
    assert titles(voted) == {"The Matrix", "Interstellar", "Pulp Fiction", "Finding Nemo"}
    short = results(api.get("/api/similar/603", params={"runtime": "..100"}))
    assert titles(short) == {"Toy Story", "When Harry Met Sally...", "Finding Nemo"}


def test_rank_reorders_like_query_rank(
    api: httpx.Client, served_paths: tuple[Path, Path], runner: CliRunner
) -> None:
    newest = results(
        api.get("/api/search", params={"q": "space adventure", "n": 3, "rank": "year"})
    )
    assert [hit["year"] for hit in newest] == sorted((hit["year"] for hit in newest), reverse=True)
    cli_run = runner.invoke(
        cli,
        [
            "--db",
            str(served_paths[0]),
            "query",
            "space adventure",
            "-n",
            "3",
            "--rank",
            "year",
            "--json",
        ],
    )
    assert newest == json.loads(cli_run.stdout)
    context = api.get("/api/context", params={"q": "space adventure", "n": 1, "rank": "year"})
    assert context.text.startswith(f"Movies for: space adventure\n\n[1] {newest[0]['title']} (")


@pytest.mark.parametrize(
    ("params", "status", "words", "field"),
    [
        (
            {"q": "x", "min_rating": 11},
            422,
            "min_rating: Input should be less than or equal to 10",
            "min_rating",
        ),
        (
            {"q": "x", "min_votes": -1},
            422,
            "min_votes: Input should be greater than or equal to 0",
            "min_votes",
        ),
        ({"q": "x", "runtime": "long"}, 400, "runtime 'long' is not a length", "runtime"),
        ({"q": "x", "rank": "votes"}, 422, "rank: Input should be", "rank"),
        ({"q": "x", "year": "199"}, 400, "year '199' is not a year or range", "year"),
        ({"q": "x", "genre": "cartoons"}, 400, "genre 'cartoons' is not a TMDB genre", "genre"),
        ({"q": "x", "language": "french"}, 400, "ISO 639-1", "language"),
        ({"q": "x", "director": " "}, 400, "director needs a name", "director"),
        ({"q": "   "}, 400, "The query is empty", None),
        ({"q": "word " * 401}, 400, "keep it under 2,000", None),
        ({"q": "x", "n": 101}, 422, "n: Input should be less than or equal to 100", "n"),
        ({"q": "x", "n": 0}, 422, "n: Input should be greater than or equal to 1", "n"),
        ({"q": "x", "n": "ten"}, 422, "n: Input should be a valid integer", "n"),
        ({"q": "x", "mode": "fuzzy"}, 422, "mode: Input should be 'dense' or 'hybrid'", "mode"),
        ({}, 422, "q: Field required", "q"),
    ],
)
def test_bad_requests_are_one_line_json_errors_naming_the_field(
    api: httpx.Client, params: dict, status: int, words: str, field: str | None
) -> None:
    response = api.get("/api/search", params=params)
    message = error_of(response, status)
    assert words in message and "--" not in message  # the API's names, not the CLI's flags
    assert response.json().get("field") == field


def test_similar_by_id_or_title_with_filters(api: httpx.Client) -> None:
    by_id = results(api.get("/api/similar/603", params={"n": 3}))
    by_title = results(api.get("/api/similar/the matrix", params={"n": 3}))
    assert by_id == by_title and len(by_id) == 3
    assert 603 not in {hit["id"] for hit in by_id}
    older = results(api.get("/api/similar/603", params={"year": "..1980"}))
    assert older and all(hit["year"] <= 1980 for hit in older)
    assert "No movie with id or title" in error_of(api.get("/api/similar/Nope Movie"), 404)
    assert "keep it under" in error_of(api.get("/api/similar/" + "a" * 2001), 400)


def test_movie_document_and_metadata(api: httpx.Client) -> None:
    response = api.get("/api/movies/603")
    assert response.status_code == 200
    body = response.json()
    assert body["id"] == 603 and body["metadata"]["title"] == "The Matrix"
    assert body["document"].startswith("The Matrix (1999)")
    assert api.get("/api/movies/the matrix").json() == body
    assert "No movie with id or title '999999'" in error_of(api.get("/api/movies/999999"), 404)
    assert api.get("/api/movies/the matrix (1999)").json() == body


def test_context_is_prompt_ready_text(api: httpx.Client) -> None:
    response = api.get("/api/context", params={"q": "shark", "n": 2})
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/plain")
    assert response.text.startswith("Movies for: shark\n\n[1] Jaws (1975) | TMDB id 578 |")
    assert "[2] " in response.text and "[3] " not in response.text


def test_health(api: httpx.Client) -> None:
    body = api.get("/api/health").json()
    assert body["count"] == 12 and body["dimension"] == 384
    assert body["model"] == "sentence-transformers/all-MiniLM-L6-v2"
    assert isinstance(body["generation"], str) and body["generation"]
    assert body["version"]


def test_recommend(api: httpx.Client) -> None:
    response = api.post("/api/recommend", json={"liked": ["603"], "n": 3})
    hits = results(response)
    assert hits and "because" in hits[0] and 603 not in {hit["id"] for hit in hits}
    assert results(api.post("/api/recommend", json={"liked": [603], "n": 3})) == hits
    assert results(api.post("/api/recommend", json={"liked": ["The Matrix"], "n": 3})) == hits
    seen = {"liked": [603], "seen": [hits[0]["title"], 424242], "n": 3}  # one not stored
    assert hits[0]["id"] not in {
        hit["id"] for hit in results(api.post("/api/recommend", json=seen))
    }
    body = {"liked": ["603"], "min_votes": 6000, "runtime": "101.."}
    assert titles(results(api.post("/api/recommend", json=body))) == {
        "Interstellar",
        "Pulp Fiction",
    }
    assert "liked" in error_of(api.post("/api/recommend", json={"liked": []}), 422)
    light_jaws = {"liked": [862, "Jaws"], "weights": {"578": 0.001}, "n": 3}
    toy_story = results(api.post("/api/recommend", json={"liked": ["862"], "n": 4}))
    alone = [hit["id"] for hit in toy_story if hit["id"] != 578][:3]
    assert [hit["id"] for hit in results(api.post("/api/recommend", json=light_jaws))] == alone
    assert "weights" in error_of(
        api.post("/api/recommend", json={"liked": ["862"], "weights": {"862": 0}}), 422
    )
    assert "x: Extra inputs" in error_of(
        api.post("/api/recommend", json={"liked": ["603"], "x": 1}), 422
    )


def test_recommend_from_an_uploaded_ratings_file(api: httpx.Client) -> None:
    ratings = Path(__file__).resolve().parents[1] / "data" / "ratings" / "plain.csv"
    response = api.post(
        "/api/recommend/ratings",
        params={"n": 3, "name": "plain.csv", "liked": "Jaws"},
        content=ratings.read_bytes(),
        headers={"Content-Type": "text/csv"},
    )
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["kind"] == "CSV" and body["skipped"][0].startswith("plain.csv line 8")
    taste = body["taste"]
    assert taste["liked"][0] == {"id": 578, "weight": 1.0, "title": "Jaws"}
    assert taste["disliked"] == [{"id": 157336, "weight": 0.25, "title": "Interstellar"}]
    assert taste["matched"] == 3 and len(taste["unmatched"]) == 4
    picks = {hit["id"] for hit in body["results"]}
    assert len(picks) == 3 and not picks & {603, 348, 157336, 578}
    bad = api.post("/api/recommend/ratings", params={"name": "x.csv"}, content=b"a,b\n1,2\n")
    assert error_of(bad, 400).startswith("x.csv is not a ratings export")
    assert "No liked movie" in error_of(
        api.post("/api/recommend/ratings", content=b"title,year\nAftersun,2022\n"), 404
    )


def test_unknown_paths_and_methods_are_json(api: httpx.Client) -> None:
    assert error_of(api.get("/api/nothing"), 404) == "Not Found"
    assert error_of(api.post("/api/search"), 405) == "Method Not Allowed"


def test_page_and_api_description_work_offline(api: httpx.Client) -> None:
    page = api.get("/")
    assert page.status_code == 200 and "text/html" in page.headers["content-type"]
    assert "default-src 'self'" in page.headers["content-security-policy"]
    assert "img-src 'self' https://image.tmdb.org;" in page.headers["content-security-policy"]
    assert '<meta name="moviembed-image-base" content="https://image.tmdb.org/t/p/w185">' in (
        page.text
    )
    assert api.get("/docs").status_code == 404 and api.get("/redoc").status_code == 404
    assert "/api/search" in api.get("/openapi.json").json()["paths"]
    static = Path(__file__).resolve().parents[2] / "moviembed" / "serve" / "static"
    for file in static.iterdir():
        text = file.read_text(encoding="utf-8")
        assert api.get(f"/static/{file.name}").text == text
        outside = set(re.findall(r"\w+://[^\s\"'`]+", text))
        allowed = {"https://image.tmdb.org/t/p/w185", "http://www.w3.org/2000/svg"}  # posters, SVG
        assert outside <= allowed, (file.name, outside)


def test_every_route_takes_the_same_filters(api: httpx.Client) -> None:
    schema = api.get("/openapi.json").json()
    filters = {"genre", "year", "director", "language", "min_rating", "min_votes", "runtime"}
    for path in ("/api/search", "/api/similar/{movie}", "/api/context"):
        params = {param["name"] for param in schema["paths"][path]["get"]["parameters"]}
        assert filters <= params, path
    ratings = schema["paths"]["/api/recommend/ratings"]["post"]["parameters"]
    assert filters <= {param["name"] for param in ratings}
    body = schema["components"]["schemas"]["RecommendRequest"]["properties"]
    assert filters <= set(body)


def test_token_guards_the_api_but_not_the_page(served_paths: tuple[Path, Path]) -> None:
    with serve(served_paths, token=TOKEN) as server, httpx.Client(base_url=server.url) as client:
        missing = client.get("/api/health")
        assert "Authorization: Bearer" in error_of(missing, 401)
        assert missing.headers["www-authenticate"] == "Bearer"
        wrong = client.get("/api/health", headers={"Authorization": "Bearer nope"})
        assert error_of(wrong, 401) == "Wrong token."
        basic = client.get("/api/health", headers={"Authorization": f"Basic {TOKEN}"})
        assert error_of(basic, 401)
        good = client.get("/api/health", headers={"Authorization": f"Bearer {TOKEN}"})
        assert good.status_code == 200 and TOKEN not in good.text
        assert client.get("/").status_code == 200


def preflight(client: httpx.Client, origin: str) -> httpx.Response:
    return client.options(
        "/api/search",
        headers={
            "Origin": origin,
            "Access-Control-Request-Method": "GET",
            "Access-Control-Request-Headers": "authorization",
        },
    )


def test_no_cors_unless_an_origin_is_named(
    api: httpx.Client, served_paths: tuple[Path, Path]
) -> None:
    assert "access-control-allow-origin" not in preflight(api, "http://elsewhere.test").headers
    plain = api.get("/api/health", headers={"Origin": "http://elsewhere.test"})
    assert "access-control-allow-origin" not in plain.headers
    allowed = "http://localhost:3000"
    with (
        serve(served_paths, cors_origins=[allowed]) as server,
        httpx.Client(base_url=server.url) as client,
    ):
        answer = preflight(client, allowed)
        assert answer.status_code == 200
        assert answer.headers["access-control-allow-origin"] == allowed
        assert "authorization" in answer.headers["access-control-allow-headers"].lower()
        assert preflight(client, "http://elsewhere.test").status_code == 400
        simple = client.get("/api/health", headers={"Origin": allowed})
        assert simple.headers["access-control-allow-origin"] == allowed
