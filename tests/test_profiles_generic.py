"""The generic profile on Vietnamese pages no profile knows: headline, date with time, author.

The fixtures (``tests/fixtures/generic/``) are small pages written for these tests in the
styles of provincial portals and newspapers; ``expected.json`` holds what each must give.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from aggregator.extraction import extract_article

FIXTURES = Path(__file__).with_name("fixtures") / "generic"
EXPECTED = json.loads((FIXTURES / "expected.json").read_text(encoding="utf-8"))

BODY = (
    "<p>Sở Nội vụ tỉnh tổ chức hội nghị tổng kết công tác lao động, việc làm năm 2024 và triển "
    "khai nhiệm vụ năm 2025 với sự tham gia của đại diện các huyện, thị xã.</p>"
    "<p>Năm qua, toàn tỉnh giải quyết việc làm cho hơn 12.000 lao động, trong đó 1.800 người đi "
    "làm việc ở nước ngoài theo hợp đồng, vượt kế hoạch đề ra.</p>"
    "<p>Hội nghị thống nhất nhiều giải pháp nâng cao chất lượng đào tạo nghề gắn với nhu cầu "
    "của doanh nghiệp trong và ngoài tỉnh.</p>"
)


def page(between: str = "", closing: str = "", aside: str = "") -> str:
    return (
        '<!DOCTYPE html><html lang="vi"><head><meta charset="utf-8">'
        "<title>Tổng kết công tác lao động, việc làm năm 2024</title></head><body>"
        '<div id="content"><h1>Tổng kết công tác lao động, việc làm năm 2024</h1>'
        f"{between}{BODY}{closing}</div>{aside}</body></html>"
    )


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_fixture_page(name: str) -> None:
    expected = EXPECTED[name]
    article = extract_article((FIXTURES / name).read_bytes())
    assert article.profile == "generic"
    assert article.title == expected["title"]
    assert article.published is not None
    assert article.published.isoformat() == expected["published"]
    assert article.author == expected["author"]
    for chrome in expected["not_in_text"]:
        assert chrome not in article.text, f"{name}: {chrome!r} in the text"


def test_a_date_in_a_related_box_is_never_the_date() -> None:
    related = (
        '<div class="box-news"><h3>Tin liên quan</h3><ul>'
        '<li><a href="/tin/hoi-nghi-1.html">Hội nghị giao ban quý III</a> (20/10/2024 09:00)</li>'
        '<li><a href="/tin/hoi-nghi-2.html">Sơ kết sáu tháng</a> (15/07/2024 14:00)</li>'
        "</ul></div>"
    )
    assert extract_article(page(closing=related)).published is None
    assert extract_article(page(aside=f"<aside>{related}</aside>")).published is None


def test_the_date_line_near_the_headline_wins_over_a_sidebar_before_it() -> None:
    sidebar = '<div class="sidebar"><span class="date">25/12/2024 10:00</span></div>'
    html = page(between='<div class="date">Thứ hai, 23/12/2024 07:45</div>')
    html = html.replace('<div id="content">', sidebar + '<div id="content">')
    article = extract_article(html)
    assert article.published is not None
    assert article.published.isoformat() == "2024-12-23T07:45:00+07:00"
    assert "23/12/2024" not in article.text


def test_json_ld_date_keeps_its_offset_and_a_visible_time_refines_a_bare_day() -> None:
    ld = (
        '<script type="application/ld+json">{"@type": "NewsArticle",'
        ' "datePublished": "%s"}</script>'
    )
    with_offset = page().replace("</head>", ld % "2024-12-23T00:45:00Z" + "</head>")
    found = extract_article(with_offset).published
    assert found is not None and found.isoformat() == "2024-12-23T00:45:00+00:00"
    day_only = page(between="<p>23/12/2024 07:45</p>")
    day_only = day_only.replace("</head>", ld % "2024-12-23" + "</head>")
    found = extract_article(day_only).published
    assert found is not None and found.isoformat() == "2024-12-23T07:45:00+07:00"


@pytest.mark.parametrize("attribute", ["property", "name"])
def test_a_meta_date_is_read_whichever_attribute_names_it(attribute: str) -> None:
    meta = f'<meta {attribute}="article:published_time" content="2024-12-23T08:15:00+07:00">'
    found = extract_article(page().replace("</head>", meta + "</head>")).published
    assert found is not None and found.isoformat() == "2024-12-23T08:15:00+07:00"


def test_the_json_ld_author_and_meta_author_are_the_fallbacks() -> None:
    ld = (
        '<script type="application/ld+json">'
        '{"@type": "NewsArticle", "author": [{"name": "Lê An"}, "Hà My"]}</script>'
    )
    meta = '<meta name="author" content="Ban biên tập">'
    assert (
        extract_article(page().replace("</head>", ld + meta + "</head>")).author == "Lê An, Hà My"
    )
    # The editorial board is no person: no author rather than the board.
    assert extract_article(page().replace("</head>", meta + "</head>")).author is None


def test_a_date_inside_a_body_sentence_is_not_a_date_line() -> None:
    html = page(between="<p>Sáng 23/12/2024, tại Hà Nội.</p>")
    article = extract_article(html)
    assert "Sáng 23/12/2024, tại Hà Nội." in article.text


@pytest.mark.parametrize(
    "closing",
    [
        "<p><strong>Hội nghị kết thúc cùng ngày.</strong></p>",  # a sentence
        '<p align="right">Theo báo cáo của Sở Nội vụ, số liệu tính đến hết tháng 12</p>',
        "<p><b>Nguồn: Báo Lai Châu</b></p>",
        "<p>Xem thêm tại trang 3 của báo cáo năm 2024</p>",
    ],
)
def test_a_closing_line_that_is_no_name_stays_in_the_body(closing: str) -> None:
    article = extract_article(page(closing=closing))
    assert article.author is None
    assert article.text.endswith(closing.split(">", 2)[-1].split("<")[0][-10:])


@pytest.mark.parametrize(
    ("closing", "author"),
    [
        ("<p><strong>Lê Phương</strong></p>", "Lê Phương"),
        ('<p style="text-align:right">ĐÔNG HẢI</p>', "ĐÔNG HẢI"),
        ("<p>Nguyễn Trường An - Sở LĐ-TB&amp;XH</p>", "Nguyễn Trường An"),
        ("<p><em>TS. Nguyễn Thị Lan Hương</em></p>", "TS. Nguyễn Thị Lan Hương"),
    ],
)
def test_a_closing_signature_is_the_author_and_leaves_the_body(closing: str, author: str) -> None:
    article = extract_article(page(closing=closing))
    assert article.author == author
    assert author not in article.text


def test_a_unit_signing_the_article_leaves_the_body_and_is_no_author() -> None:
    article = extract_article(page(closing="<div><b>Phòng Lao động - Việc làm</b></div>"))
    assert article.author is None
    assert "Phòng Lao động - Việc làm" not in article.text


def english_page(closing: str) -> str:
    return (
        '<html lang="en"><head><title>Markets rally</title></head><body><article>'
        "<h1>Markets rally</h1>" + "<p>Stocks rose on Monday as investors weighed new data "
        "on inflation and jobs, with technology shares leading the gains.</p>"
        * 3
        + closing
        + "</article></body></html>"
    )


def test_a_bold_name_in_several_tags_signs_even_an_english_page() -> None:
    article = extract_article(english_page("<p><b>Jane</b> <b>Doe</b></p>"))
    assert article.author == "Jane Doe"
    assert "Jane" not in article.text


def test_a_plain_closing_name_on_an_english_page_stays() -> None:
    english = english_page("<p>Associated Press</p>")
    article = extract_article(english)
    assert article.author is None
    assert article.text.endswith("Associated Press")
