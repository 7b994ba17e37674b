"""A province's stories at scale: the web page's filter, a province feed's ids, the chart.

    .venv/bin/python bench/scale_bench.py --sizes 100000 --fill-only --dir /tmp/scale
    .venv/bin/python bench/province_bench.py /tmp/scale/sqlite-100000

On a store ``scale_bench`` filled (its 120 ``bench-site-NNN`` sites), spread over the 34 current
provinces here (site N in province N mod 34), with one story in ``TAGGED`` naming a province
(``story_tags`` rows added once, as ``refresh_index`` writes them), times the median of
``--repeats`` calls of:

* the page's province filter, ``WebData.find`` (30 a page): by the rule of
  ``aggregator.story_provinces`` (named or published there), and by the sites alone (before);
* a province feed's ids (``store.story_ids``, 250): both ways;
* the chart's counts (``WebData.daily_counts``, 30 days, every province), counted in SQL.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from sqlalchemy import func, insert, select  # noqa: E402
from sqlalchemy.engine import Engine  # noqa: E402
from sqlalchemy.orm import Session  # noqa: E402

from aggregator.gazetteer import default_gazetteer  # noqa: E402
from aggregator.registry import Site  # noqa: E402
from aggregator.store import open_store  # noqa: E402
from aggregator.store.schema import Story  # noqa: E402
from aggregator.store.search_schema import StoryTag  # noqa: E402
from aggregator.tags import PROVINCE  # noqa: E402
from feeds.web.data import View, WebData  # noqa: E402

SITES = 120
TAGGED = 7  # one story in seven names a province


def bench_sites() -> list[Site]:
    current = default_gazetteer().all_current()
    return [
        Site(
            f"bench-site-{n:03d}",
            f"Site {n}",
            current[n % len(current)].name,
            (f"https://bench-site-{n:03d}.example.vn/",),
            province_id=current[n % len(current)].id,
            current_province_id=current[n % len(current)].id,
        )
        for n in range(SITES)
    ]


def tag(engine: Engine) -> None:
    """Province tags on one story in ``TAGGED``, once."""
    current = [p.id for p in default_gazetteer().all_current()]
    with Session(engine) as session:
        if session.scalar(select(func.count()).select_from(StoryTag)):
            return
        ids = list(session.scalars(select(Story.id).where(Story.id % TAGGED == 0)))
        rows = [{"story_id": i, "kind": PROVINCE, "value": current[i % len(current)]} for i in ids]
        for start in range(0, len(rows), 5000):
            session.execute(insert(StoryTag), rows[start : start + 5000])
        session.commit()


def median_ms(call: Callable[[], object], repeats: int) -> float:
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        call()
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("data_dir", type=Path)
    parser.add_argument("--repeats", type=int, default=20)
    args = parser.parse_args()
    store = open_store(args.data_dir)
    tag(store.engine)
    sites = bench_sites()
    data = WebData(store, sites)
    province = sites[0].current_province_id or ""
    own = [s.id for s in sites if s.current_province_id == province]
    clause = data.province_clause(province)
    figures = {
        "page, by the rule": lambda: data.find(View(province=province), 30),
        "page, by its sites alone (before)": lambda: store.stories(site_ids=own, limit=31),
        "feed ids, by the rule": lambda: store.story_ids(matching=clause, limit=250),
        "feed ids, by its sites alone": lambda: store.story_ids(site_ids=own, limit=250),
        "chart, 30 days, every province": lambda: data.daily_counts(),
        "chart, 30 days, one province": lambda: data.daily_counts(province=province),
    }
    stories = store.count()[0]
    print(f"{stories:,} stories, {len(sites)} sites, province {province}")
    for name, call in figures.items():
        print(f"  {name:<36} {median_ms(call, args.repeats):8.1f} ms")
    store.close()


if __name__ == "__main__":
    main()
