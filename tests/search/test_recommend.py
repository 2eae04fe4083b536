"""`recommend`: liked movies in, ranked picks out with their reasons.

The logic runs on the small catalog with the fast stand-in vectors; what the
real model ranks (dislikes, MMR, Toy Story) on its vectors, marked slow."""

from __future__ import annotations

import json
import math
import pickle
from pathlib import Path

import pytest
from typer.testing import CliRunner

from moviembed.choices import RecommendMethod
from moviembed.cli.app import app
from moviembed.errors import NotFoundError, UsageError
from moviembed.index.builder import build_index
from moviembed.index.store import EmbeddingStore
from moviembed.movie import Skipped, movie_from_tmdb
from moviembed.search.filters import Filters
from moviembed.search.names import resolve_movies
from moviembed.search.query import SearchHit
from moviembed.search.recommend import Recommendation, recommend
from moviembed.sources.dataset import iter_api_records

TOY_STORY, ALIEN, JAWS, NEMO, CASABLANCA = "862", "348", "578", "12", "289"


@pytest.fixture
def store(fake_index: Path) -> EmbeddingStore:
    """The small catalog with the fast stand-in vectors, where `moviembed` looks for it."""
    return EmbeddingStore(fake_index)


@pytest.fixture
def real_store(index_copy: Path) -> EmbeddingStore:
    """The small catalog with the real model's vectors, for what the model ranks."""
    return EmbeddingStore(index_copy)


def cosine(a: list[float], b: list[float]) -> float:
    dot = sum(x * y for x, y in zip(a, b, strict=True))
    return dot / math.sqrt(sum(x * x for x in a) * sum(y * y for y in b))


def vectors(store: EmbeddingStore) -> dict[str, list[float]]:
    return {
        hit["id"]: hit["embedding"]
        for page in store.iter_movies(include_embeddings=True)
        for hit in page
    }


@pytest.mark.parametrize("method", list(RecommendMethod))
def test_each_pick_names_the_liked_movie_closest_to_it(
    store: EmbeddingStore, method: RecommendMethod
) -> None:
    picks = recommend([TOY_STORY, ALIEN], store=store, limit=6, method=method)
    stored = vectors(store)
    assert [pick.rank for pick in picks] == [1, 2, 3, 4, 5, 6]
    assert len({pick.id for pick in picks}) == 6
    assert not {str(pick.id) for pick in picks} & {TOY_STORY, ALIEN}
    for pick in picks:
        mine = stored[str(pick.id)]
        to_liked = {int(liked): cosine(mine, stored[liked]) for liked in (TOY_STORY, ALIEN)}
        assert pick.because.id == max(to_liked, key=to_liked.__getitem__)
        assert pick.because.similarity == pytest.approx(to_liked[pick.because.id], abs=1e-6)
        assert pick.because.title in {"Toy Story", "Alien"}


def test_centroid_ranks_by_similarity_to_the_mean_of_the_liked_movies(
    store: EmbeddingStore,
) -> None:
    stored = vectors(store)
    liked = [TOY_STORY, ALIEN]
    mean = [sum(values) / 2 for values in zip(*(stored[i] for i in liked), strict=True)]
    expected = sorted(
        (movie_id for movie_id in stored if movie_id not in liked),
        key=lambda movie_id: cosine(stored[movie_id], mean),
        reverse=True,
    )
    picks = recommend(liked, store=store, limit=10, method=RecommendMethod.centroid)
    assert [str(pick.id) for pick in picks] == expected[:10]
    assert [pick.similarity for pick in picks] == pytest.approx(
        [cosine(stored[movie_id], mean) for movie_id in expected[:10]], abs=1e-6
    )


@pytest.mark.parametrize("method", list(RecommendMethod))
def test_a_disliked_movie_pushes_its_neighbours_down(
    real_store: EmbeddingStore, method: RecommendMethod
) -> None:
    store = real_store
    stored = vectors(store)

    def closeness_to_jaws(picks: list[Recommendation]) -> float:
        return sum(cosine(stored[str(pick.id)], stored[JAWS]) for pick in picks)

    plain = recommend([NEMO, ALIEN], store=store, limit=4, method=method)
    pushed = recommend([NEMO, ALIEN], store=store, disliked=[JAWS], limit=4, method=method)
    assert JAWS in {str(pick.id) for pick in plain}
    assert JAWS not in {str(pick.id) for pick in pushed}
    assert closeness_to_jaws(pushed) < closeness_to_jaws(plain)


def test_mmr_picks_are_more_varied_than_the_centroids(real_store: EmbeddingStore) -> None:
    store = real_store
    stored = vectors(store)

    def mean_pair_similarity(picks: list[Recommendation]) -> float:
        ids = [str(pick.id) for pick in picks]
        pairs = [(a, b) for n, a in enumerate(ids) for b in ids[n + 1 :]]
        return sum(cosine(stored[a], stored[b]) for a, b in pairs) / len(pairs)

    liked = ["157336"]  # Interstellar
    centroid = recommend(liked, store=store, limit=4, method=RecommendMethod.centroid)
    varied = recommend(liked, store=store, limit=4, method=RecommendMethod.mmr)
    assert varied[0].id == centroid[0].id  # the first pick is the most relevant either way
    assert mean_pair_similarity(varied) < mean_pair_similarity(centroid)


def test_excluded_movies_and_filters(store: EmbeddingStore) -> None:
    seen = {NEMO, JAWS, CASABLANCA}
    picks = recommend([TOY_STORY], store=store, exclude=seen, limit=20)
    assert len(picks) == 12 - 1 - len(seen)
    assert not {str(pick.id) for pick in picks} & seen
    drama = recommend([TOY_STORY], store=store, filters=Filters.parse(["drama"]))
    assert drama and all("Drama" in pick.metadata["genre_list"] for pick in drama)
    by_surname = recommend([ALIEN], store=store, filters=Filters.parse(director="spielberg"))
    assert {pick.title for pick in by_surname} == {"Jaws", "Jurassic Park"}


def test_the_json_item_is_a_search_hit_plus_because(store: EmbeddingStore) -> None:
    (pick,) = recommend([TOY_STORY], store=store, limit=1)
    item = pick.to_dict()
    hit = SearchHit(pick.rank, pick.id, pick.similarity, pick.document, pick.metadata, pick.score)
    assert item == {**hit.to_dict(), "because": item["because"]}
    assert item["because"] == {
        "id": int(TOY_STORY),
        "title": "Toy Story",
        "similarity": round(pick.because.similarity, 4),
    }


def test_bad_input_raises_with_a_hint(store: EmbeddingStore) -> None:
    with pytest.raises(UsageError, match="at least one liked movie"):
        recommend([], store=store)
    with pytest.raises(NotFoundError, match="No movie with id 424242"):
        recommend([TOY_STORY, "424242"], store=store)
    with pytest.raises(UsageError, match="both liked and disliked"):
        recommend([TOY_STORY], store=store, disliked=[TOY_STORY])
    with pytest.raises(UsageError, match="Unknown method 'magic'"):
        recommend([TOY_STORY], store=store, method="magic")
    with pytest.raises(UsageError, match="between 1 and"):
        recommend([TOY_STORY], store=store, limit=0)
    others = vectors(store).keys() - {TOY_STORY}
    with pytest.raises(NotFoundError, match="Every candidate movie"):
        recommend([TOY_STORY], store=store, exclude=others)
    assert recommend([TOY_STORY], store=store, filters=Filters.parse(year="1800")) == []


def test_resolve_movies_takes_ids_and_titles_once_each(store: EmbeddingStore) -> None:
    assert resolve_movies(store, ["toy story", "862", "Alien"]) == [TOY_STORY, ALIEN]
    with pytest.raises(NotFoundError, match="Citizen Kane"):
        resolve_movies(store, ["Citizen Kane"])


# -- the command ----------------------------------------------------------------------------


def invoke(runner: CliRunner, *args: str) -> tuple[int, str, str]:
    result = runner.invoke(app, ["recommend", *args])
    return result.exit_code, result.stdout, result.stderr


def test_cli_json_and_piped_table(runner: CliRunner, store: EmbeddingStore, tmp_path: Path) -> None:
    seen = tmp_path / "seen.pkl"
    seen.write_bytes(pickle.dumps([12, 578]))
    code, out, _ = invoke(runner, "Toy Story", "--not", "alien", "--seen", str(seen), "--json")
    assert code == 0
    items = json.loads(out)
    assert len(items) == 8  # 12 movies less the liked, the disliked and the two seen
    assert {str(item["id"]) for item in items}.isdisjoint({TOY_STORY, ALIEN, NEMO, JAWS})
    assert all(item["because"]["title"] == "Toy Story" for item in items)
    code, out, _ = invoke(runner, "862", "348", "-n", "3", "--method", "rrf")
    rows = [line.split("\t") for line in out.splitlines()]
    assert [row[0] for row in rows] == ["1", "2", "3"]
    # rank, id, title, year, genres, similarity, rating, votes, score, then the liked movie
    assert all(len(row) == 12 and row[9] in {TOY_STORY, ALIEN} for row in rows)


def test_cli_context_pairs_each_pick_with_the_liked_movie(
    runner: CliRunner, store: EmbeddingStore
) -> None:
    code, out, _ = invoke(runner, "Toy Story", "-n", "2", "--format", "context")
    assert code == 0
    assert out.startswith("Movies for someone who liked: Toy Story\n\n[1] ")
    assert out.count("[2] because they liked: Toy Story | TMDB id 862") == 1
    assert out.count("Toy Story (1995)\n") == 2  # the liked movie's document after each pick


@pytest.mark.parametrize(
    ("args", "code", "message"),
    [
        (["Citizen Kane"], 1, "Error: No movie with id or title 'Citizen Kane' in the index."),
        (["Alien", "--not", "Nope"], 1, "Error: No movie with id or title 'Nope'"),
        (["casablanca"], 2, "Error: Several movies are titled 'casablanca'"),
        (["862", "--seen", "empty.txt"], 2, "Error: empty.txt is empty"),
        (["862", "--seen", "all.txt"], 1, "Error: Every candidate movie is one you liked"),
        (["862", "--json", "--format", "context"], 2, "Error: --json and --format context"),
    ],
)
def test_cli_errors_are_one_line(
    runner: CliRunner,
    store: EmbeddingStore,
    tmp_path: Path,
    args: list[str],
    code: int,
    message: str,
) -> None:
    casablanca = store.get_one(CASABLANCA, include_embeddings=True)
    remake = dict(casablanca["metadata"], year=1999)
    store.upsert_movies(["999001"], [casablanca["embedding"]], [casablanca["document"]], [remake])
    (tmp_path / "empty.txt").write_text("\n")
    (tmp_path / "all.txt").write_text("\n".join(sorted(store.all_ids())))
    exit_code, out, err = invoke(runner, *args)
    assert (exit_code, out) == (code, "")
    assert err.startswith(message) and err.count("\n") == 1


# -- TMDB 5000 ------------------------------------------------------------------------------


@pytest.mark.slow
def test_the_first_toy_story_films_recommend_the_third(
    shared_data: Path, embedder: object, tmp_path: Path
) -> None:
    """Among the dataset's animated and family films (the neighbours that compete with Toy
    Story 3; embedding all 4,803 movies took three minutes of CI for the same answer)."""
    records = iter_api_records(
        shared_data / "tmdb_5000_movies.csv.gz", shared_data / "tmdb_5000_credits.csv.gz"
    )
    movies = [
        movie
        for movie in (movie_from_tmdb(r) for r in records if not isinstance(r, Skipped))
        if {"Animation", "Family"} & set(movie.genres)
    ]
    assert len(movies) > 500
    store = EmbeddingStore(tmp_path / "tmdb5000")
    build_index(movies, store=store, embedder=embedder)  # type: ignore[arg-type]
    for method in RecommendMethod:
        liked = resolve_movies(store, ["Toy Story", "Toy Story 2"])
        picks = recommend(liked, store=store, method=method)
        assert 10193 in [pick.id for pick in picks[:5]], method  # Toy Story 3
