"""Pages a portal's sitemap lists beside its news that are no article (its listings, its sign-in
page) are counted apart, do not make the site unhealthy, and are not fetched again by the next
crawls until the recheck window has passed; an article page read as a listing still shows."""

from __future__ import annotations

import json
import re
import signal
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from aggregator.app.crawl_job import remember_not_articles
from aggregator.health import CrawlMetrics, assess
from aggregator.store import open_store
from bench import realpages
from mirror.build import build_mirror
from mirror.paths import BASE_URL_PLACEHOLDER
from mirror.server import MirrorServer
from spiders.runner import SiteReport
from tests.helpers import FAST, tinlaodong

SIGN_IN, LISTING, ARTICLE = "dang-nhap", "cong-nghe-thong-tin", "chien-luoc-quy-hoach84a0"


def crawl(registry: Path, data: Path, *settings: str) -> dict[str, object]:
    extra = [arg for name in settings for arg in ("-s", name)]
    result = tinlaodong(
        "crawl", "--sites", str(registry), "--data-dir", str(data), "--json", *FAST, *extra
    )
    assert result.returncode == 0, result.stderr
    row: dict[str, object] = json.loads(result.stdout.splitlines()[0])
    return row


@pytest.fixture
def portal(shared_dir: Path, tmp_path: Path) -> tuple[realpages.Built, realpages.Page]:
    pages = [
        p
        for p in realpages.corpus_pages("hanoi-portal-2022", shared_dir / "corpus")
        if p.name in (SIGN_IN, LISTING, ARTICLE)
    ]
    (article,) = [p for p in pages if p.name == ARTICLE]
    return realpages.build(tmp_path / "sites", pages, variants=1), article


def add_article(built: realpages.Built, article: realpages.Page, name: str) -> str:
    """A new article in the portal's sitemap: the sitemap changes, and is read again."""
    (site,) = built.sites
    path = f"/{name}.html"
    body = realpages.extracted_text(article.html)
    (site.root / path.lstrip("/")).write_bytes(realpages.variant_of(article.html, 7, body))
    sitemap = site.root / "sitemap.xml"
    entry = f"<url><loc>{BASE_URL_PLACEHOLDER}{path}</loc></url>\n</urlset>"
    sitemap.write_text(sitemap.read_text(encoding="utf-8").replace("</urlset>", entry))
    return path


def test_the_portals_own_pages_are_read_once(
    portal: tuple[realpages.Built, realpages.Page], tmp_path: Path
) -> None:
    built, article = portal
    (site,) = built.sites
    data, registry = tmp_path / "data", tmp_path / "sites.yaml"
    with MirrorServer(built.sites) as server:
        server.write_registry(registry)
        first = crawl(registry, data)
        # The sign-in and the listing page are no article, no error, and the site is well.
        assert (first["new_stories"], first["not_articles"], first["errors"]) == (1, 2, 0)
        assert first["healthy"] is True, first["health"]

        news = add_article(built, article, "tin-moi")
        before = len(server.requested_paths(site.id))
        second = crawl(registry, data)
        asked = server.requested_paths(site.id)[before:]
        assert news in asked and second["new_sources"] == 1  # the same story, another copy
        assert not any(SIGN_IN in p or LISTING in p for p in asked), asked

        # Past the recheck window (here: none), they are read again, and still no article.
        add_article(built, article, "tin-moi-nua")
        before = len(server.requested_paths(site.id))
        third = crawl(registry, data, "TINLAODONG_NOT_ARTICLE_RECHECK_DAYS=0")
        asked = server.requested_paths(site.id)[before:]
        assert {f"/{SIGN_IN}-v1.html", f"/{LISTING}-v1.html"} <= set(asked)
        assert third["not_articles"] == 2 and third["healthy"] is True


def test_a_crawl_that_finds_only_no_articles_is_unhealthy() -> None:
    """A redesign can make every article page look like a listing: nothing extracted and
    three or more pages taken for no article is a layout that no longer fits."""
    broken = assess(CrawlMetrics(not_articles=5), None)
    assert not broken.healthy and "taken for listings" in (broken.reason or "")
    usual = CrawlMetrics(
        extracted=4, not_articles=40, with_date=4, body_chars=8000, distinct_titles=4
    )
    assert assess(usual, None).healthy


def test_verdicts_are_remembered_unless_the_crawl_was_stopped(tmp_path: Path) -> None:
    """Even a suspect crawl's (every new page taken for no article): not remembering them
    brought the same pages back at every crawl, suspect again, and nothing was remembered."""
    store = open_store(tmp_path / "data")
    try:
        pages = tuple((f"https://x.gov.vn/tin/{n}.html", "a listing page") for n in range(4))
        urls = [url for url, _ in pages]
        since = datetime.now(UTC) - timedelta(days=1)

        def report(interrupted_by: int | None) -> SiteReport:
            return SiteReport(
                site_id="s", name="s", pages=4, new_stories=0, new_sources=0,
                skipped_known=0, errors=0, unreachable=False, not_article_pages=pages,
                metrics=CrawlMetrics(not_articles=len(pages)), interrupted_by=interrupted_by,
            )  # fmt: skip

        remember_not_articles(store, [report(signal.SIGTERM)])
        assert store.not_articles.seen_since(urls, since) == set()
        remember_not_articles(store, [report(None)])
        assert store.not_articles.seen_since(urls, since) == set(urls)
    finally:
        store.close()


@pytest.mark.parametrize(
    ("value", "says"), [("1e6", "more than 3650"), ("-1", "negative"), ("abc", "not a number")]
)
def test_a_recheck_window_it_cannot_take_is_one_line(value: str, says: str, tmp_path: Path) -> None:
    result = tinlaodong(
        "crawl", "--data-dir", str(tmp_path), "-s", f"TINLAODONG_NOT_ARTICLE_RECHECK_DAYS={value}"
    )
    assert result.returncode == 2 and says in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1 and "Traceback" not in result.stderr


def test_an_article_its_listing_links_and_that_reads_as_a_listing_is_a_failure(
    tmp_path: Path,
) -> None:
    """After a redesign an article page may read as a listing. Linked as an article by the
    site's own listing, it is a failure (against the site's health) and read again next
    time, never remembered as no article: the news it holds must not wait for the window."""
    (site,) = [s for s in build_mirror(tmp_path / "mirror", None) if s.id == "mirror-quangtri"]
    pages = sorted(p for p in site.root.rglob("*.html") if "view_content" in str(p))
    for page in pages:  # the headline's markup gone, a list of related assets instead
        html = page.read_text(encoding="utf-8").replace("asset-full-content", "noi-dung")
        page.write_text(re.sub(r"(<body[^>]*>)", r'\1<div class="asset-abstract">x</div>', html))
    data, registry = tmp_path / "data", tmp_path / "sites.yaml"
    with MirrorServer([site]) as server:
        server.write_registry(registry)
        row = crawl(registry, data)
    assert row["not_articles"] == 0 and row["errors"] >= len(pages)
    assert row["healthy"] is False and "yield no article" in str(row["health"])
    store = open_store(data)
    try:
        urls = [f"{server.base_url(site.id)}/{p.relative_to(site.root)}" for p in pages]
        assert store.not_articles.seen_since(urls, datetime.now(UTC) - timedelta(days=1)) == set()
    finally:
        store.close()


STATIC_PAGES = ("co-cau-to-chuc", "chuc-nang-nhiem-vu", "don-vi-su-nghiep")


def test_a_portal_crawled_through_its_sitemap_is_healthy_and_stores_only_its_news(
    shared_dir: Path, tmp_path: Path
) -> None:
    """The Hà Nội portal's sitemap names its organisation, duties and contact pages beside its
    news. Stored, they were stories without a date ("Cơ cấu tổ chức" in the feeds) and its first
    crawl was UNHEALTHY: "only 3 of 16 articles have a date". Undated pages a sitemap names
    are the site's own: counted apart, said in one line each, and not stored."""
    pages = realpages.corpus_pages("hanoi-portal-2022", shared_dir / "corpus")
    built = realpages.build(tmp_path / "sites", pages, variants=1)
    data, registry = tmp_path / "data", tmp_path / "sites.yaml"
    with MirrorServer(built.sites) as server:
        server.write_registry(registry)
        result = tinlaodong(
            "crawl", "--sites", str(registry), "--data-dir", str(data), "--json", *FAST
        )
    assert result.returncode == 0, result.stderr
    row = json.loads(result.stdout.splitlines()[0])
    assert row["healthy"] is True, row["health"]
    assert row["errors"] <= 2  # the two pages it fails on (internal software, a status page)
    listed = tinlaodong("stories", "--data-dir", str(data), "--json")
    stories = [json.loads(line) for line in listed.stdout.splitlines()]
    titles = {story["title"] for story in stories}
    assert any(t.startswith("Hướng dẫn xây dựng Kế hoạch") for t in titles), titles
    assert not {"Cơ cấu tổ chức", "Chức năng nhiệm vụ", "Đơn vị sự nghiệp", "Liên hệ"} & titles
    assert all(story["published"] for story in stories), stories
    undated = [line for line in result.stderr.splitlines() if "no date shown" in line]
    for name in STATIC_PAGES:
        assert sum(f"/{name}-v1.html" in line for line in undated) == 1, undated


def _linked_from_home(site_root: Path, names: list[str], how: str) -> None:
    """The site's home page links ``names`` as its news ("listing"), or its feed does ("feed");
    its sitemap names none of them."""
    if how == "listing":
        links = "".join(f'<li><a href="/{name}-v1.html">{name}</a></li>' for name in names)
        head, news = "", f"<ul>{links}</ul>"
    else:  # the server puts its address in place of the placeholder in XML files only
        items = "".join(
            f"<item><title>{name}</title><link>{BASE_URL_PLACEHOLDER}/{name}-v1.html</link>"
            "<pubDate>Mon, 01 Jul 2024 08:00:00 +0700</pubDate></item>"
            for name in names
        )
        (site_root / "rss.xml").write_text(
            f'<?xml version="1.0"?><rss version="2.0"><channel><title>t</title>{items}'
            "</channel></rss>",
            encoding="utf-8",
        )
        head = '<link rel="alternate" type="application/rss+xml" href="/rss.xml">'
        news = ""
    (site_root / "index.html").write_text(
        f"<html><head>{head}<title>Trang chủ</title></head><body>{news}</body></html>",
        encoding="utf-8",
    )
    (site_root / "sitemap.xml").write_text(
        '<?xml version="1.0"?><urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'
        "</urlset>",
        encoding="utf-8",
    )


@pytest.mark.parametrize("how", ["listing", "feed"])
def test_an_undated_page_the_sites_news_links_is_still_a_story(
    how: str, shared_dir: Path, tmp_path: Path
) -> None:
    """Only a sitemap names the site's own pages beside its news: a page the site's listing or
    its feed gives as news is kept, dated or not (the site's health says if dates go missing)."""
    pages = [
        p
        for p in realpages.corpus_pages("hanoi-portal-2022", shared_dir / "corpus")
        if p.name in (*STATIC_PAGES, ARTICLE)
    ]
    built = realpages.build(tmp_path / "sites", pages, variants=1)
    (site,) = built.sites
    _linked_from_home(site.root, [*STATIC_PAGES, ARTICLE], how)
    data, registry = tmp_path / "data", tmp_path / "sites.yaml"
    with MirrorServer(built.sites) as server:
        server.write_registry(registry)
        row = crawl(registry, data)
    assert (row["new_stories"], row["not_articles"]) == (len(STATIC_PAGES) + 1, 0), row
