"""The SharePoint page objects, on pages following the family's markup."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import lxml.html
import pytest

from aggregator.dates import VIETNAM
from aggregator.exceptions import ExtractionError
from aggregator.extraction import extract_article
from aggregator.models import Article
from aggregator.profiles import PageData, detect_profile, get_profile
from mirror.build import build_mirror
from mirror.expected import expected_articles
from mirror.paths import file_for_url
from mirror.templates.sharepoint import CHROME_TEXTS

SITE = "https://sldtbxh.dongthap.gov.vn"
URL = SITE + "/Pages/tintuc/baiviet.aspx?ItemID=1241"
ID = "ctl00_PlaceHolderMain_g_6a7b_ctl00"
CAPTION = "Phiên giao dịch việc làm lưu động tại huyện Tháp Mười."
HEAD = """<head><meta name="GENERATOR" content="Microsoft SharePoint"><title>
 Tin tức - Sở LĐ-TB&amp;XH</title></head>"""
PAGE = f"""<!DOCTYPE html><html lang="vi-VN">{HEAD}<body>
<form method="post" action="./baiviet.aspx?ItemID=1241" id="aspnetForm">
<input type="hidden" name="__VIEWSTATE" id="__VIEWSTATE" value="/wEPDwUKMTY1NDU2MTA1Mg9k" />
<script>var _spPageContextInfo = {{webServerRelativeUrl: "\\u002f", pageItemId: 1241}};</script>
<div id="s4-workspace"><div id="s4-bodyContainer">
<div id="sideNavBox"><h3>CHUYÊN MỤC</h3><p>Đang truy cập: 6</p></div>
<div id="contentBox"><div id="{ID}_pnlChiTiet" class="news-detail">
<h1 class="news-title"><span id="{ID}_lblTieuDe">Giải quyết việc làm cho 23.000 lao động</span></h1>
<div class="news-date"><span id="{ID}_lblNgayDang">Cập nhật lúc 08:30 ngày 27/12/2024</span></div>
<div class="news-sapo"><span id="{ID}_lblTomTat">Năm 2024, toàn tỉnh giải quyết việc làm cho
23.410 lao động.</span></div>
<div id="{ID}_pnlNoiDung" class="ms-rtestate-field">
<p>Trung tâm Dịch vụ việc làm tỉnh tổ chức 46 phiên giao dịch việc làm trong năm.</p>
<div class="ms-rteImage" style="text-align: center;">
<img alt="" src="/PublishingImages/a.png" /></div>
<p style="text-align: center;"><em>{CAPTION}</em></p>
<p>Năm 2025, Sở đặt mục tiêu giải quyết việc làm cho 23.500 lao động.</p>
<p style="text-align: right;"><strong>Kim Ngân</strong></p></div>
<div class="news-tools"><a href="javascript:window.print();">In bài viết</a></div></div>
<div class="news-other"><h3>Tin đã đưa</h3>
<ul><li><a href="/baiviet/1238">Tin cũ</a></li></ul></div>
</div></div></div></form></body></html>"""

LISTING = f"""<!DOCTYPE html><html>{HEAD}<body><div id="s4-workspace">
<div class="news-list">
<div class="news-item"><h3><a href="/Pages/tintuc/baiviet.aspx?ItemID=1241">Một</a></h3>
<span class="date">27/12/2024 08:30 SA</span></div>
<div class="news-item"><h3><a href="{SITE}/baiviet/1238">Hai</a></h3></div>
<div class="news-item"><h3><a href="/Pages/lienhe.aspx">Liên hệ</a></h3></div></div>
<div class="news-paging"><a class="active" href="?ChuyenMucID=32&amp;page=1">1</a>
<a href="?ChuyenMucID=32&amp;page=2">2</a>
<a class="next" href="/Pages/tintuc/chuyenmuc.aspx?ChuyenMucID=32&amp;page=2">Trang sau</a></div>
</div></body></html>"""


@pytest.fixture(scope="module")
def article() -> Article:
    return extract_article(PAGE.encode("utf-8"), url=URL)


def test_fields(article: Article) -> None:
    assert article.profile == "sharepoint"
    assert article.title == "Giải quyết việc làm cho 23.000 lao động"
    assert article.published == datetime(2024, 12, 27, 8, 30, tzinfo=VIETNAM)
    assert article.author == "Kim Ngân"
    assert [i.caption for i in article.images] == [CAPTION]


def test_text_starts_with_the_lead_and_has_the_caption_once(article: Article) -> None:
    assert article.text.startswith("Năm 2024, toàn tỉnh giải quyết việc làm cho 23.410 lao động.")
    assert article.text.endswith("cho 23.500 lao động.")
    assert article.text.count(CAPTION) == 1
    for chrome in ("Kim Ngân", "In bài viết", "Tin đã đưa", "CHUYÊN MỤC", "Đang truy cập"):
        assert chrome not in article.text


def test_listing_links_and_next_page() -> None:
    tree = lxml.html.fromstring(LISTING)
    profile = detect_profile(PageData(tree))
    assert profile is get_profile("sharepoint")
    listing = profile.listing_page(
        PageData(tree, SITE + "/Pages/tintuc/chuyenmuc.aspx?ChuyenMucID=32")
    )
    assert listing.article_links() == [URL, SITE + "/baiviet/1238"]
    assert listing.next_page() == SITE + "/Pages/tintuc/chuyenmuc.aspx?ChuyenMucID=32&page=2"


def test_a_listing_is_not_an_article() -> None:
    with pytest.raises(ExtractionError, match="news list"):
        extract_article(LISTING, url=SITE + "/Pages/tintuc/chuyenmuc.aspx?ChuyenMucID=32")


def test_mirror_articles_keep_the_family_chrome_out(tmp_path: Path) -> None:
    sites = {s.id: s for s in build_mirror(tmp_path, None)}
    site = sites["mirror-sharepoint"]
    for expected in (a for a in expected_articles(None) if a.site_id == site.id):
        html = (site.root / file_for_url(expected.path)).read_bytes()
        text = extract_article(html, url="http://mirror.invalid" + expected.path).text
        assert not [c for c in CHROME_TEXTS if c in text], expected.path
