"""The page's date filter (``?since=&until=``, the quick choices) with the other filters, and
its counts, on SQLite and PostgreSQL."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import feedparser
import pytest
from lxml import html as lxml_html

from aggregator.dates import VIETNAM
from aggregator.models import Article
from aggregator.store import open_store
from feeds.web import WebServer
from tests.backends import backend
from tests.test_web import (
    NOW,
    STORIES,
    alternates,
    get,
    page,
    populated_data_dir,
    story_titles,
)

__all__ = ["backend"]
pytestmark = pytest.mark.usefixtures("backend")
TODAY = NOW.astimezone(VIETNAM).date()


@pytest.fixture
def server(tmp_path: Path) -> Iterator[WebServer]:
    data = populated_data_dir(tmp_path)
    with WebServer.for_data_dir(data.data_dir, data.sites, port=0) as running:
        yield running


def ago(days: int) -> str:
    return (TODAY - timedelta(days=days)).isoformat()


def titles(*indexes: int) -> set[str]:
    return {STORIES[i][1] for i in indexes}


def shown(server: WebServer, query: str) -> tuple[set[str], str]:
    doc = page(server, query)
    return set(story_titles(doc)), doc.cssselect("p.count")[0].text_content()


def test_since_and_until_select_by_publication_day_with_every_other_filter(
    server: WebServer,
) -> None:
    # (story: days before today) 0: 1, 1: 2 (a day without a time), 2: 3, 3: 40
    assert shown(server, "") == (titles(0, 1, 2, 3), "4 tin · hiển thị 1–4")
    assert shown(server, f"?since={ago(2)}") == (titles(0, 1), "2 tin · hiển thị 1–2")
    assert shown(server, f"?until={ago(3)}")[0] == titles(2, 3)  # the day itself included
    assert shown(server, f"?since={ago(3)}&until={ago(2)}")[0] == titles(1, 2)
    # With a province (the copy of story 0 is in Hà Nội), a topic, a search.
    assert shown(server, f"?province=ha-noi&since={ago(5)}")[0] == titles(0, 2)
    assert shown(server, f"?topic=viec-lam&until={ago(2)}") == (titles(2), "1 tin · hiển thị 1–1")
    assert shown(server, f"?q=lao+dong&since={ago(5)}") == (titles(0, 2), "2 tin · hiển thị 1–2")
    assert shown(server, f"?q=lao+dong&until={ago(10)}")[0] == titles(3)
    # Nothing in the range: a count of none, the page says so.
    assert shown(server, f"?since={ago(39)}&until={ago(39)}") == (set(), "0 tin")


def test_the_form_keeps_the_dates_and_offers_quick_choices(server: WebServer) -> None:
    doc = page(server, f"?since={ago(6)}&lang=en")
    assert doc.cssselect('input[name="since"]')[0].get("value") == ago(6)
    assert doc.cssselect('input[name="since"]')[0].get("type") == "date"
    quick = {a.text_content(): a for a in doc.cssselect("nav.quick a")}
    assert list(quick) == ["Today", "7 days", "30 days", "Any time"]
    assert quick["7 days"].get("aria-current") == "true"  # the current choice
    assert f"since={ago(29)}" in quick["30 days"].get("href")
    assert "since" not in quick["Any time"].get("href")
    assert set(story_titles(page(server, quick["Today"].get("href").lstrip("/")))) == set()
    assert doc.cssselect("p.count")[0].text_content() == "3 stories · showing 1–3"


def test_a_bad_date_is_a_message_on_the_page(server: WebServer) -> None:
    for query, said in (
        ("since=2026-13-01", "Ngày không hợp lệ: “2026-13-01”"),
        ("until=hom-qua", "Ngày không hợp lệ: “hom-qua”"),
        (f"since={ago(1)}&until={ago(3)}", "“Từ ngày”"),
        ("until=2026-02-30&lang=en", "Not a date: “2026-02-30”"),
        # Days no store holds, at the calendar's ends, are refused too (not a server error).
        ("since=0001-01-01", "Ngày không hợp lệ: “0001-01-01”"),
        ("until=9999-12-31", "Ngày không hợp lệ: “9999-12-31”"),
        ("q=lao&since=0001-01-01", "Ngày không hợp lệ: “0001-01-01”"),
        ("since=1899-12-31", "Ngày không hợp lệ: “1899-12-31”"),
        ("until=2201-01-01", "Ngày không hợp lệ: “2201-01-01”"),
    ):
        status, headers, body = get(f"{server.url}/?{query}")
        assert status == 400 and headers["Content-Type"] == "text/html; charset=utf-8"
        doc = lxml_html.fromstring(body.decode("utf-8"))
        assert said in doc.cssselect("p.error")[0].text_content()
        assert story_titles(doc)  # the page is still there to use


def test_an_undated_story_is_filtered_by_when_it_was_first_seen(tmp_path: Path) -> None:
    data = populated_data_dir(tmp_path)
    store = open_store(data.data_dir)
    try:  # a page without a date, seen now
        store.add_article(
            "hanoi-snv",
            "https://hanoi-snv.example.vn/khong-ngay",
            Article(url=None, title="Thông báo không ghi ngày", text="Nội dung thông báo."),
        )
    finally:
        store.close()
    with WebServer.for_data_dir(data.data_dir, data.sites, port=0) as server:
        today = shown(server, f"?since={ago(0)}")
        assert today == ({"Thông báo không ghi ngày"}, "1 tin · hiển thị 1–1")
        assert "Thông báo không ghi ngày" not in shown(server, f"?until={ago(1)}")[0]
        assert shown(server, f"?until={ago(1)}")[1].startswith("4 tin")


def test_the_search_feed_of_a_dated_page_keeps_its_since(server: WebServer) -> None:
    # The page's feed links carry ``since`` (not ``until``: a feed is a window moving on).
    doc = page(server, f"?q=lao+dong&since={ago(5)}&until={ago(1)}")
    atom = alternates(doc)["application/atom+xml"]
    assert f"since={ago(5)}" in atom and "until" not in atom
    follow = [a.get("href") for a in doc.cssselect(".follow a")]
    assert follow and all(f"since={ago(5)}" in href for href in follow if "/feeds/" in href)
    # ... and the feed honours it: the old story (40 days) is not in it.
    status, _, body = get(atom)
    assert status == 200
    feed = feedparser.parse(body)
    assert {e.title for e in feed.entries} == titles(0, 2)
    assert {e.title for e in feedparser.parse(get(atom.split("&since=")[0])[2]).entries} == titles(
        0, 2, 3
    )
    # A feed of its own (readers tell feeds apart by id), its page the dated one.
    assert f"since={ago(5)}" in feed.feed.id
    assert f"since={ago(5)}" in feed.feed.link
    # The same checks as the page's: a bad day is a 400.
    for bad in ("2024-13-45", "0001-01-01", "9999-12-31"):
        status, _, body = get(f"{server.url}/feeds/search?q=lao&since={bad}&format=rss")
        assert status == 400 and bad in body.decode("utf-8"), bad
