"""The WordPress page objects, on pages following the family's markup."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import lxml.html
import pytest

from aggregator.exceptions import ExtractionError
from aggregator.extraction import extract_article
from aggregator.models import Article, Image
from aggregator.profiles import PageData, detect_profile, get_profile
from mirror.build import build_mirror
from mirror.expected import expected_articles
from mirror.paths import file_for_url
from mirror.templates.wordpress import CHROME_TEXTS

SITE = "https://laodongxahoi.vn"
URL = SITE + "/2025/03/phat-trien-giao-duc-nghe-nghiep/"
CAPTION = "Sinh viên thực hành tại xưởng cơ điện tử."
HEAD = """<head><meta charset="UTF-8"><title>Phát triển giáo dục nghề nghiệp - Tạp chí</title>
<link rel="stylesheet" href="/wp-content/themes/tapchi/style.css?ver=2.3.1">
<meta name="generator" content="WordPress 6.5.5"></head>"""
PAGE = f"""<!DOCTYPE html><html lang="vi">{HEAD}<body class="single single-post">
<header id="masthead"><a href="/admin/login">Đăng nhập</a></header>
<article id="post-48175" class="post-48175 post type-post status-publish hentry">
<header class="entry-header"><h1 class="entry-title">Phát triển giáo dục nghề nghiệp</h1>
<div class="entry-meta"><time class="entry-date published" datetime="2025-03-03T15:10:00+07:00">
03/03/2025</time><span class="byline"> bởi <span class="author vcard"><a class="url fn n"
href="/author/hm/">Hoàng Minh</a></span></span></div></header>
<div class="entry-content"><p class="sapo"><strong>Mô hình đào tạo kép đang được áp dụng rộng
rãi.</strong></p>
<p>Học viên dành phần lớn thời gian thực hành tại doanh nghiệp.</p>
<figure id="attachment_1" class="wp-caption aligncenter"><img src="/wp-content/uploads/a.png"
alt="{CAPTION}"><figcaption class="wp-caption-text">{CAPTION}</figcaption></figure>
<p>Hơn 85% sinh viên có việc làm ngay sau khi tốt nghiệp.</p>
<p style="text-align: right;"><strong>Hoàng Minh</strong></p>
<div class="sharedaddy"><h3 class="sd-title">Chia sẻ:</h3></div>
<div id="jp-relatedposts" class="jp-relatedposts"><h3><em>Có liên quan</em></h3>
<div class="jp-relatedposts-post"><a href="/2024/07/cham-lo/">Chăm lo người có công</a></div></div>
</div></article>
<div id="comments"><h3>Để lại bình luận</h3></div>
<aside><h2 class="widget-title">Bài viết mới</h2></aside></body></html>"""

LISTING = f"""<!DOCTYPE html><html>{HEAD}<body class="archive category">
<article class="post type-post"><h2 class="entry-title"><a href="/2025/04/bao-hiem/">Một</a></h2>
</article>
<article class="post type-post"><h2 class="entry-title"><a href="{SITE}/an-sinh-xa-hoi-moi/">Hai</a>
</h2></article>
<nav class="navigation pagination"><div class="nav-links">
<span aria-current="page" class="page-numbers current">1</span>
<a class="page-numbers" href="/lao-dong-viec-lam/page/2/">2</a>
<a class="next page-numbers" href="/lao-dong-viec-lam/page/2/">Trang sau »</a></div></nav>
</body></html>"""


@pytest.fixture(scope="module")
def article() -> Article:
    return extract_article(PAGE.encode("utf-8"), url=URL)


def test_fields(article: Article) -> None:
    assert article.profile == "wordpress"
    assert article.title == "Phát triển giáo dục nghề nghiệp"
    assert article.published is not None
    assert article.published.isoformat() == "2025-03-03T15:10:00+07:00"
    assert article.published == datetime.fromisoformat("2025-03-03T15:10:00+07:00")
    assert article.author == "Hoàng Minh"
    assert article.images == [Image(SITE + "/wp-content/uploads/a.png", CAPTION)]


def test_text_starts_with_the_lead_and_has_the_caption_once(article: Article) -> None:
    assert article.text.startswith("Mô hình đào tạo kép")
    assert article.text.endswith("ngay sau khi tốt nghiệp.")
    assert article.text.count(CAPTION) == 1
    for chrome in ("Chia sẻ", "Có liên quan", "Chăm lo", "bình luận", "Bài viết mới", "bởi"):
        assert chrome not in article.text


def test_a_placeholder_byline_gives_way_to_the_signature() -> None:
    page = PAGE.replace('href="/author/hm/">Hoàng Minh</a>', 'href="/author/admin/">admin</a>')
    assert extract_article(page, url=URL).author == "Hoàng Minh"


def test_listing_links_and_next_page() -> None:
    tree = lxml.html.fromstring(LISTING)
    profile = detect_profile(PageData(tree))
    assert profile is get_profile("wordpress")
    listing = profile.listing_page(PageData(tree, SITE + "/lao-dong-viec-lam/"))
    assert listing.article_links() == [SITE + "/2025/04/bao-hiem/", SITE + "/an-sinh-xa-hoi-moi/"]
    assert listing.next_page() == SITE + "/lao-dong-viec-lam/page/2/"


def test_an_archive_is_not_an_article() -> None:
    with pytest.raises(ExtractionError, match="archive"):
        extract_article(LISTING, url=SITE + "/lao-dong-viec-lam/")


def test_mirror_articles_keep_the_family_chrome_out(tmp_path: Path) -> None:
    sites = {s.id: s for s in build_mirror(tmp_path, None)}
    site = sites["mirror-wordpress"]
    for expected in (a for a in expected_articles(None) if a.site_id == site.id):
        html = (site.root / file_for_url(expected.path)).read_bytes()
        text = extract_article(html, url="http://mirror.invalid" + expected.path).text
        assert not [c for c in CHROME_TEXTS if c in text], expected.path
