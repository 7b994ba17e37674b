"""The Liferay 7 / DXP page objects, on pages following the family's markup, and the mirror's."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import lxml.html
import pytest

from aggregator.dates import VIETNAM
from aggregator.exceptions import ExtractionError
from aggregator.extraction import extract_article, parse_html
from aggregator.models import Article
from aggregator.profiles import PageData, detect_profile, get_profile
from mirror.build import build_mirror
from mirror.expected import expected_articles
from mirror.paths import file_for_url
from mirror.templates.liferay7 import CHROME_TEXTS

SITE = "https://sonoivu.hanoi.gov.vn"
URL = SITE + "/vi/news/nguoi-co-cong/chi-tra-tro-cap-qua-ngan-hang"
CAPTION = "Cán bộ phường hướng dẫn mở tài khoản nhận trợ cấp."
HEAD = """<head><title>Chi trả trợ cấp qua ngân hàng - Sở Nội vụ</title>
<link class="lfr-css-file" href="/o/classic-theme/css/main.css?browserId=other" rel="stylesheet">
<script src="/o/frontend-js-web/liferay/global.bundle.js"></script>
<script>var Liferay = Liferay || {};
Liferay.ThemeDisplay = {getLayoutId: function() {return "12";}};
var themeDisplay = Liferay.ThemeDisplay;</script></head>"""
PAGE = f"""<!DOCTYPE html><html lang="vi-VN">{HEAD}<body>
<header id="banner"><a href="/admin/login">Đăng nhập</a></header>
<div class="portlet-boundary portlet-asset-publisher"
 id="p_p_id_com_liferay_asset_publisher_web_portlet_AssetPublisherPortlet_INSTANCE_ab12_">
<div class="asset-full-content clearfix mb-5 default-asset-publisher show-asset-title">
<h3 class="asset-title component-title">Chi trả trợ cấp người có công qua ngân hàng</h3>
<div class="asset-metadata">
<span class="metadata-entry metadata-publish-date">18/03/2025 09:15</span>
<span class="metadata-entry metadata-view-count">Lượt xem: 1.024</span></div>
<div class="asset-content mb-3"><div class="journal-content-article">
<div class="sapo">Từ tháng 4/2025, người có công nhận trợ cấp qua tài khoản ngân hàng.</div>
<p>Toàn thành phố có gần 100.000 người có công và thân nhân đang hưởng trợ cấp hằng tháng.</p>
<figure class="image"><img alt="" src="/documents/20121/0/anh.png">
<figcaption>{CAPTION}</figcaption></figure>
<p>Các phường, xã phối hợp với ngân hàng mở tài khoản miễn phí cho từng đối tượng.</p>
<p style="text-align: right;"><strong>Thanh Hương</strong></p></div>
<div class="asset-ratings">Đánh giá bài viết</div>
<div class="asset-links"><h4>Tin khác</h4><ul><li><a href="/vi/news/x/tin-khac">Tin khác một</a>
</li></ul></div></div></div></div>
<div class="portlet-boundary" id="p_p_id_snv_counter_web_portlet_CounterPortlet_">
Thống kê truy cập: Đang truy cập: 14</div>
</body></html>"""

LISTING = """<!DOCTYPE html><html>{head}<body>
<div class="portlet-boundary"
 id="p_p_id_com_liferay_asset_publisher_web_portlet_AssetPublisherPortlet_">
<div class="asset-abstract default-asset-publisher"><h3 class="asset-title"><a
 href="/vi/news/lao-dong/phien-giao-dich">Phiên giao dịch</a></h3></div>
<div class="asset-abstract default-asset-publisher"><h3 class="asset-title"><a
 href="{site}/vi/web/so-noi-vu/-/tuyen-sinh-hoc-nghe">Tuyển sinh</a></h3></div>
{pager}
</div></body></html>"""


def listing(active: int) -> str:
    """A listing of two pages, on page ``active``, with Clay's pager."""
    arrow = (
        '<li class="page-item disabled"><a class="page-link" href="javascript:;">»</a></li>'
        if active == 2
        else '<li class="page-item"><a class="page-link" href="/vi/news/tin?_cur=2">»</a></li>'
    )
    numbers = "".join(
        f'<li class="page-item{" active" if n == active else ""}"><a class="page-link" '
        f'href="/vi/news/tin?_cur={n}">{n}</a></li>'
        for n in (1, 2)
    )
    pager = '<ul class="pagination"><li class="page-item"><a class="page-link">«</a></li>'
    return LISTING.format(head=HEAD, site=SITE, pager=pager + numbers + arrow + "</ul>")


@pytest.fixture(scope="module")
def article() -> Article:
    return extract_article(PAGE.encode("utf-8"), url=URL)


def test_recognised_as_liferay7_not_6_2(article: Article) -> None:
    assert article.profile == "liferay7"
    # The same portlet ids with 6.2's resources under /html/ are Liferay 6.2.
    old = PAGE.replace("/o/classic-theme/", "/html/themes/classic/").replace(
        "/o/frontend-js-web/", "/html/js/"
    )
    assert detect_profile(PageData(parse_html(old))) is get_profile("liferay")


def test_fields(article: Article) -> None:
    assert article.title == "Chi trả trợ cấp người có công qua ngân hàng"
    assert article.published == datetime(2025, 3, 18, 9, 15, tzinfo=VIETNAM)
    assert article.author == "Thanh Hương"
    assert [i.caption for i in article.images] == [CAPTION]


def test_text_is_lead_body_and_caption_once(article: Article) -> None:
    paragraphs = article.text.split("\n\n")
    assert paragraphs[0].startswith("Từ tháng 4/2025")
    assert paragraphs[-1].startswith("Các phường, xã")
    assert article.text.count(CAPTION) == 1
    for chrome in ("Thanh Hương", "Lượt xem", "Đánh giá", "Tin khác", "Thống kê", "18/03/2025"):
        assert chrome not in article.text


def test_listing_links_and_next_page() -> None:
    tree = lxml.html.fromstring(listing(active=1))
    profile = detect_profile(PageData(tree))
    assert profile is get_profile("liferay7")
    page = profile.listing_page(PageData(tree, SITE + "/vi/news/tin"))
    assert page.article_links() == [
        SITE + "/vi/news/lao-dong/phien-giao-dich",
        SITE + "/vi/web/so-noi-vu/-/tuyen-sinh-hoc-nghe",
    ]
    assert page.next_page() == SITE + "/vi/news/tin?_cur=2"
    last = profile.listing_page(
        PageData(lxml.html.fromstring(listing(active=2)), SITE + "/vi/news/tin")
    )
    assert last.next_page() is None


def test_a_listing_is_not_an_article() -> None:
    with pytest.raises(ExtractionError, match="asset list"):
        extract_article(listing(active=1), url=SITE + "/vi/news/tin")


def test_mirror_articles_keep_the_family_chrome_out(tmp_path: Path) -> None:
    sites = {s.id: s for s in build_mirror(tmp_path, None)}
    site = sites["mirror-liferay7"]
    for expected in (a for a in expected_articles(None) if a.site_id == site.id):
        html = (site.root / file_for_url(expected.path)).read_bytes()
        text = extract_article(html, url="http://mirror.invalid" + expected.path).text
        assert not [c for c in CHROME_TEXTS if c in text], expected.path
