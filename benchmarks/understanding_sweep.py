"""The sweep behind query understanding's weights, on the TUNING halves only.

    python benchmarks/understanding_sweep.py [--index DIR] [--workdir DIR]

Each configuration sets search/ranking.py's leaning weights (genre, mood, theme, the
focus damping for long descriptions), the "like X but Y" mix and how many story words make
a plot, then scores the tuning half of discovery_queries.json (P@10 over the best possible,
per kind) and of quality_queries.json with known_tuning_queries.json (known-item MRR@10 and
Recall@10, mood nDCG@10), so a gain for requests cannot hide a loss for descriptions. Query
vectors are computed once and reused across configurations. The test halves are for
reporting (discovery.py, search_quality.py).
"""

from __future__ import annotations

import argparse
import contextlib
import json
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

import discovery  # noqa: E402
import search_quality  # noqa: E402

from moviembed.index.keywords import KeywordIndex  # noqa: E402
from moviembed.search import query as query_module  # noqa: E402
from moviembed.search import ranking  # noqa: E402
from moviembed.search import reading as reading_module  # noqa: E402
from moviembed.search import understand as understand_module  # noqa: E402
from moviembed.search.query import search  # noqa: E402

Config = dict[str, float]
CONFIGS: dict[str, Config] = {
    "shipped": {},
    "genre 0.2": {"GENRE_WEIGHT": 0.2},
    "genre 0.4": {"GENRE_WEIGHT": 0.4},
    "mood 0.15": {"MOOD_WEIGHT": 0.15},
    "avoid 0.3": {"AVOID_WEIGHT": 0.3},
    "theme 0.05": {"THEME_WEIGHT": 0.05},
    "like 0.1": {"LIKE_WEIGHT": 0.1},
    "no focus": {"FOCUS_WORDS": 0},
    "focus 1": {"FOCUS_WORDS": 1},
    "focus 5": {"FOCUS_WORDS": 5},
    "descriptions lean nothing": {"FOCUS_WORDS": 1e-9},
    "descriptions from 2 words": {"DESCRIPTION_WORDS": 2},
    "descriptions from 5 words": {"DESCRIPTION_WORDS": 5},
    "asked 0.5": {"ASKED_SHARE": 0.5},
    "stories from 5 words": {"STORY_WORDS": 5},
    "stories from 8 words": {"STORY_WORDS": 8},
    "no stories": {"STORY_WORDS": 1000},
}
MODULES = {
    "ASKED_SHARE": query_module,
    "DESCRIPTION_WORDS": understand_module,
    "STORY_WORDS": reading_module,
}
# Known-item descriptions written for tuning only, beside the tuning half of quality_queries.
SUPPLEMENT = ROOT / "benchmarks" / "known_tuning_queries.json"


class CachedEmbedder:
    """The real embedder, each text encoded once across configurations."""

    def __init__(self, embedder: Any) -> None:
        self.embedder = embedder
        self.vectors: dict[str, Any] = {}

    def embed(self, texts: list[str]) -> list[Any]:
        missing = [text for text in texts if text not in self.vectors]
        if missing:
            self.vectors.update(zip(missing, self.embedder.embed(missing), strict=True))
        return [self.vectors[text] for text in texts]


@contextlib.contextmanager
def configured(config: Config) -> Iterator[None]:
    saved = {}
    for name, value in config.items():
        module = MODULES.get(name, ranking)
        saved[name] = (module, getattr(module, name))
        setattr(module, name, value)
    try:
        yield
    finally:
        for name, (module, value) in saved.items():
            setattr(module, name, value)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data", type=Path, default=search_quality.DEFAULT_DATA)
    parser.add_argument("--workdir", type=Path, default=search_quality.DEFAULT_WORKDIR)
    parser.add_argument("--index", type=Path)
    args = parser.parse_args(argv)
    movies, store, model, path = search_quality.open_index(args.data, args.workdir, args.index)
    embedder = CachedEmbedder(model)
    keywords = KeywordIndex(path)
    requests = [
        e for e in json.loads(discovery.DEFAULT_QUERIES.read_text()) if e["split"] == "tune"
    ]
    described = [
        e
        for path in (search_quality.QUERIES, SUPPLEMENT)
        for e in json.loads(path.read_text())
        if e["split"] == "tune" and e["kind"] in ("known_item", "mood")
    ]
    by_id = {str(movie.id): movie for movie in movies}
    ideals = search_quality.ideal_grades(described, by_id)
    print("| configuration | discovery P@10 | worst kind | known-item MRR | Recall | mood nDCG |")
    print("|---|---:|---|---:|---:|---:|")
    for name, config in CONFIGS.items():
        with configured(config):

            def run(text: str) -> list:
                return search(text, store=store, embedder=embedder, keywords=keywords)

            found, _ = discovery.evaluate(requests, movies, {"x": run}, set())
            quality = search_quality.evaluate(
                described, by_id, ideals, lambda entry: run(entry["query"])
            )
        kinds = {k: v for k, v in found["x"]["tune"].items() if k != "overall"}
        worst = min(kinds, key=kinds.__getitem__)
        known, mood = quality["tune"]["known_item"], quality["tune"]["mood"]
        print(
            f"| {name} | {found['x']['tune']['overall']:.3f} | {worst} {kinds[worst]:.3f} "
            f"| {known['mrr']:.3f} | {known['recall']:.3f} | {mood['ndcg']:.3f} |",
            flush=True,
        )
    print(f"\n{len(requests)} requests, {len(described)} descriptions", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
