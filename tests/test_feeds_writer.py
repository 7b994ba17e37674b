"""feeds.writer: real files written, parsed back with feedparser (RSS and Atom) and lxml."""

from __future__ import annotations

import dataclasses
import locale
import unicodedata
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import feedparser
import pytest
from lxml import etree

from feeds import pieces
from feeds.builder import atom_bytes, rss_and_atom_bytes, rss_bytes
from feeds.content import entry_html, xml_text
from feeds.model import FeedEntry, FeedSource, FeedSpec
from feeds.writer import MANIFEST_NAME, write_feeds

ICT = timezone(timedelta(hours=7))  # Vietnam, no DST
TITLE_NFC = "Hà Tĩnh: hỗ trợ người lao động & doanh nghiệp"
SCRIPT = "<script>alert('x')</script>"


def guid(n: int) -> str:
    return f"tag:tinlaodong,2024:story/{n:032x}"


def link(n: int) -> str:
    return f"https://sonv.hatinh.gov.vn/tin/{n}"


def entry(n: int, day: int, **overrides: Any) -> FeedEntry:
    fields: dict[str, Any] = {
        "guid": guid(n),
        "title": f"Tin số {n}",
        "link": link(n),
        "text": f"Đoạn đầu của tin {n}.\n\nĐoạn thứ hai.",
        "published": datetime(2024, 3, day, 8, 30, tzinfo=ICT),
        "updated": datetime(2024, 3, day, 9, 0, tzinfo=ICT),
        "author": None,
        "sources": (FeedSource("hatinh", "Sở Nội vụ Hà Tĩnh", link(n)),),
    }
    fields.update(overrides)
    return FeedEntry(**fields)


def tricky_entry() -> FeedEntry:
    """Decomposed Vietnamese, '&', a script tag and an XML-invalid control character."""
    return entry(
        1,
        5,
        title=unicodedata.normalize("NFD", TITLE_NFC) + "\x0b",
        text=f"Lương tối thiểu tăng 6% & hơn.\x01\n\n{SCRIPT} Đoạn hai\ndòng hai.",
        author="Nguyễn Văn\x08 An",
        updated=datetime(2024, 3, 6, 10, 15, tzinfo=ICT),
        sources=(
            FeedSource("hatinh", "Sở Nội vụ Hà Tĩnh", "https://sonv.hatinh.gov.vn/tin/1"),
            FeedSource(
                "quangtri", "Sở LĐ-TB&XH Quảng Trị", "https://sldtbxh.quangtri.gov.vn/a?x=1&y=2"
            ),
        ),
        images=(("https://sonv.hatinh.gov.vn/anh/1.jpg", "Hội nghị & tọa đàm"),),
    )


def spec(*entries: FeedEntry, slug: str = "all") -> FeedSpec:
    return FeedSpec(
        slug=slug,
        title="tinlaodong: tất cả",
        description="Tin lao động, người có công & xã hội",
        link="https://tinlaodong.example/",
        entries=entries,
    )


@pytest.fixture
def sample() -> FeedSpec:
    return spec(entry(2, 1), tricky_entry(), entry(3, 3))


def parse(path: Path) -> Any:
    etree.fromstring(path.read_bytes())  # strict XML: raises on anything malformed
    parsed = feedparser.parse(path.read_bytes())
    assert not parsed.bozo, parsed.get("bozo_exception")
    return parsed


def as_utc(value: datetime) -> tuple[int, ...]:
    return tuple(value.astimezone(UTC).timetuple())[:6]


def test_files_written(tmp_path: Path, sample: FeedSpec) -> None:
    paths = write_feeds(tmp_path, [sample, spec(slug="site-mirror-quangtri")])
    names = [p.name for p in paths]
    assert names == [
        "all.rss.xml",
        "all.atom.xml",
        "all.json",
        "site-mirror-quangtri.rss.xml",
        "site-mirror-quangtri.atom.xml",
        "site-mirror-quangtri.json",
        "index.html",
        "feeds.opml",
    ]
    # No temporary files left; the manifest of what was built and the layout of the
    # subscription documents (feeds.pieces) are the only other files.
    expected = [*names, MANIFEST_NAME, pieces.STATE_NAME]
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(expected)
    assert all(p.stat().st_mode & 0o777 == 0o644 for p in paths)


@pytest.mark.parametrize("name", ["all.rss.xml", "all.atom.xml"])
def test_entries_parse_back(tmp_path: Path, sample: FeedSpec, name: str) -> None:
    write_feeds(tmp_path, [sample])
    feed = parse(tmp_path / name)
    assert feed.feed.title == "tinlaodong: tất cả"
    assert feed.feed.link == "https://tinlaodong.example/"
    # Newest first, by publication date.
    assert [e.link for e in feed.entries] == [link(n) for n in (1, 3, 2)]
    assert [e.id for e in feed.entries] == [guid(n) for n in (1, 3, 2)]
    first = feed.entries[0]
    assert first.title == TITLE_NFC  # NFC, control character gone, '&' intact
    assert first.author == "Nguyễn Văn An"
    # 2024-03-05 08:30 +07:00 is 01:30 UTC.
    assert tuple(first.published_parsed)[:6] == (2024, 3, 5, 1, 30, 0)


def test_entry_content(tmp_path: Path, sample: FeedSpec) -> None:
    write_feeds(tmp_path, [sample])
    rss_html = parse(tmp_path / "all.rss.xml").entries[0].summary
    atom_html = parse(tmp_path / "all.atom.xml").entries[0].content[0].value
    for html in (rss_html, atom_html):
        assert "Lương tối thiểu tăng 6% &amp; hơn." in html
        assert "&lt;script&gt;" in html and "<script" not in html
        assert "Đoạn hai<br />dòng hai." in html or "Đoạn hai<br>dòng hai." in html
        assert "Nguồn:" in html
        assert '<a href="https://sonv.hatinh.gov.vn/tin/1">Sở Nội vụ Hà Tĩnh</a>' in html
        assert "Sở LĐ-TB&amp;XH Quảng Trị</a>" in html
        assert 'href="https://sldtbxh.quangtri.gov.vn/a?x=1&amp;y=2"' in html
        assert "<figcaption>Hội nghị &amp; tọa đàm</figcaption>" in html


def test_raw_xml(tmp_path: Path, sample: FeedSpec) -> None:
    write_feeds(tmp_path, [sample])
    rss = (tmp_path / "all.rss.xml").read_text("utf-8")
    atom = (tmp_path / "all.atom.xml").read_text("utf-8")
    assert '<guid isPermaLink="false">tag:tinlaodong,2024:story/' in rss
    assert "<pubDate>Tue, 05 Mar 2024 08:30:00 +0700</pubDate>" in rss
    assert "<published>2024-03-05T08:30:00+07:00</published>" in atom
    for text in (rss, atom):
        assert not any(ch in text for ch in "\x01\x08\x0b")
        assert unicodedata.is_normalized("NFC", text)


def test_feed_dates_come_from_the_data(tmp_path: Path, sample: FeedSpec) -> None:
    write_feeds(tmp_path, [sample])
    latest = datetime(2024, 3, 6, 10, 15, tzinfo=ICT)  # the tricky entry's `updated`
    assert tuple(parse(tmp_path / "all.atom.xml").feed.updated_parsed)[:6] == as_utc(latest)
    rss = (tmp_path / "all.rss.xml").read_text("utf-8")
    assert "<lastBuildDate>Wed, 06 Mar 2024 10:15:00 +0700</lastBuildDate>" in rss


def test_same_data_same_bytes(tmp_path: Path, sample: FeedSpec) -> None:
    first = write_feeds(tmp_path / "one", [sample], base_url="https://feeds.example/tld")
    second = write_feeds(tmp_path / "two", [sample], base_url="https://feeds.example/tld")
    for a, b in zip(first, second, strict=True):
        assert a.name == b.name
        assert a.read_bytes() == b.read_bytes(), a.name


def test_rewrite_of_same_data_keeps_files(tmp_path: Path, sample: FeedSpec) -> None:
    paths = write_feeds(tmp_path, [sample])
    before = {p: (p.stat().st_mtime_ns, p.stat().st_ino) for p in paths}
    write_feeds(tmp_path, [sample])
    assert {p: (p.stat().st_mtime_ns, p.stat().st_ino) for p in paths} == before


def test_empty_feed_dated_as_of_its_spec(tmp_path: Path) -> None:
    # An empty feed is dated when its data was looked at (the last crawl), never 1970.
    as_of = datetime(2025, 3, 4, 5, 6, 7, tzinfo=UTC)
    write_feeds(tmp_path, [dataclasses.replace(spec(), updated=as_of)])
    rss, atom = parse(tmp_path / "all.rss.xml"), parse(tmp_path / "all.atom.xml")
    assert rss.entries == [] and atom.entries == []
    assert tuple(atom.feed.updated_parsed)[:6] == (2025, 3, 4, 5, 6, 7)
    assert "<lastBuildDate>Tue, 04 Mar 2025 05:06:07 +0000</lastBuildDate>" in (
        tmp_path / "all.rss.xml"
    ).read_text("utf-8")


def test_entries_capped(tmp_path: Path) -> None:
    many = spec(*(entry(n, day=n) for n in range(1, 8)))
    write_feeds(tmp_path, [many], limit=3)
    for name in ("all.rss.xml", "all.atom.xml"):
        links = [e.link for e in parse(tmp_path / name).entries]
        assert links == [link(n) for n in (7, 6, 5)]


def test_self_links_with_base_url(tmp_path: Path, sample: FeedSpec) -> None:
    write_feeds(tmp_path, [sample], base_url="https://feeds.example/tld/")
    for name, media_type in (("all.rss.xml", "rss"), ("all.atom.xml", "atom")):
        links = parse(tmp_path / name).feed.links
        self_links = [link.href for link in links if link.rel == "self"]
        assert self_links == [f"https://feeds.example/tld/{name}"], media_type
    assert "<link>https://tinlaodong.example/</link>" in (tmp_path / "all.rss.xml").read_text()
    opml = etree.fromstring((tmp_path / "feeds.opml").read_bytes())
    assert opml.xpath("//outline/@xmlUrl") == ["https://feeds.example/tld/all.rss.xml"]


def test_no_self_link_without_base_url(tmp_path: Path, sample: FeedSpec) -> None:
    write_feeds(tmp_path, [sample])
    for name in ("all.rss.xml", "all.atom.xml"):
        assert all(link.rel != "self" for link in parse(tmp_path / name).feed.links)


def test_index_and_opml(tmp_path: Path, sample: FeedSpec) -> None:
    write_feeds(tmp_path, [sample, spec(slug="site-hatinh")])
    index = (tmp_path / "index.html").read_text("utf-8")
    for slug in ("all", "site-hatinh"):
        assert f'<a href="{slug}.rss.xml">RSS</a>' in index
        assert f'<a href="{slug}.atom.xml">Atom</a>' in index
    assert "Tin lao động, người có công &amp; xã hội" in index
    opml = etree.fromstring((tmp_path / "feeds.opml").read_bytes())
    assert opml.xpath("//outline/@xmlUrl") == ["all.rss.xml", "site-hatinh.rss.xml"]
    assert opml.xpath("//outline/@title") == ["tinlaodong: tất cả"] * 2


def test_no_setlocale(tmp_path: Path, sample: FeedSpec, monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(*args: object) -> str:
        raise AssertionError("locale.setlocale is process-wide and not thread-safe")

    monkeypatch.setattr(locale, "setlocale", refuse)
    write_feeds(tmp_path, [sample])
    assert "+0700</pubDate>" in (tmp_path / "all.rss.xml").read_text("utf-8")


def test_naive_dates_refused(tmp_path: Path) -> None:
    naive = entry(1, 1, published=datetime(2024, 3, 1, 8, 30))
    with pytest.raises(ValueError, match="time zone"):
        write_feeds(tmp_path, [spec(naive)])


@pytest.mark.parametrize("slug", ["../up", "a/b", ".hidden", ""])
def test_unsafe_slug_refused(tmp_path: Path, slug: str) -> None:
    with pytest.raises(ValueError, match="slug"):
        write_feeds(tmp_path, [spec(slug=slug)])


def test_duplicate_slug_refused(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="twice"):
        write_feeds(tmp_path, [spec(), spec()])


def test_content_sanitised() -> None:
    hostile = entry(
        1,
        1,
        text="ok",
        sources=(FeedSource("x", "<b>X</b>", "javascript:alert(1)"),),
        images=(("data:image/png;base64,AAAA", None),),
    )
    html = entry_html(hostile)
    assert "javascript:" not in html and "data:" not in html
    assert "<li><a>&lt;b&gt;X&lt;/b&gt;</a></li>" in html
    assert "<figcaption>" not in html


def test_xml_text() -> None:
    assert xml_text("a\x00b\x1fc\td\ne\rf\ufffe\uffff\ud800") == "abc\td\ne\rf"
    assert xml_text(unicodedata.normalize("NFD", "Tĩnh")) == "Tĩnh"


def test_json_feed_carries_the_same_entries_as_atom(tmp_path: Path, sample: FeedSpec) -> None:
    import json

    write_feeds(tmp_path, [sample], base_url="http://127.0.0.1:8080/feeds")
    data = json.loads((tmp_path / "all.json").read_text(encoding="utf-8"))
    atom = feedparser.parse((tmp_path / "all.atom.xml").read_bytes())
    assert data["version"] == "https://jsonfeed.org/version/1.1"
    assert data["feed_url"] == "http://127.0.0.1:8080/feeds/all.json"
    assert [i["id"] for i in data["items"]] == [e.id for e in atom.entries]
    for item in data["items"]:
        assert item["title"] and item["url"] and item["date_published"][-6:] in ("+07:00", "+00:00")
        assert "<script" not in item["content_html"]
        assert item["_tinlaodong"]["sources"]


@pytest.mark.parametrize("paged", [False, True])
def test_rss_and_atom_made_together_are_the_bytes_made_apart(sample: FeedSpec, paged: bool) -> None:
    rss_links = [("next", "https://f.example/all.page-2.rss.xml")] if paged else []
    atom_links = [("next", "https://f.example/all.page-2.atom.xml")] if paged else []
    together = rss_and_atom_bytes(
        sample,
        rss_self="https://f.example/all.rss.xml",
        atom_self="https://f.example/all.atom.xml",
        limit=2,
        rss_links=rss_links,
        atom_links=atom_links,
    )
    apart = (
        rss_bytes(sample, self_url="https://f.example/all.rss.xml", limit=2, links=rss_links),
        atom_bytes(sample, self_url="https://f.example/all.atom.xml", limit=2, links=atom_links),
    )
    assert together == apart
    assert b"all.atom.xml" not in together[0] and b"all.rss.xml" not in together[1]
