"""The Liferay page objects, on real pages of a Hà Nội department portal (../shared)."""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path

import lxml.html
import pytest

from aggregator.dates import VIETNAM
from aggregator.exceptions import ExtractionError
from aggregator.extraction import extract_article, parse_html
from aggregator.models import Image
from aggregator.profiles import ListingPage, PageData, detect_profile, get_profile
from bench import realpages
from mirror.server import MirrorServer
from tests.helpers import FAST, tinlaodong

SITE = "https://sotttt.hanoi.gov.vn/"
ARTICLE = "chien-luoc-quy-hoach84a0.html"


def read(corpus: Path, name: str) -> bytes:
    return (corpus / name).read_bytes()


def test_article_fields_come_from_the_asset_not_the_page_title(corpus: Path) -> None:
    article = extract_article(read(corpus, ARTICLE), url=SITE + ARTICLE)
    assert article.profile == "liferay"
    assert article.title is not None and article.title.startswith("Hướng dẫn xây dựng Kế hoạch")
    assert article.published == datetime(2012, 12, 21, 0, 0, tzinfo=VIETNAM)


def test_article_text_has_the_body_and_no_chrome(corpus: Path) -> None:
    article = extract_article(read(corpus, ARTICLE), url=SITE + ARTICLE)
    assert "Thông tin trao đổi đề nghị liên hệ" in article.text
    for chrome in (
        "Other News",
        "Chiến lược phát triển lĩnh vực thông tin cơ sở",
        "Print",
        "Send email",
        "admin admin",
        "Trang chủ",
    ):
        assert chrome not in article.text
    # "admin admin" signs the page: a placeholder, not an author.
    assert article.author is None


def test_every_portal_page_is_recognised_as_liferay(corpus: Path) -> None:
    liferay = get_profile("liferay")
    pages = sorted(corpus.glob("*.html"))
    recognised = [
        p.name for p in pages if detect_profile(PageData(parse_html(p.read_bytes()))) is liferay
    ]
    # Two are bare web-server status pages of the mirror, not portal pages.
    assert len(recognised) >= len(pages) - 2
    assert "index.html" in recognised and ARTICLE in recognised


def test_listing_page_is_not_an_article(corpus: Path) -> None:
    with pytest.raises(ExtractionError, match="listing"):
        extract_article(read(corpus, "cong-nghe-thong-tin.html"), url=SITE + "cong-nghe-thong-tin")


@pytest.mark.parametrize(
    "name",
    ["dang-nhap.html", "so-do-website.html", "duong-day-nong.html", "phong-ban-chuyen-mon.html"],
    ids=["sign-in", "site-map", "hotline", "department-directory"],
)
def test_the_portals_own_pages_are_no_stories(corpus: Path, name: str) -> None:
    """The portal's sitemap lists its sign-in, site map and hotline pages beside the news:
    read whole, each gave the portal's menu as a story ("Đăng nhập": "Trang chủ", "Giới
    thiệu", "Cơ cấu tổ chức" ...), which feeds and alerts then carried."""
    with pytest.raises(ExtractionError, match="only the site's menus and links"):
        extract_article(read(corpus, name), url=SITE + name.removesuffix(".html"))


def test_a_static_page_of_prose_is_still_read(corpus: Path) -> None:
    """The portal's own pages of prose (its organisation, a department's duties) stay."""
    article = extract_article(read(corpus, "co-cau-to-chuc.html"), url=SITE + "co-cau-to-chuc")
    assert article.title == "Cơ cấu tổ chức"
    assert len(article.text) > 1000


def listing(corpus: Path, name: str, url: str) -> ListingPage:
    tree = parse_html(read(corpus, name))
    return get_profile("liferay").listing_page(PageData(tree, url))


def test_listing_links_are_the_category_items(corpus: Path) -> None:
    links = listing(
        corpus, "cong-nghe-thong-tin.html", SITE + "cong-nghe-thong-tin"
    ).article_links()
    assert len(links) == 10
    assert links[0] == (
        SITE + "cong-nghe-thong-tin/-/view_content/"
        "4418033-chinh-thuc-kich-hoat-su-kien-khong-dung-tien-mat-nam-2022.html"
    )
    assert all("/-/view_content/" in link for link in links)


def test_document_tables_give_links_without_the_redirect_back(corpus: Path) -> None:
    links = listing(corpus, "qlttps.html", SITE + "qlttps").article_links()
    assert len(links) == 20
    assert not any("redirect" in link for link in links)


def test_next_page_follows_the_pager(corpus: Path) -> None:
    first = listing(corpus, "cong-nghe-thong-tin.html", SITE + "cong-nghe-thong-tin")
    assert (first.next_page() or "").endswith("_101_cur=2")
    page17 = listing(corpus, "cong-nghe-thong-tin01ad.html", SITE + "cong-nghe-thong-tin")
    assert (page17.next_page() or "").endswith("_101_cur=18")


def test_home_page_links_its_articles(corpus: Path) -> None:
    links = listing(corpus, "index.html", SITE).article_links()
    assert len(links) > 10 and all("/-/view_content/" in link for link in links)


SIGNED = """<!DOCTYPE html><html lang="vi"><head><title>Chi tiết - Sở Lao động</title></head>
<body><div id="p_p_id_101_"><div class="asset-full-content-title">Hội nghị tổng kết công tác
giảm nghèo năm 2024</div>
<div class="assetPublishDate block_timer"> 20/12/2024 | 03:30 PM </div>
<div class="asset-full-content"><div class="asset-content">
<div class="sapo-wrapper">
<p class="sapo"><strong>Sở tổng kết công tác giảm nghèo.</strong></p></div>
<div class="journal-content-article">
<p>Sáng 20/12, Sở Lao động - Thương binh và Xã hội tổ chức hội nghị tổng kết công tác giảm
nghèo năm 2024 với sự tham dự của đại diện các sở, ngành và địa phương.</p>
<p style="text-align: center;"><img src="/documents/10180/hoi-nghi.jpg" alt=""></p>
<p style="text-align: center;"><em>Quang cảnh hội nghị</em></p>
<p>Tỷ lệ hộ nghèo toàn tỉnh giảm còn 2,1%, vượt chỉ tiêu đề ra.</p>
<p style="text-align: right;"><strong>Nguyễn Trường An</strong></p>
</div></div></div>
<div class="related_asset"><div class="related_asset_title">Tin khác</div></div>
</div></body></html>"""


def test_signature_becomes_the_author_and_leaves_the_text() -> None:
    article = extract_article(
        SIGNED, url="https://sldtbxh.example.gov.vn/tin-tuc/-/view_content/1-x.html"
    )
    assert article.author == "Nguyễn Trường An"
    assert "Nguyễn Trường An" not in article.text
    assert article.title == "Hội nghị tổng kết công tác giảm nghèo năm 2024"
    assert article.published == datetime(2024, 12, 20, 15, 30, tzinfo=VIETNAM)
    assert article.text.startswith("Sở tổng kết công tác giảm nghèo.")
    assert article.text.count("Quang cảnh hội nghị") == 1
    assert "Tin khác" not in article.text
    assert article.images == [
        Image("https://sldtbxh.example.gov.vn/documents/10180/hoi-nghi.jpg", "Quang cảnh hội nghị")
    ]


def test_unknown_markup_is_not_liferay() -> None:
    tree = lxml.html.fromstring("<html><body><p>Một trang tĩnh</p></body></html>")
    assert detect_profile(PageData(tree)).name == "generic"


def test_a_crawl_of_the_portal_stores_no_sign_in_page(shared_dir: Path, tmp_path: Path) -> None:
    """The portal's sitemap lists its sign-in page beside an article: the crawl stores the
    article, no "Đăng nhập" story, and says why in one line naming the page once."""
    pages = [
        p
        for p in realpages.corpus_pages("hanoi-portal-2022", shared_dir / "corpus")
        if p.name in ("dang-nhap", ARTICLE.removesuffix(".html"))
    ]
    built = realpages.build(tmp_path / "sites", pages, variants=1)
    data = tmp_path / "data"
    with MirrorServer(built.sites) as server:
        registry = tmp_path / "sites.yaml"
        server.write_registry(registry)
        crawl = tinlaodong("crawl", "--sites", str(registry), "--data-dir", str(data), *FAST)
    assert crawl.returncode == 0, crawl.stderr
    refused = [line for line in crawl.stderr.splitlines() if "only the site's menus" in line]
    assert len(refused) == 1 and refused[0].count("dang-nhap") == 1, refused
    listed = tinlaodong("stories", "--data-dir", str(data), "--json")
    titles = [json.loads(line)["title"] for line in listed.stdout.splitlines()]
    assert titles and "Đăng nhập" not in titles
    assert any(t.startswith("Hướng dẫn xây dựng Kế hoạch") for t in titles)
