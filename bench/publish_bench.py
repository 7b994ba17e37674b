"""Time the publish step of a crawl on an existing store: ``refresh_index`` and ``update_feeds``.

    .venv/bin/python bench/publish_bench.py STORE_DIR SITES_YAML [--runs 3] [--helper both]

``STORE_DIR`` holds a ``tinlaodong.sqlite3`` (e.g. a data directory that
``bench/crawl_bench.py`` crawled into); it is copied, never written. Each run works on a fresh
copy: the index rebuilt from scratch (``rebuild=True``), the feeds written into an empty folder
(cold), then once more over them (warm: nothing changed, nothing rebuilt). ``--helper``: the
cold feeds rendered with the feeds' helper process (``aggregator.app.tuning.feeds_helper``),
without it, or both in turns (``both``: each run once with, once without).
"""

from __future__ import annotations

import argparse
import contextlib
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from aggregator.app.tuning import feeds_helper  # noqa: E402
from aggregator.registry import load_registry  # noqa: E402
from aggregator.search import refresh_index  # noqa: E402
from aggregator.store import open_store  # noqa: E402
from aggregator.store.database import DB_FILENAME  # noqa: E402
from feeds.publish import update_feeds  # noqa: E402


def one_run(store_dir: Path, sites_yaml: Path, helper: bool) -> dict[str, float]:
    sites = load_registry(sites_yaml).sites
    with tempfile.TemporaryDirectory(prefix="tinlaodong-publish-") as tmp_name:
        data = Path(tmp_name)
        shutil.copy(store_dir / DB_FILENAME, data / DB_FILENAME)
        store = open_store(data)
        try:
            started = time.perf_counter()
            indexed = refresh_index(store.engine, rebuild=True)
            index_s = time.perf_counter() - started
            with feeds_helper() if helper else contextlib.nullcontext() as pool:
                started, cpu = time.perf_counter(), time.process_time()
                files = update_feeds(store, sites, data / "feeds", pool=pool)
                cold_s = time.perf_counter() - started
                cold_cpu_s = time.process_time() - cpu
            started = time.perf_counter()
            update_feeds(store, sites, data / "feeds")
            warm_s = time.perf_counter() - started
        finally:
            store.close()
    return {
        "stories indexed": indexed,
        "feed files": len(files),
        "refresh_index s": index_s,
        "update_feeds cold s": cold_s,
        "update_feeds cold CPU s": cold_cpu_s,  # this process's: the helper's share is not in it
        "update_feeds warm s": warm_s,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("store_dir", type=Path)
    parser.add_argument("sites", type=Path)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--helper", choices=("no", "yes", "both"), default="no")
    args = parser.parse_args()
    helpers = {"no": [False], "yes": [True], "both": [True, False]}[args.helper]
    runs: dict[bool, list[dict[str, float]]] = {h: [] for h in helpers}
    for _ in range(args.runs):
        for helper in helpers:
            runs[helper].append(one_run(args.store_dir, args.sites, helper))
    for helper, done in runs.items():
        print(f"helper process: {'yes' if helper else 'no'}")
        for name in done[0]:
            values = [r[name] for r in done]
            print(
                f"  {name:24} median {statistics.median(values):8.3f}"
                f"  (min {min(values):.3f}, max {max(values):.3f})"
            )


if __name__ == "__main__":
    main()
