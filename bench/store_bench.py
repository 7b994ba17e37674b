"""The store's cost per article, by stage, on the crawl benchmark's article bodies.

    .venv/bin/python bench/store_bench.py                  # 600 articles into a fresh SQLite
    .venv/bin/python bench/store_bench.py --url postgresql+psycopg://HOST/SCRATCH  # emptied first
    .venv/bin/python bench/store_bench.py --profile 25     # and the 25 costliest functions

The articles are ``bench/bigmirror.py``'s (Vietnamese bodies of 5-14 paragraphs, one image),
with a share of syndicated copies (``--copies``: verbatim, credited, or cut short with a lead:
exact and near duplicates) interleaved, and watch rules matching some of them (an outbox
alert each), as a crawl of the mirror stores them. Prints CPU ms per article: the whole
``add_article`` and, measured apart on the same bodies, its pure-Python stages (the MinHash
sketch, the content hash, the credit line, the URL); the rest is the database's and SQLAlchemy's.
"""

from __future__ import annotations

import argparse
import cProfile
import pstats
import random
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import replace
from datetime import timedelta
from pathlib import Path
from urllib.parse import urlsplit

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from aggregator.alerts import alert_queue, parse_rules  # noqa: E402
from aggregator.models import Article, Image  # noqa: E402
from aggregator.registry import load_registry  # noqa: E402
from aggregator.store import (  # noqa: E402
    AddResult,
    neardup,  # noqa: E402
    open_store,
)
from aggregator.store.fingerprint import (  # noqa: E402
    canonical_url,
    content_hash,
    credited_publisher,
)
from bench import bigmirror  # noqa: E402

RULES = """
rules:
  - id: lao-dong
    query: "lao động"
    notify: ["json://127.0.0.1:9/hook"]
  - id: bao-hiem
    query: "bảo hiểm OR việc"
    notify: ["json://127.0.0.1:9/hook"]
"""

Item = tuple[str, str, Article]  # site id, URL, article


def articles(count: int, copies: float, seed: int = 1) -> list[Item]:
    """``count`` articles of the benchmark's sites, ``copies`` of them copies of earlier ones."""
    text = bigmirror._Text()
    specs = bigmirror.site_specs(6)
    per_site = count // len(specs) + 1
    originals: list[Item] = []
    for spec in specs:
        for a in bigmirror.make_articles(spec, per_site, text):
            body = "\n\n".join(a.paragraphs)
            article = Article(
                url=None,
                title=a.headline,
                text=body,
                published=a.published,
                author=a.author,
                images=[Image(i.src, i.caption) for i in a.images],
                language="vi",
                profile=spec.profile or "generic",
            )
            originals.append((spec.id, f"https://{spec.id}.example.vn/tin/{a.slug}", article))
    rng = random.Random(seed)
    rng.shuffle(originals)
    items: list[Item] = []
    for number in range(count):
        if items and rng.random() < copies:
            original = rng.choice(items)
            press = f"press-{number % 3}"
            url = f"https://{press}.example.vn/tin/{number}"
            items.append((press, url, _copy(original, rng)))
        else:
            items.append(originals.pop())
    return items


def _copy(original: Item, rng: random.Random) -> Article:
    """A syndicated copy: verbatim an hour later; crediting its original's host, a day later;
    or cut short with a lead and another photo, dated earlier (it becomes the canonical one)."""
    _, url, article = original
    paragraphs = article.text.split("\n\n")
    published, images = article.published, list(article.images)
    assert published is not None
    kind = rng.choice(("verbatim", "credit", "half-lead"))
    if kind == "verbatim":
        published += timedelta(hours=1)
    elif kind == "credit":
        paragraphs = [*paragraphs, f"Nguồn: {urlsplit(url).hostname}"]
        published += timedelta(days=1)
    else:
        keep = paragraphs[: max(2, len(paragraphs) * 2 // 3)]
        paragraphs = ["Thông tin từ địa phương gửi về trong tuần qua.", *keep]
        published -= timedelta(hours=2)
        images = [Image("https://press.example.vn/anh.jpg", "Ảnh: báo")]
    return replace(article, text="\n\n".join(paragraphs), published=published, images=images)


def per_article_ms(items: list[Item], stage: Callable[[Item], object]) -> float:
    start = time.process_time()
    for item in items:
        stage(item)
    return 1000 * (time.process_time() - start) / len(items)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=600)
    parser.add_argument("--copies", type=float, default=0.2, help="share of copies")
    parser.add_argument("--url", help="a database URL (default: SQLite in a temporary dir)")
    parser.add_argument("--no-rules", action="store_true", help="no outbox")
    parser.add_argument("--profile", type=int, default=0, help="print the N costliest functions")
    args = parser.parse_args(argv)
    items = articles(args.articles, args.copies)
    registry = load_registry(None)
    outbox = None if args.no_rules else alert_queue(parse_rules(RULES), registry.sites)
    with tempfile.TemporaryDirectory(prefix="tinlaodong-store-bench-") as tmp:
        store = open_store(Path(tmp), args.url)
        if args.url:  # a server's database: start from an empty store
            from sqlalchemy import text

            with store.engine.begin() as conn:
                conn.execute(text("TRUNCATE stories RESTART IDENTITY CASCADE"))
        profiler = cProfile.Profile() if args.profile else None
        results: dict[AddResult, int] = {}
        start_cpu, start_wall = time.process_time(), time.perf_counter()
        if profiler:
            profiler.enable()
        for site, url, article in items:
            result = store.add_article(site, url, article, outbox=outbox)
            results[result] = results.get(result, 0) + 1
        if profiler:
            profiler.disable()
        cpu, wall = time.process_time() - start_cpu, time.perf_counter() - start_wall
        store.close()
    count = len(items)
    stages = {
        "sketch (MinHash)": per_article_ms(items, lambda i: neardup.sketch(i[2].text)),
        "content hash": per_article_ms(items, lambda i: content_hash(i[2].text)),
        "credit line": per_article_ms(items, lambda i: credited_publisher(i[2].text)),
        "canonical URL": per_article_ms(items, lambda i: canonical_url(i[1])),
    }
    print(
        f"{count} articles: "
        + ", ".join(f"{r.name} {n}" for r, n in sorted(results.items(), key=lambda x: x[0].name))
    )
    print(f"{'add_article, CPU':<28}{1000 * cpu / count:8.2f} ms/article")
    print(f"{'add_article, wall':<28}{1000 * wall / count:8.2f} ms/article")
    for name, ms in stages.items():
        print(f"{'  ' + name:<28}{ms:8.2f} ms/article")
    rest = 1000 * cpu / count - sum(stages.values())
    print(f"{'  the rest (SQL, ORM)':<28}{rest:8.2f} ms/article")
    if profiler:
        pstats.Stats(profiler).sort_stats("cumulative").print_stats(args.profile)
        pstats.Stats(profiler).sort_stats("tottime").print_stats(args.profile)
    return 0


if __name__ == "__main__":
    sys.exit(main())
