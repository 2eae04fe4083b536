"""How long matching a ratings export to the index takes: the batched title lookup that
`moviembed recommend --ratings` uses against one `find_by_title` read per film.

    python benchmarks/ratings_match.py [--data ../shared/data/tmdb5000] [--films 1000] [--runs 5]

The index holds TMDB 5000's metadata (stand-in vectors: matching reads no vector). The
export is a Letterboxd-style list of the dataset's own titles and years, every tenth
film one the index does not hold. Both ways are timed in the same process, interleaved;
the table gives medians and the median of the run-by-run ratios.
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

from search_quality import DEFAULT_DATA, load_movies  # noqa: E402

from moviembed.documents import fold  # noqa: E402
from moviembed.index.builder import build_index  # noqa: E402
from moviembed.index.store import EmbeddingStore  # noqa: E402
from moviembed.search.taste import taste_from  # noqa: E402
from moviembed.sources.ratings import RatedFilm  # noqa: E402
from tests.fakes import HashingEmbedder  # noqa: E402


def per_film(store: EmbeddingStore, films: list[RatedFilm]) -> int:
    """The baseline: one title read per film, the year chosen as taste_from chooses it."""
    found = 0
    for film in films:
        hits = store.find_by_title(fold(film.title))
        found += any(
            abs((hit["metadata"].get("year") or 0) - (film.year or 0)) <= 1 for hit in hits
        )
    return found


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    parser.add_argument("--films", type=int, default=1000, help="rows in the export")
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args(argv)
    movies = load_movies(args.data)
    with tempfile.TemporaryDirectory() as folder:
        store = EmbeddingStore(Path(folder) / "index")
        build_index(movies, store=store, embedder=HashingEmbedder())
        picked = random.Random(7).sample(movies, args.films)
        films = [
            RatedFilm(f"Not Here {n}" if n % 10 == 0 else m.title, m.year, rating=8.0, where=str(n))
            for n, m in enumerate(picked)
        ]
        walls: dict[str, list[float]] = {"batched (taste_from)": [], "per film": []}
        for _ in range(args.runs):
            start = time.perf_counter()
            matched = len(taste_from(store, films).seen)
            walls["batched (taste_from)"].append(time.perf_counter() - start)
            start = time.perf_counter()
            baseline = per_film(store, films)
            walls["per film"].append(time.perf_counter() - start)
    print(
        f"{args.films} films, {len(movies)} in the index; matched {matched} (per film {baseline})"
    )
    print("| way | median s | films/s |\n|---|---:|---:|")
    for name, times in walls.items():
        median = statistics.median(times)
        print(f"| {name} | {median:.3f} | {args.films / median:,.0f} |")
    ratios = [a / b for a, b in zip(*walls.values(), strict=True)]
    print(f"batched / per film (median of run ratios): {statistics.median(ratios):.3f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
