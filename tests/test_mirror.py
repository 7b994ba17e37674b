"""The offline mirror: built into a temp dir, served on loopback, fetched over real sockets."""

from __future__ import annotations

import unicodedata
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from urllib.error import HTTPError
from urllib.request import urlopen

import lxml.html
import pytest

from aggregator.registry import load_registry
from mirror.build import MirrorSite, build_mirror, default_seeds_dir
from mirror.expected import (
    ExpectedArticle,
    duplicate_pair,
    expected_articles,
    expected_broken,
)
from mirror.paths import file_for
from mirror.seeds import BAODANSINH_FILE, QUANGTRI_FILE
from mirror.server import MirrorServer
from mirror.sites import SPECS

SEEDS = default_seeds_dir()
SEEDS_MISSING = "../shared/seeds not present: seed pages are built from the user's samples"
MIRROR_PACKAGE = Path(__file__).resolve().parent.parent / "mirror"
GENERIC_TITLE = "Chi tiết - Sở Lao động - Thương Binh và Xã Hội"


@dataclass(frozen=True)
class Response:
    status: int
    content_type: str
    body: bytes

    @property
    def text(self) -> str:
        return self.body.decode("utf-8")

    def tree(self) -> lxml.html.HtmlElement:
        # from text: Liferay declares its charset only after <title>, as the real portal does;
        # crawlers go by the Content-Type header
        return lxml.html.fromstring(self.text)


def fetch(url: str) -> Response:
    with urlopen(url, timeout=10) as response:
        return Response(response.status, response.headers["Content-Type"], response.read())


def fetch_error(url: str) -> int:
    with pytest.raises(HTTPError) as info:
        fetch(url)
    info.value.close()  # an unclosed error response is a ResourceWarning (an error here)
    return info.value.code


@pytest.fixture(scope="module")
def sites(tmp_path_factory: pytest.TempPathFactory) -> list[MirrorSite]:
    return build_mirror(tmp_path_factory.mktemp("mirror"), SEEDS)


@pytest.fixture(scope="module")
def mirror(sites: list[MirrorSite]) -> Iterator[MirrorServer]:
    with MirrorServer(sites) as server:
        yield server


@pytest.fixture(scope="module")
def expected() -> list[ExpectedArticle]:
    return expected_articles(SEEDS)


def url(mirror: MirrorServer, site_id: str, path: str) -> str:
    return mirror.base_url(site_id) + path


def test_every_site_serves_a_home_page_and_robots_txt(mirror: MirrorServer) -> None:
    for site in mirror.sites:
        home = fetch(url(mirror, site.id, "/"))
        assert home.status == 200
        assert home.content_type == "text/html; charset=utf-8"
        robots = fetch(url(mirror, site.id, "/robots.txt"))
        assert robots.content_type.startswith("text/plain")
        assert "User-agent: *" in robots.text
        assert "Disallow: /admin/" in robots.text
        # the chrome links the disallowed area, so crawls can prove they obey robots.txt
        assert 'href="/admin/login"' in home.text


def test_liferay_listing_paginates_through_the_page_iterator(mirror: MirrorServer) -> None:
    first = fetch(url(mirror, "mirror-quangtri", "/tin-tuc-su-kien")).tree()
    titles = first.cssselect(".portlet-asset-publisher h3.asset-title a")
    assert len(titles) == 3
    assert first.cssselect(".taglib-page-iterator .lfr-pagination")
    (next_link,) = first.xpath('//ul[contains(@class, "lfr-pagination-buttons")]/li[3]/a/@href')
    assert "_101_cur=2" in next_link
    second = fetch(url(mirror, "mirror-quangtri", next_link)).tree()
    second_titles = second.cssselect("h3.asset-title a")
    assert second_titles
    assert {a.get("href") for a in titles}.isdisjoint(a.get("href") for a in second_titles)
    (third_link,) = second.xpath('//ul[contains(@class, "lfr-pagination-buttons")]/li[3]/a/@href')
    assert fetch(url(mirror, "mirror-quangtri", third_link)).status == 200


def test_query_order_does_not_change_the_file() -> None:
    assert file_for("/tin-tuc-su-kien", "a=1&_101_cur=2") == file_for(
        "/tin-tuc-su-kien", "_101_cur=2&a=1"
    )
    assert ".." not in file_for("/x/../../etc/passwd")  # never leaves the site root


def test_baodansinh_listing_has_two_pages(mirror: MirrorServer) -> None:
    first = fetch(url(mirror, "mirror-baodansinh", "/lao-dong-viec-lam")).tree()
    assert first.cssselect("div.category-list article.story h3.story-title a")
    assert first.cssselect("article.story span.story-time")
    (next_link,) = first.cssselect('div.pagination a.next[rel="next"]')
    assert next_link.get("href") == "/lao-dong-viec-lam?page=2"
    second = fetch(url(mirror, "mirror-baodansinh", "/lao-dong-viec-lam?page=2")).tree()
    assert second.cssselect("article.story")
    assert not second.cssselect("div.pagination a.next")


def test_every_expected_article_is_served(
    mirror: MirrorServer, expected: list[ExpectedArticle]
) -> None:
    for article in expected:
        page = fetch(article.url(mirror.base_url(article.site_id)))
        assert page.status == 200
        text = unicodedata.normalize("NFC", page.text)
        assert lxml.html.fromstring(text).text_content().count(article.paragraphs[-1]) == 1


def test_liferay_article_markup(mirror: MirrorServer, expected: list[ExpectedArticle]) -> None:
    article = next(a for a in expected if a.site_id == "mirror-quangtri" and a.captions)
    tree = fetch(article.url(mirror.base_url(article.site_id))).tree()
    assert tree.findtext(".//title") == GENERIC_TITLE
    (headline,) = tree.cssselect(".portlet-asset-publisher .asset-full-content-title")
    assert headline.text_content() == article.headline
    (date,) = tree.cssselect(".assetPublishDate.block_timer")
    assert date.text_content().strip() == article.published.strftime("%d/%m/%Y | %I:%M %p")
    (body,) = tree.cssselect(".asset-content .journal-content-article")
    author = body[-1]
    assert author.get("style") == "text-align: right;"
    assert author.text_content() == article.signature
    assert [em.text_content() for em in body.cssselect("em")] == list(article.captions)
    assert tree.cssselect(".related_asset ul.related_asset_list li a")
    assert "Liferay.Portlet" in fetch(article.url(mirror.base_url(article.site_id))).text
    for chrome in ("Đang truy cập: 2", "Hôm nay: 67", "Tổng lượt truy cập: 717.717"):
        assert chrome in tree.text_content()


def test_baodansinh_article_markup(mirror: MirrorServer, expected: list[ExpectedArticle]) -> None:
    for article in (a for a in expected if a.site_id == "mirror-baodansinh"):
        tree = fetch(article.url(mirror.base_url(article.site_id))).tree()
        assert tree.get("lang") == "vi"
        assert tree.findtext(".//title") == f"{article.headline} | Báo Dân sinh"
        meta = {m.get("property"): m.get("content") for m in tree.cssselect("meta[property]")}
        assert meta["og:title"] == article.headline
        assert meta["article:published_time"] == article.published.isoformat()
        (detail,) = tree.cssselect("article.article-detail")
        assert detail.cssselect("h1.article-title")[0].text_content() == article.headline
        (content,) = detail.cssselect("div.article-content")
        figures = content.cssselect("figure.article-image")
        assert [f.findtext("figcaption") for f in figures] == list(article.captions)
        assert [f.find("img").get("alt") for f in figures] == list(article.captions)
        assert content[-1].get("class") == "article-author"
        assert content[-1].text_content() == article.signature
        related = tree.cssselect("section.related-news li a")
        assert related
        assert tree.cssselect("section.related-news h3")[0].text == "CÙNG CHUYÊN MỤC"
        footer_links = [a.text for a in tree.cssselect("footer a")]
        assert footer_links.count("Báo dân sinh") == 3


def test_the_nfd_article_is_really_decomposed(
    mirror: MirrorServer, expected: list[ExpectedArticle]
) -> None:
    (article,) = (a for a in expected if a.nfd)
    text = fetch(article.url(mirror.base_url(article.site_id))).text
    decomposed = unicodedata.normalize("NFD", article.headline)
    assert decomposed != article.headline
    assert decomposed in text
    assert article.headline not in text
    assert unicodedata.normalize("NFC", text) != text


def test_duplicate_pair_shares_its_body_verbatim(
    mirror: MirrorServer, expected: list[ExpectedArticle]
) -> None:
    original, copy = duplicate_pair(expected)
    assert (original.site_id, copy.site_id) == ("mirror-quangtri", "mirror-baodansinh")
    assert original.paragraphs == copy.paragraphs
    assert original.headline != copy.headline
    assert original.published != copy.published
    for article in (original, copy):
        page = fetch(article.url(mirror.base_url(article.site_id))).tree().text_content()
        assert all(p in page for p in article.paragraphs)


def test_generic_site_is_discoverable_without_a_profile(
    mirror: MirrorServer, expected: list[ExpectedArticle]
) -> None:
    base = mirror.base_url("mirror-generic")
    paths = {a.path for a in expected if a.site_id == "mirror-generic"}
    robots = fetch(base + "/robots.txt").text
    assert f"Sitemap: {base}/sitemap.xml" in robots

    sitemap = fetch(base + "/sitemap.xml")
    assert sitemap.content_type.startswith("application/xml")
    ns = {"s": "http://www.sitemaps.org/schemas/sitemap/0.9"}
    locs = {e.text for e in ET.fromstring(sitemap.body).findall("s:url/s:loc", ns)}
    assert locs == {base + p for p in paths}

    home = fetch(base + "/").tree()
    (feed_link,) = home.cssselect('link[rel="alternate"][type="application/rss+xml"]')
    rss = fetch(base + feed_link.get("href"))
    assert rss.content_type.startswith("application/rss+xml")
    channel = ET.fromstring(rss.body).find("channel")
    assert channel is not None
    assert {item.findtext("link") for item in channel.findall("item")} == {base + p for p in paths}
    article = fetch(base + sorted(paths)[0]).text
    assert '<div id="content">' in article and "Ngày đăng: " in article


def test_broken_articles_answer_500_and_404(mirror: MirrorServer) -> None:
    broken = expected_broken()
    assert sorted(b.status for b in broken) == [404, 500]
    listing = fetch(url(mirror, "mirror-quangtri", "/tin-tuc-su-kien")).text
    pages = [listing] + [
        fetch(url(mirror, "mirror-quangtri", href)).text
        for href in lxml.html.fromstring(listing).xpath('//li[@class="custom-paging"]/a/@href')
    ]
    for item in broken:
        assert any(item.path in page for page in pages)  # the listing links it
        assert fetch_error(url(mirror, item.site_id, item.path)) == item.status
    assert fetch_error(url(mirror, "mirror-generic", "/khong-co-trang-nay.html")) == 404


def test_images_are_served(mirror: MirrorServer) -> None:
    image = fetch(url(mirror, "mirror-baodansinh", "/stores/news_dataimages/lop-hoc-nghe.png"))
    assert image.content_type == "image/png"
    assert image.body.startswith(b"\x89PNG")


def test_requests_are_recorded(mirror: MirrorServer) -> None:
    fetch(url(mirror, "mirror-generic", "/robots.txt"))
    assert "/robots.txt" in mirror.requested_paths("mirror-generic")


def test_registry_written_for_the_running_mirror(mirror: MirrorServer, tmp_path: Path) -> None:
    path = tmp_path / "mirror-sites.yaml"
    mirror.write_registry(path)
    registry = load_registry(path)
    assert {s.id for s in registry.sites} == {s.id for s in mirror.sites}
    quangtri = registry.get("mirror-quangtri")
    assert quangtri.province == "Quảng Trị"
    assert quangtri.profile == "liferay"
    assert quangtri.allow_private_network
    assert quangtri.start_urls == (mirror.base_url("mirror-quangtri") + "/tin-tuc-su-kien",)
    assert registry.get("mirror-generic").profile is None
    assert "Quảng Trị" in path.read_text(encoding="utf-8")  # allow_unicode: no \u escapes


def test_seed_pages_are_built_from_the_users_samples(
    mirror: MirrorServer, expected: list[ExpectedArticle]
) -> None:
    if SEEDS is None:
        pytest.skip(SEEDS_MISSING)
    seeds = {a.site_id: a for a in expected if a.seed}
    assert set(seeds) == {"mirror-quangtri", "mirror-baodansinh"}
    quangtri = seeds["mirror-quangtri"]
    assert quangtri.author == "Nguyễn Trường An"
    assert quangtri.captions == ("Sở LĐ-TB&XH tỉnh Quảng Trị",)
    page = fetch(quangtri.url(mirror.base_url("mirror-quangtri"))).text
    assert "Lịch vạn niên" in page and "Tiếp nhận ý kiến" in page  # chrome, around the body
    baodansinh = seeds["mirror-baodansinh"]
    assert baodansinh.author == "ĐÔNG HẢI"
    assert baodansinh.published.isoformat() == "2024-07-24T12:55:00+07:00"
    assert len(baodansinh.captions) == len(set(baodansinh.captions)) == 6
    assert not any(c in baodansinh.paragraphs for c in baodansinh.captions)
    tree = fetch(baodansinh.url(mirror.base_url("mirror-baodansinh"))).tree()
    assert [f.text_content() for f in tree.cssselect("figcaption")] == list(baodansinh.captions)


def test_build_without_seeds_has_no_seed_pages(tmp_path: Path) -> None:
    sites = build_mirror(tmp_path, None)
    assert len(sites) == len(SPECS)
    assert not any(a.seed for a in expected_articles(None))
    built = {p.name for s in sites for p in s.root.rglob("*.htm*")}
    assert not any(name.startswith("1850400-") for name in built)


def test_no_seed_text_is_copied_into_the_package() -> None:
    if SEEDS is None:
        pytest.skip(SEEDS_MISSING)
    sentences: list[str] = []
    for name in (QUANGTRI_FILE, BAODANSINH_FILE):
        lines = (SEEDS / name).read_text(encoding="utf-8").splitlines()
        longest = sorted((line.strip() for line in lines), key=len)[-2:]
        sentences.extend(line[:60] for line in longest)
    assert all(len(s) == 60 for s in sentences)
    for path in MIRROR_PACKAGE.rglob("*"):
        if path.is_file() and path.suffix in (".py", ".yaml", ".html", ".txt", ".css"):
            text = path.read_text(encoding="utf-8")
            assert not any(s in text for s in sentences), f"seed text copied into {path}"
