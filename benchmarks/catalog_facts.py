"""Copy TMDB's ranking facts into the bundled catalog for the movies it shares with TMDB 5000.

    python benchmarks/catalog_facts.py [--data ../shared/data/tmdb5000]

Only numbers move (popularity, vote_count, vote_average): no text is read from
the dataset beyond ids. Movies the dataset lacks keep no signals and rank
neutrally. Re-run it after adding movies to the catalog.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from moviembed.movie import signals_from  # noqa: E402
from moviembed.sources.catalog import bundled_catalog_path  # noqa: E402
from moviembed.sources.dataset import SIGNAL_COLUMNS, iter_api_records  # noqa: E402

DEFAULT_DATA = ROOT.parent / "shared" / "data" / "tmdb5000"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    args = parser.parse_args(argv)
    facts = {
        record["id"]: signals_from(record)
        for record in iter_api_records(args.data / "tmdb_5000_movies.csv.gz")
        if isinstance(record, dict)
    }
    path = bundled_catalog_path()
    records = json.loads(path.read_text(encoding="utf-8"))
    for record in records:
        for name in SIGNAL_COLUMNS:
            record.pop(name, None)
        record.update(facts.get(record["id"], {}))
    lines = ",\n".join(json.dumps(record, ensure_ascii=False) for record in records)
    path.write_text(f"[\n{lines}\n]\n", encoding="utf-8")
    shared = sum(1 for record in records if record["id"] in facts)
    print(f"{shared} of {len(records)} catalog movies got TMDB 5000 facts", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
