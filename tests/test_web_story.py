"""The story page (``/story/<id>``) over HTTP, on SQLite and PostgreSQL: the headline, the lead
apart, the image from its site, the dates, topics and provinces, the text, every source linked;
an unknown story is a 404 page."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from lxml import html as lxml_html

from aggregator.dates import VIETNAM
from feeds.web import WebServer
from tests.backends import backend
from tests.test_web import DATE_ONLY_STORY, LEAD, NOW, STORIES, get, page, populated_data_dir

__all__ = ["backend"]
pytestmark = pytest.mark.usefixtures("backend")


@pytest.fixture
def server(tmp_path: Path) -> Iterator[WebServer]:
    data = populated_data_dir(tmp_path)
    with WebServer.for_data_dir(data.data_dir, data.sites, port=0) as running:
        yield running


def story_links(server: WebServer, query: str = "") -> dict[str, str]:
    """Each listed story's title -> the link of its story page, as the list gives them."""
    titles = page(server, query).cssselect("ol.stories h3 a")
    return {a.text_content(): a.get("href") for a in titles}


def story_page(server: WebServer, href: str) -> lxml_html.HtmlElement:
    status, headers, body = get(server.url + href)
    assert status == 200 and headers["Content-Type"] == "text/html; charset=utf-8"
    return lxml_html.fromstring(body.decode("utf-8"))


def test_the_list_links_each_story_its_page_and_each_source_its_article(
    server: WebServer,
) -> None:
    first = page(server).cssselect("ol.stories li")[0]
    link = first.cssselect("h3 a")[0].get("href")
    assert link.startswith("/story/")
    assert first.cssselect("a.source")[0].get("href") == "https://quangtri-sldtbxh.example.vn/tin/0"
    others = first.cssselect("a.others")[0]  # "(và 1 nguồn khác)" is a link now
    assert others.text_content() == "và 1 nguồn khác" and others.get("href") == link + "#sources"
    assert story_links(server, "?lang=en")[STORIES[0][1]] == link + "?lang=en"
    # A thumbnail where the story has an image, loaded from its site; none where it has none.
    thumb = first.cssselect("img.thumb")[0]
    assert thumb.get("src") == "https://quangtri-sldtbxh.example.vn/anh/1.jpg"
    assert (thumb.get("loading"), thumb.get("referrerpolicy")) == ("lazy", "no-referrer")
    assert len(page(server).cssselect("ol.stories img")) == 1


def test_a_story_page_shows_it_all_with_every_source(server: WebServer) -> None:
    doc = story_page(server, story_links(server)[STORIES[0][1]])
    assert doc.cssselect("h1")[0].text_content() == STORIES[0][1]
    assert STORIES[0][1] in doc.cssselect("title")[0].text_content()
    # Every source, each linked to its article, named by its site.
    sources = {a.text_content(): a.get("href") for a in doc.cssselect("#sources li > a")}
    assert sources == {
        "Sở LĐ-TB&XH tỉnh Quảng Trị": "https://quangtri-sldtbxh.example.vn/tin/0",
        "Sở Nội vụ thành phố Hà Nội": "https://hanoi-snv.example.vn/copy",
    }
    seen = doc.cssselect("#sources time")[0]
    assert seen.text_content().endswith("(+07:00)") and seen.get("datetime")
    # The image from its site (its relative address made absolute), never proxied.
    img = doc.cssselect("article.story img")[0]
    assert img.get("src") == "https://quangtri-sldtbxh.example.vn/anh/1.jpg"
    assert (img.get("loading"), img.get("referrerpolicy")) == ("lazy", "no-referrer")
    assert int(img.get("width")) > 0 and int(img.get("height")) > 0
    assert img.get("alt") == "Ảnh"
    # The date in full and relative; the paragraphs of the text, each its own.
    published = (NOW - timedelta(days=STORIES[0][3])).astimezone(VIETNAM)
    meta = doc.cssselect("article.story .meta")[0].text_content()
    assert f"{published:%d/%m/%Y %H:%M} (+07:00)" in meta and "hôm qua" in meta
    assert [p.text_content() for p in doc.cssselect(".body p")] == [
        "Hàng trăm người lao động tìm được việc làm tại phiên giao dịch.",
        "Đoạn hai.",
    ]
    # Its provinces and topics, each a link to the list they filter.
    names = [a.text_content() for a in doc.cssselect(".tags a")]
    assert len(names) == len(set(names))  # Quảng Trị, then and now, once
    tags = {a.text_content(): a.get("href") for a in doc.cssselect(".tags a")}
    assert tags["Quảng Trị"] == "/?province=quang-tri"
    assert tags["Việc làm"] == "/?topic=viec-lam"


def test_a_story_page_shows_the_lead_apart_and_a_day_without_a_time(server: WebServer) -> None:
    doc = story_page(server, story_links(server)[STORIES[DATE_ONLY_STORY][1]])
    assert [p.text_content() for p in doc.cssselect("article.story > .lead")] == [LEAD]
    assert LEAD not in doc.cssselect(".body")[0].text_content()  # shown once
    assert not doc.cssselect("article.story img")  # no image, no empty frame
    day = (NOW - timedelta(days=STORIES[DATE_ONLY_STORY][3])).astimezone(VIETNAM).date()
    time = doc.cssselect("article.story .meta time")[0]
    assert (time.get("datetime"), time.text_content()) == (day.isoformat(), f"{day:%d/%m/%Y}")
    assert doc.cssselect(".ago")[0].text_content() == "2 ngày trước"


def test_a_story_page_in_english_escapes_the_text(server: WebServer) -> None:
    href = story_links(server, "?lang=en")[STORIES[3][1]]
    status, _, body = get(server.url + href)
    assert status == 200 and b"<script" not in body.lower()
    doc = lxml_html.fromstring(body.decode("utf-8"))
    assert doc.get("lang") == "en"
    assert "<script>alert(1)</script>" in doc.cssselect(".body")[0].text_content()
    assert "1 sources published this story" in doc.cssselect("#sources h2")[0].text_content()
    assert doc.cssselect("header a.brand, .brand a")[0].get("href") == "/?lang=en"


def test_an_unknown_story_is_a_404_page_in_the_sites_style(server: WebServer) -> None:
    # An id beyond any database integer is no story either (not a server error).
    too_big, superscript = "/story/99999999999999999999999", "/story/%C2%B2"
    for path in ("/story/999999", "/story/abc", "/story/-1", too_big, superscript):
        status, headers, body = get(server.url + path)
        assert status == 404 and headers["Content-Type"] == "text/html; charset=utf-8"
        doc = lxml_html.fromstring(body.decode("utf-8"))
        assert doc.cssselect("h1")[0].text_content() == "Không tìm thấy tin này"
        assert doc.cssselect("header .brand a")[0].get("href") == "/"
        assert doc.cssselect("style")  # the site's look
