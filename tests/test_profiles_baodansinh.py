"""The Báo Dân sinh page object, on a page following the newspaper's markup."""

from __future__ import annotations

from datetime import datetime

import lxml.html
import pytest

from aggregator.dates import VIETNAM
from aggregator.extraction import extract_article
from aggregator.models import Article, Image
from aggregator.profiles import PageData, detect_profile, get_profile

URL = "https://baodansinh.vn/quang-ngai-giai-quyet-viec-lam-20240724125500.htm"
CAPTION = "Phiên giao dịch việc làm tại Trung tâm Dịch vụ việc làm tỉnh"
PAGE = f"""<!DOCTYPE html>
<html lang="vi"><head><meta charset="utf-8">
<title>Quảng Ngãi: Giải quyết việc làm cho hơn 20.000 lao động - Báo Dân sinh</title>
<meta property="og:site_name" content="Báo Dân sinh">
<meta property="article:published_time" content="2024-07-24T12:55:00+07:00">
</head><body>
<header><nav><a href="/">Trang chủ</a> <a href="/lao-dong">Lao động</a></nav></header>
<main>
<article class="article-detail">
<div class="article-date">THỨ TƯ, NGÀY 24 THÁNG 07 NĂM 2024 12:55</div>
<h1 class="article-title">Quảng Ngãi: Giải quyết việc làm cho hơn 20.000 lao động</h1>
<h2 class="article-sapo">Sáu tháng đầu năm, tỉnh Quảng Ngãi đã giải quyết việc làm cho hơn
20.000 lao động.</h2>
<div class="article-content">
<p>Theo báo cáo của Sở Lao động – Thương binh và Xã hội, trong sáu tháng đầu năm toàn tỉnh
đã giải quyết việc làm cho 20.350 lao động, đạt 61% kế hoạch năm.</p>
<figure class="article-image"><img src="/uploads/2024/07/phien-giao-dich.jpg" alt="{CAPTION}">
<figcaption>{CAPTION}</figcaption></figure>
<p>Số lao động đi làm việc ở nước ngoài theo hợp đồng là 1.250 người, chủ yếu tại Nhật Bản
và Hàn Quốc.</p>
<p>Sở đã tổ chức 12 phiên giao dịch việc làm, thu hút hơn 3.000 lượt người lao động.</p>
<p class="article-author" style="text-align: right;"><strong>ĐÔNG HẢI</strong></p>
</div>
</article>
<section class="related-news"><h3>CÙNG CHUYÊN MỤC</h3>
<article class="story"><h3 class="story-title">
<a href="/ha-tinh-tuyen-sinh-hoc-nghe-20240720.htm">Hà Tĩnh tuyển sinh học nghề</a></h3></article>
</section>
<div class="view-by-date">Xem theo ngày</div>
</main>
<footer><a href="/">Báo dân sinh</a> <a href="/gioi-thieu">Báo dân sinh</a>
<a href="/lien-he">Báo dân sinh</a></footer>
</body></html>"""

LISTING = """<!DOCTYPE html><html><head>
<meta property="og:site_name" content="Báo Dân sinh"></head><body>
<nav><a href="/lao-dong-viec-lam">Lao động - Việc làm</a></nav>
<div class="category-list">
<article class="story"><h3 class="story-title">
<a href="/bai-mot-20240724.htm">Một</a></h3></article>
<article class="story"><h3 class="story-title">
<a href="https://baodansinh.vn/bai-hai-20240723.htm">Hai</a></h3></article>
</div>
<div class="pagination"><a href="/lao-dong-viec-lam/p1">1</a>
<a class="next" rel="next" href="/lao-dong-viec-lam/p3">Sau</a></div>
</body></html>"""


@pytest.fixture(scope="module")
def article() -> Article:
    return extract_article(PAGE.encode("utf-8"), url=URL)


def test_markup_is_recognised_without_a_hint(article: Article) -> None:
    assert article.profile == "baodansinh"


def test_fields(article: Article) -> None:
    assert article.title == "Quảng Ngãi: Giải quyết việc làm cho hơn 20.000 lao động"
    assert article.published == datetime(2024, 7, 24, 12, 55, tzinfo=VIETNAM)
    assert article.author == "ĐÔNG HẢI"
    assert article.language == "vi"


def test_the_date_shown_wins_over_the_metadata_which_refines_its_seconds() -> None:
    edited = PAGE.replace("2024-07-24T12:55:00+07:00", "2024-07-25T08:10:00+07:00")
    assert extract_article(edited, url=URL).published == datetime(
        2024, 7, 24, 12, 55, tzinfo=VIETNAM
    )
    refined = PAGE.replace("2024-07-24T12:55:00+07:00", "2024-07-24T12:55:37+07:00")
    assert extract_article(refined, url=URL).published == datetime(
        2024, 7, 24, 12, 55, 37, tzinfo=VIETNAM
    )


def test_text_starts_with_the_lead_and_ends_before_the_signature(article: Article) -> None:
    paragraphs = article.text.split("\n\n")
    assert paragraphs[0].startswith("Sáu tháng đầu năm")
    assert paragraphs[-1].startswith("Sở đã tổ chức 12 phiên")
    assert "ĐÔNG HẢI" not in article.text


def test_caption_appears_once(article: Article) -> None:
    assert article.text.count(CAPTION) == 1
    assert article.images == [
        Image("https://baodansinh.vn/uploads/2024/07/phien-giao-dich.jpg", CAPTION)
    ]


@pytest.mark.parametrize(
    "chrome", ["CÙNG CHUYÊN MỤC", "Xem theo ngày", "Báo dân sinh", "Hà Tĩnh", "THỨ TƯ", "Trang chủ"]
)
def test_chrome_stays_out(article: Article, chrome: str) -> None:
    assert chrome.casefold() not in article.text.casefold()


def test_listing_links_and_next_page() -> None:
    tree = lxml.html.fromstring(LISTING)
    profile = detect_profile(PageData(tree))
    assert profile is get_profile("baodansinh")
    listing = profile.listing_page(PageData(tree, "https://baodansinh.vn/lao-dong-viec-lam/p2"))
    assert listing.article_links() == [
        "https://baodansinh.vn/bai-mot-20240724.htm",
        "https://baodansinh.vn/bai-hai-20240723.htm",
    ]
    assert listing.next_page() == "https://baodansinh.vn/lao-dong-viec-lam/p3"


# The paper's VCCorp-built detail page: other class names, photos in PhotoCMS boxes, the
# signature a bold right-aligned paragraph closing the body, no article:published_time.
VCCORP_PAGE = f"""<!DOCTYPE html>
<html lang="vi"><head><meta charset="utf-8"><title>Quảng Ngãi giải quyết việc làm</title>
<meta property="og:site_name" content="Báo Dân sinh"></head><body>
<div class="header"><h1 class="logo"><a href="/">Báo Dân sinh</a></h1></div>
<div class="detail">
<div class="info-time">THỨ TƯ, NGÀY 24 THÁNG 07 NĂM 2024 12:55</div>
<h1 class="title m-30-b">Quảng Ngãi: Giải quyết việc làm cho hơn 20.000 lao động</h1>
<h2 class="detail-sapo m-20-b">Sáu tháng đầu năm, tỉnh Quảng Ngãi đã giải quyết việc làm cho
hơn 20.000 lao động.</h2>
<div class="entry-body m-30-b clearafter dtdefault">
<p>Theo báo cáo của Sở Lao động – Thương binh và Xã hội, trong sáu tháng đầu năm toàn tỉnh
đã giải quyết việc làm cho 20.350 lao động, đạt 61% kế hoạch năm.</p>
<div class="VCSortableInPreviewMode" type="Photo"><div>
<a href="/uploads/2024/07/phien-giao-dich.jpg"><img src="/uploads/2024/07/phien-giao-dich.jpg"
alt="{CAPTION}" title="{CAPTION}"></a></div>
<div class="PhotoCMS_Caption"><p data-placeholder="[nhập chú thích]">{CAPTION}</p></div></div>
<p>Sở đã tổ chức 12 phiên giao dịch việc làm, thu hút hơn 3.000 lượt người lao động.</p>
<p style="text-align: right;"><strong>ĐÔNG HẢI</strong></p>
</div></div>
<div class="box-related"><h3>CÙNG CHUYÊN MỤC</h3>
<ul><li><a href="/ha-tinh-tuyen-sinh-hoc-nghe-20240720.htm">Hà Tĩnh tuyển sinh học nghề</a>
</li></ul></div>
</body></html>"""


def test_vccorp_detail_page_fields_lead_and_caption() -> None:
    article = extract_article(VCCORP_PAGE.encode("utf-8"), url=URL)
    assert article.profile == "baodansinh"
    assert article.title == "Quảng Ngãi: Giải quyết việc làm cho hơn 20.000 lao động"
    assert article.published == datetime(2024, 7, 24, 12, 55, tzinfo=VIETNAM)
    assert article.author == "ĐÔNG HẢI"
    assert article.lead is not None and article.lead.startswith("Sáu tháng đầu năm")
    paragraphs = article.text.split("\n\n")
    assert paragraphs[0] == article.lead
    assert paragraphs[2] == CAPTION and article.text.count(CAPTION) == 1
    assert paragraphs[-1].startswith("Sở đã tổ chức 12 phiên")
    assert article.images == [
        Image("https://baodansinh.vn/uploads/2024/07/phien-giao-dich.jpg", CAPTION)
    ]
