"""The WebSphere Portal / WCM page objects, on pages following the family's markup."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import lxml.html
import pytest

from aggregator.dates import VIETNAM
from aggregator.extraction import extract_article
from aggregator.models import Article
from aggregator.profiles import PageData, detect_profile, get_profile
from aggregator.profiles.websphere import article_url
from mirror.build import build_mirror
from mirror.expected import expected_articles
from mirror.paths import file_for_url
from mirror.templates.websphere import CHROME_TEXTS

SITE = "https://sldtbxh.camau.gov.vn"
WCM = "/wps/wcm/connect/sldtbxh_lib/sldtbxh/nguoi-co-cong/tham-tang-qua"
STATE = "/!ut/p/z1/04_Sj9CPykssy0xPLMnMz0vMAfIjo8zi3QNdDA1NjA28/dz/d5/L2dBISEvZ0FBIS9nQSEh/"
CAPTION = "Đoàn công tác thăm gia đình Mẹ Việt Nam Anh hùng."
PAGE = f"""<!DOCTYPE html><html lang="vi"><head><title>Thăm, tặng quà - Sở LĐ-TB&amp;XH</title>
</head><body class="lotusui30_body"><div class="wpthemeFrame">
<header><ul class="wpthemeCommonActions"><li><a href="/admin/login">Đăng nhập</a></li></ul></header>
<div class="wpthemeMainContent"><div class="component-control">
<section class="ibmPortalControl wpthemeControl"><div class="wpthemeControlBody">
<div class="wcm-content"><h1 class="wcm-title">Thăm, tặng quà gia đình chính sách</h1>
<div class="wcm-date">Ngày đăng: 25/07/2024 12:40:00 CH</div>
<div class="wcm-body"><p>Nhân kỷ niệm 77 năm Ngày Thương binh - Liệt sĩ, đoàn công tác của tỉnh
đã đến thăm các gia đình chính sách.</p>
<p style="text-align: center;"><img alt="{CAPTION}" src="/wps/wcm/connect/lib/anh/a.png"></p>
<p style="text-align: center;"><em>{CAPTION}</em></p>
<p>Toàn tỉnh trao hơn 21.000 suất quà với tổng trị giá trên 12 tỷ đồng.</p>
<p align="right"><b>Trúc Linh</b></p></div>
<div class="wcm-tools"><a href="javascript:window.print()">Bản in</a></div>
<div class="wcm-related"><h3>Các tin khác</h3><ul><li><a href="{WCM}-2">Tin cũ</a></li></ul></div>
</div></div></section></div>
<section class="ibmPortalControl wpthemeControl"><h2>Thăm dò ý kiến</h2></section></div>
</div></body></html>"""

LISTING = f"""<!DOCTYPE html><html><body><div class="wpthemeFrame">
<section class="ibmPortalControl wpthemeControl"><ul class="wcm-list">
<li><h3 class="wcm-list-title"><a
 href="/wps/portal/sldtbxh/tin-tuc/chi-tiet{STATE}?urile=wcm%3Apath%3A%2Fsldtbxh_lib%2Fsldtbxh%2Fnguoi-co-cong%2Ftham-tang-qua">Thăm</a></h3></li>
<li><h3 class="wcm-list-title">
<a href="/wps/portal/sldtbxh/tin-tuc/khai-giang{STATE}">Khai giảng</a></h3></li></ul>
<div class="wcm-pager"><a class="next" href="/wps/portal/sldtbxh/tin-tuc{STATE}">Trang sau</a></div>
</section></div></body></html>"""


@pytest.fixture(scope="module")
def article() -> Article:
    return extract_article(PAGE.encode("utf-8"), url=SITE + WCM)


def test_fields(article: Article) -> None:
    assert article.profile == "websphere"
    assert article.title == "Thăm, tặng quà gia đình chính sách"
    # 12:40 CH is twenty to one in the afternoon, not after midnight.
    assert article.published == datetime(2024, 7, 25, 12, 40, tzinfo=VIETNAM)
    assert article.author == "Trúc Linh"
    assert [i.caption for i in article.images] == [CAPTION]


def test_text_is_the_body_with_the_caption_once(article: Article) -> None:
    assert article.text.startswith("Nhân kỷ niệm 77 năm")
    assert article.text.endswith("trên 12 tỷ đồng.")
    assert article.text.count(CAPTION) == 1
    for chrome in ("Bản in", "Các tin khác", "Tin cũ", "Thăm dò", "Đăng nhập", "Ngày đăng"):
        assert chrome not in article.text


def test_listing_links_lose_the_portal_state() -> None:
    tree = lxml.html.fromstring(LISTING)
    profile = detect_profile(PageData(tree))
    assert profile is get_profile("websphere")
    listing = profile.listing_page(PageData(tree, SITE + "/wps/portal/sldtbxh/tin-tuc"))
    assert listing.article_links() == [
        SITE + WCM,
        SITE + "/wps/portal/sldtbxh/tin-tuc/khai-giang",
    ]
    assert listing.next_page() == SITE + "/wps/portal/sldtbxh/tin-tuc" + STATE


def test_article_url_keeps_plain_urls() -> None:
    assert article_url(SITE + WCM) == SITE + WCM


def test_mirror_articles_keep_the_family_chrome_out(tmp_path: Path) -> None:
    sites = {s.id: s for s in build_mirror(tmp_path, None)}
    site = sites["mirror-websphere"]
    for expected in (a for a in expected_articles(None) if a.site_id == site.id):
        html = (site.root / file_for_url(expected.path)).read_bytes()
        text = extract_article(html, url="http://mirror.invalid" + expected.path).text
        assert not [c for c in CHROME_TEXTS if c in text], expected.path


@pytest.mark.parametrize(
    "closing",
    [
        '<p align="right"><b>Toàn tỉnh hoàn thành kế hoạch.</b></p>',  # a sentence
        "<p><b>Nguồn: Cổng thông tin tỉnh</b></p>",
    ],
)
def test_a_set_apart_closing_line_that_names_no_one_stays_in_the_text(closing: str) -> None:
    page = PAGE.replace('<p align="right"><b>Trúc Linh</b></p>', closing)
    article = extract_article(page.encode("utf-8"), url=SITE + WCM)
    assert article.author is None
    assert lxml.html.fromstring(closing).text_content() in article.text
