"""Every feed the demo mirror produces is valid: feedparser reads it without a bozo flag, every
entry has an id, a title, a link and a date with its offset; paging links; the sanitiser."""

from __future__ import annotations

import json
import re
from datetime import datetime, timedelta, timezone
from pathlib import Path

import feedparser
import pytest
from lxml import etree
from lxml import html as lxml_html

from aggregator.tags import default_tagger
from feeds.content import entry_html, sanitize
from feeds.model import FeedEntry, FeedSource, FeedSpec
from feeds.paging import paginate
from feeds.writer import write_feeds
from tests.helpers import tinlaodong

BASE = "https://tin.example/feeds/"
ICT = timezone(timedelta(hours=7))
_OFFSET = re.compile(r"(Z|[+-]\d\d:\d\d)$")


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    data_dir = tmp_path_factory.mktemp("demo")
    result = tinlaodong(
        "demo", "--no-serve", "--mirror-port", "0", "--data-dir", str(data_dir)
    )
    assert result.returncode == 0, result.stderr
    return data_dir


@pytest.fixture(scope="module")
def paged(demo: Path) -> Path:
    """The demo's feeds built again, five entries a page, for a static server at BASE."""
    out = demo / "static"
    result = tinlaodong(
        "feeds", "build", "--data-dir", str(demo), "--sites", str(demo / "mirror-sites.yaml"),
        "--out", str(out), "--base-url", BASE, "--home-url", "https://tin.example/",
        "--page-size", "5", "--pages", "3",
    )
    assert result.returncode == 0, result.stderr
    assert str(out) in result.stdout
    return out


def xml_feeds(directory: Path) -> list[Path]:
    return sorted([*directory.glob("*.rss.xml"), *directory.glob("*.atom.xml")])


def check_xml_feed(path: Path) -> feedparser.FeedParserDict:
    raw = path.read_bytes()
    etree.fromstring(raw)  # strict XML: no invalid character, nothing malformed
    parsed = feedparser.parse(raw)
    assert not parsed.bozo, f"{path.name}: {parsed.get('bozo_exception')}"
    root = etree.fromstring(raw)
    dates = root.xpath("//item/pubDate/text()") or root.xpath(
        "//a:entry/a:published/text()", namespaces={"a": "http://www.w3.org/2005/Atom"}
    )
    assert len(dates) == len(parsed.entries), path.name
    for entry, date in zip(parsed.entries, dates, strict=True):
        assert entry.get("id") and entry.get("title") and entry.get("link"), path.name
        assert entry.get("published_parsed"), path.name
        # RFC 822 "+0700" or RFC 3339 "+07:00": the offset is always written.
        assert re.search(r"[+-]\d\d:?\d\d$", date.strip()), (path.name, date)
    return parsed


def test_every_demo_feed_is_valid(demo: Path) -> None:
    feeds = xml_feeds(demo / "feeds")
    names = {p.name for p in feeds}
    for slug in ("all", "health", "province-quang-tri", "topic-viec-lam", "site-mirror-quangtri"):
        assert {f"{slug}.rss.xml", f"{slug}.atom.xml"} <= names
    entries = 0
    for path in feeds:
        entries += len(check_xml_feed(path).entries)
    assert entries > 50
    for path in (demo / "feeds").glob("[!.]*.json"):
        check_json_feed(path)


def check_json_feed(path: Path) -> None:
    feed = json.loads(path.read_text(encoding="utf-8"))
    assert feed["version"] == "https://jsonfeed.org/version/1.1"
    for item in feed["items"]:
        assert item["id"] and item["title"] and item["url"], path.name
        assert _OFFSET.search(item["date_published"]), path.name
        assert "<script" not in item["content_html"]


def test_each_story_once_with_its_other_sources(demo: Path) -> None:
    parsed = feedparser.parse((demo / "feeds" / "all.atom.xml").read_bytes())
    ids = [e.id for e in parsed.entries]
    assert len(ids) == len(set(ids))
    assert all("Nguồn:" in e.content[0].value for e in parsed.entries)


def test_topic_feeds_hold_their_topic(demo: Path) -> None:
    parsed = feedparser.parse((demo / "feeds" / "topic-viec-lam.atom.xml").read_bytes())
    assert parsed.entries
    for item in parsed.entries:
        text = lxml_html.fromstring(item.content[0].value).text_content()
        assert ("topic", "viec-lam") in default_tagger().tags(item.title, text), item.title


def test_archived_feeds_link_current_and_prev_archive(paged: Path) -> None:
    # RFC 5005 archived feeds (issue 22): the subscription document links the newest archive,
    # each archive the one before it and the subscription document; --pages 3 keeps three.
    for ext in ("rss.xml", "atom.xml"):
        first = check_xml_feed(paged / f"all.{ext}")
        assert 5 <= len(first.entries) < 10
        assert "current" not in {link.rel for link in first.feed.links}
        chain, feed = [], first
        while older := {link.rel: link.href for link in feed.feed.links}.get("prev-archive"):
            assert older.startswith(BASE)
            feed = check_xml_feed(paged / older.removeprefix(BASE))
            chain.append(feed)
            links = {link.rel: link.href for link in feed.feed.links}
            assert links["self"] == older and links["current"] == f"{BASE}all.{ext}"
            assert links["alternate"] == "https://tin.example/"
            assert len(feed.entries) == 5
        assert len(chain) == 3
        assert len(list(paged.glob(f"all.archive-*.{ext}"))) == 3
        seen = [e.id for f in (first, *chain) for e in f.entries]
        assert len(seen) == len(set(seen))  # no entry in two documents: none changed
    data = json.loads((paged / "all.json").read_text(encoding="utf-8"))
    newest = first.feed.links[[link.rel for link in first.feed.links].index("prev-archive")]
    assert data["next_url"] == newest.href.replace(".atom.xml", ".json")
    oldest = sorted(paged.glob("all.archive-*.json"), key=lambda p: int(p.name.split("-")[1][:-5]))
    assert "next_url" not in json.loads(oldest[0].read_text(encoding="utf-8"))
    # Province feeds' alternate is the page of the province.
    province = feedparser.parse((paged / "province-quang-tri.atom.xml").read_bytes())
    alternate = [link.href for link in province.feed.links if link.rel == "alternate"]
    assert alternate == ["https://tin.example/?province=quang-tri"]


def test_opml_grouped_by_province(paged: Path) -> None:
    opml = etree.fromstring((paged / "feeds.opml").read_bytes())
    groups = {g.get("text"): g for g in opml.xpath("/opml/body/outline[not(@xmlUrl)]")}
    assert "Chủ đề" in groups and "Quảng Trị" in groups and "Bắc Ninh" in groups
    bac_ninh = groups["Bắc Ninh"].xpath("outline/@xmlUrl")
    # The current province's feed and its former province's site (Bắc Giang).
    assert bac_ninh == [f"{BASE}province-bac-ninh.rss.xml", f"{BASE}site-mirror-bacgiang.rss.xml"]
    top = opml.xpath("/opml/body/outline/@xmlUrl")
    assert f"{BASE}all.rss.xml" in top
    assert not opml.xpath("//outline[contains(@xmlUrl, '.page-')]")
    assert not opml.xpath("//outline[contains(@xmlUrl, '.archive-')]")


def test_unchanged_feeds_are_not_rebuilt(paged: Path, demo: Path) -> None:
    before = {p.name: p.stat().st_mtime_ns for p in paged.iterdir()}
    result = tinlaodong(
        "feeds", "build", "--data-dir", str(demo), "--sites", str(demo / "mirror-sites.yaml"),
        "--out", str(paged), "--base-url", BASE, "--home-url", "https://tin.example/",
        "--page-size", "5", "--pages", "3",
    )
    assert result.returncode == 0, result.stderr
    after = {p.name: p.stat().st_mtime_ns for p in paged.iterdir()}
    assert after == before


def entry(n: int, **fields: object) -> FeedEntry:
    values: dict[str, object] = {
        "guid": f"tag:tinlaodong,2024:story/{n}",
        "title": f"Tin {n}",
        "link": f"https://sldtbxh.quangtri.gov.vn/tin/{n}.html",
        "text": "Đoạn một.",
        "published": datetime(2024, 3, 1, 8, tzinfo=ICT) + timedelta(days=n),
        "updated": datetime(2024, 3, 1, 8, tzinfo=ICT) + timedelta(days=n),
        "author": None,
        "sources": (FeedSource("quangtri", "Sở LĐ-TB&XH Quảng Trị", "https://q.gov.vn/1"),),
    }
    values.update(fields)
    return FeedEntry(**values)  # type: ignore[arg-type]


def test_sanitiser_removes_scripts_handlers_and_javascript_links() -> None:
    dirty = (
        '<p onclick="steal()" onmouseover="x">Chữ <script>alert(1)</script>'
        '<a href="javascript:alert(1)">a</a><a href=" JaVaScRiPt:alert(2)">b</a>'
        '<img src="x.jpg" onerror="alert(3)"><a href="/tin/2.html">c</a></p>'
    )
    clean = sanitize(dirty, base_url="https://sldtbxh.quangtri.gov.vn/tin/1.html")
    assert "<script" not in clean and "alert(1)" not in clean
    assert "on" + "click" not in clean and "onerror" not in clean and "onmouseover" not in clean
    assert "javascript" not in clean.lower()
    assert '<a href="https://sldtbxh.quangtri.gov.vn/tin/2.html">c</a>' in clean
    assert '<img src="https://sldtbxh.quangtri.gov.vn/tin/x.jpg">' in clean
    assert "Chữ" in clean


def test_relative_image_sources_made_absolute_against_the_article() -> None:
    html = entry_html(entry(1, images=(("../anh/1.jpg", "Ảnh"), ("//cdn.example/2.jpg", None))))
    assert 'src="https://sldtbxh.quangtri.gov.vn/anh/1.jpg"' in html
    assert 'src="https://cdn.example/2.jpg"' in html


def test_written_feed_has_absolute_content_links(tmp_path: Path) -> None:
    with_image = entry(1, images=(("/a.jpg", None),))
    spec = FeedSpec("all", "T", "D", "https://tin.example/", (with_image,))
    write_feeds(tmp_path, [spec])
    parsed = feedparser.parse((tmp_path / "all.atom.xml").read_bytes())
    assert 'src="https://sldtbxh.quangtri.gov.vn/a.jpg"' in parsed.entries[0].content[0].value


def test_paginate() -> None:
    entries = [entry(n) for n in range(7)]
    pages = paginate(entries, 3, 2)
    assert [len(p.entries) for p in pages] == [3, 3] and pages[0].count == 2
    assert [len(p.entries) for p in paginate([], 3, 5)] == [0]
    assert paginate(entries, 3, 5)[-1].links(lambda n: f"p{n}") == [
        ("first", "p1"), ("last", "p3"), ("previous", "p2")
    ]


def test_fewer_pages_remove_the_stale_ones(tmp_path: Path) -> None:
    spec = FeedSpec("all", "T", "D", "https://tin.example/", tuple(entry(n) for n in range(7)))
    # Another feed whose slug starts with this one's keeps its pages.
    other = FeedSpec("all.hn", "T", "D", "https://tin.example/", spec.entries)
    write_feeds(tmp_path, [spec, other], limit=2, pages=4)
    assert (tmp_path / "all.page-4.atom.xml").exists()
    fewer = FeedSpec("all", "T", "D", "https://tin.example/", spec.entries[:3])
    write_feeds(tmp_path, [fewer, other], limit=2, pages=4)
    assert (tmp_path / "all.page-2.atom.xml").exists()
    assert not list(tmp_path.glob("all.page-3.*")) and not list(tmp_path.glob("all.page-4.*"))
    assert len(list(tmp_path.glob("all.hn.page-4.*"))) == 3
