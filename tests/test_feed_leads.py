"""Leads and date-only dates in the feeds, from the store to the XML a reader gets: the lead
is the entry's summary (RSS description, Atom summary, JSON Feed summary) and the body its
content; a date-only story is dated when first seen if that was on its day, else at its
day's local midnight."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import date, datetime, timedelta
from pathlib import Path

import pytest
from lxml import etree

from aggregator.dates import VIETNAM, local_midnight
from aggregator.models import Article
from aggregator.registry import Site
from aggregator.store import StoryStore, open_store
from feeds.publish import update_feeds
from tests.backends import backend

__all__ = ["backend"]
pytestmark = pytest.mark.usefixtures("backend")

SITES = (
    Site(id="qn", name="Sở Quảng Ninh", province="Quảng Ninh", start_urls=("https://qn.vn/",)),
)
NS = {
    "atom": "http://www.w3.org/2005/Atom",
    "content": "http://purl.org/rss/1.0/modules/content/",
}
DAY = date(2025, 3, 10)
LEAD = "Sáng 10/3, tỉnh tổ chức phiên giao dịch việc làm cho hơn 500 lao động."
BODY = "Phiên giao dịch có 30 doanh nghiệp tham gia, tuyển dụng nhiều vị trí khác nhau."
OTHER = "Hội nghị tổng kết công tác giảm nghèo bền vững giai đoạn 2021-2025 của huyện."


@pytest.fixture
def store(tmp_path: Path) -> Iterator[StoryStore]:
    opened = open_store(tmp_path)
    yield opened
    opened.close()


def add(store: StoryStore, n: int, seen: datetime, lead: str | None, body: str = BODY) -> None:
    text = f"{body} Tin số {n}." if lead is None else f"{lead}\n\n{body} Tin số {n}."
    article = Article(None, f"Tin số {n}", text, local_midnight(DAY), date_only=True, lead=lead)
    store.add_article("qn", f"https://qn.vn/tin/{n}", article, now=seen)


def items(out: Path) -> dict[str, etree._Element]:
    rss = etree.fromstring((out / "all.rss.xml").read_bytes())
    return {str(item.findtext("title")): item for item in rss.iter("item")}


def test_the_lead_is_the_summary_and_the_body_the_content(
    store: StoryStore, tmp_path: Path
) -> None:
    add(store, 1, datetime(2025, 3, 10, 14, 20, tzinfo=VIETNAM), LEAD)
    add(store, 2, datetime(2025, 3, 10, 15, 0, tzinfo=VIETNAM), None)
    out = tmp_path / "feeds"
    update_feeds(store, SITES, out)

    with_lead, without = items(out)["Tin số 1"], items(out)["Tin số 2"]
    assert with_lead.findtext("description") == LEAD
    content = with_lead.findtext("content:encoded", namespaces=NS) or ""
    assert content.startswith(f"<p>{LEAD}</p>") and f"{BODY} Tin số 1." in content
    # No lead: the body stays the description, as before.
    assert (without.findtext("description") or "").startswith(f"<p>{BODY}")

    atom = etree.fromstring((out / "all.atom.xml").read_bytes())
    (entry,) = [
        e
        for e in atom.iterfind("atom:entry", NS)
        if e.findtext("atom:title", namespaces=NS) == "Tin số 1"
    ]
    assert entry.findtext("atom:summary", namespaces=NS) == LEAD
    assert f"{BODY} Tin số 1." in (entry.findtext("atom:content", namespaces=NS) or "")

    feed = json.loads((out / "all.json").read_text("utf-8"))
    summaries = {item["title"]: item.get("summary") for item in feed["items"]}
    assert summaries == {"Tin số 1": LEAD, "Tin số 2": None}


def test_a_date_only_story_is_dated_when_seen_that_day_else_at_midnight(
    store: StoryStore, tmp_path: Path
) -> None:
    same_day = datetime(2025, 3, 10, 14, 20, tzinfo=VIETNAM)
    add(store, 1, same_day, LEAD)
    add(store, 2, same_day + timedelta(days=2), None, OTHER)
    out = tmp_path / "feeds"
    update_feeds(store, SITES, out)
    found = items(out)
    assert found["Tin số 1"].findtext("pubDate") == "Mon, 10 Mar 2025 14:20:00 +0700"
    assert found["Tin số 2"].findtext("pubDate") == "Mon, 10 Mar 2025 00:00:00 +0700"
