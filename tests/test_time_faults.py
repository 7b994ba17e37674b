"""A site whose dates are wrong (a clock far ahead, a CMS default of 1970) does not reorder
the feeds or the stories listing.

Two real ``tinlaodong crawl`` runs of a loopback site: the first finds an article dated
1/3/2025, one dated 2099 and one dated 1970; the second finds a new article dated between
the two crawls. The wrong dates are dropped when the article is stored: those stories are ordered by
when they were first seen, as undated ones are.
"""

from __future__ import annotations

import json
import os
import re
import time
from datetime import UTC, datetime, timedelta
from email.utils import parsedate_to_datetime
from pathlib import Path

import feedparser

from aggregator.dates import VIETNAM
from tests.faultserver import article_html
from tests.helpers import FAST, static_site, tinlaodong, write_registry

DATED = {  # article number: the date its page shows
    1: "01/03/2025 08:30",  # an ordinary past date
    2: "01/01/2099 08:30",  # a clock (or an editor) far in the future
    3: "01/01/1970 07:00",  # the Unix epoch: a CMS that never set the date
}
NEW = 4  # published between the two crawls
INLINE = ["-s", "TINLAODONG_EXTRACT_WORKERS=0"]  # three pages: no worker processes to start


def article_path(n: int) -> str:
    return f"/tin-tuc/bai-viet-so-{n}-{1000 + n}.html"


def publish(root: Path, n: int, shown: str, exact: datetime | None = None) -> None:
    page = re.sub(r"Ngày đăng: [^<]*", f"Ngày đăng: {shown}", article_html(n))
    if exact is not None:  # to the second, as article:published_time gives it
        meta = f'<meta property="article:published_time" content="{exact.isoformat()}">'
        page = page.replace("<head>", "<head>" + meta)
    target = root / article_path(n).lstrip("/")
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(page, encoding="utf-8")
    numbers = sorted(int(p.stem.rsplit("-", 1)[1]) - 1000 for p in target.parent.iterdir())
    links = "".join(f'<li><a href="{article_path(k)}">Bài {k}</a></li>' for k in numbers[::-1])
    index = root / "index.html"
    index.write_text(f'<html><body><ul class="news">{links}</ul></body></html>', "utf-8")
    # The listing changed within the second: a Last-Modified of a later second says so.
    later = time.time() + n
    os.utime(index, (later, later))


def test_wrong_dates_do_not_reorder_the_feeds_or_the_stories(tmp_path: Path) -> None:
    root, data = tmp_path / "www", tmp_path / "data"
    root.mkdir()
    for n, shown in DATED.items():
        publish(root, n, shown)
    with static_site(root) as (base, _requests):
        registry = write_registry(
            tmp_path / "sites.yaml",
            [
                {
                    "id": "laichau",
                    "name": "Sở LĐ-TB&XH Lai Châu",
                    "province": "Lai Châu",
                    "start_urls": [base + "/"],
                    "allow_private_network": True,
                }
            ],
        )
        crawl = ["crawl", "--sites", str(registry), "--data-dir", str(data), *FAST, *INLINE]
        first_crawl = datetime.now(UTC)
        first = tinlaodong(*crawl)
        assert first.returncode == 0, first.stderr
        # 1970: one line naming the site, the date and the URL. (A future date never gets
        # that far: the date parser refuses dates ahead of the clock.)
        lines = [line for line in first.stderr.splitlines() if "implausible date" in line]
        assert len(lines) == 1 and "site laichau: implausible date 1970-01-01" in lines[0]
        assert base + article_path(3) in lines[0]
        # Published a second after the first crawl at least: a date to the second cannot
        # order itself against a first sighting within the same second.
        time.sleep(1.1)
        second_crawl = datetime.now(UTC)
        now = datetime.now(VIETNAM).replace(microsecond=0)
        publish(root, NEW, f"{now:%d/%m/%Y %H:%M}", exact=now)
        second = tinlaodong(*crawl)
        assert second.returncode == 0, second.stderr

    # The feed: the new article first, the ordinary one of March 2025 last, the two wrongly
    # dated ones between, dated when the first crawl saw them.
    feed = feedparser.parse((data / "feeds" / "all.rss.xml").read_bytes())
    order = [int(e.link.rsplit("-", 1)[1].removesuffix(".html")) - 1000 for e in feed.entries]
    assert order[0] == NEW and order[-1] == 1 and sorted(order[1:3]) == [2, 3], order
    dates = {
        n: parsedate_to_datetime(e.published) for n, e in zip(order, feed.entries, strict=True)
    }
    for n in (2, 3):
        assert first_crawl - timedelta(seconds=1) <= dates[n] <= second_crawl, dates
    assert dates[1] == datetime(2025, 3, 1, 8, 30, tzinfo=VIETNAM)

    # The listing: nothing dated 1970 or 2099; the dated stories newest first.
    listed = tinlaodong("stories", "--json", "--data-dir", str(data))
    stories = [json.loads(line) for line in listed.stdout.splitlines()]
    number = {s["id"]: int(s["sources"][0]["url"].rsplit("-", 1)[1][:4]) - 1000 for s in stories}
    published = {number[s["id"]]: s["published"] for s in stories}
    assert sorted(published) == [1, 2, 3, NEW]
    assert published[2] is None and published[3] is None, "the wrong dates are not shown"
    in_order = [number[s["id"]] for s in stories]
    assert in_order.index(NEW) < in_order.index(1)
