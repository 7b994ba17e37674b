"""Site health: a layout change is caught within one crawl, and said where operators look."""

from __future__ import annotations

import json
import os
import time
from collections.abc import Iterator
from pathlib import Path

import feedparser
import pytest

from aggregator.health import CrawlMetrics, assess, baseline
from mirror.build import MirrorSite, build_mirror
from mirror.server import MirrorServer
from tests.helpers import FAST, static_site, tinlaodong, write_registry
from tests.test_incremental import TOPICS, article_html, path_of

USUAL = CrawlMetrics(
    listing_pages=3,
    listing_links=30,
    extracted=10,
    with_date=10,
    body_chars=25000,
    distinct_titles=10,
)


def test_a_usual_crawl_is_healthy() -> None:
    assert assess(USUAL, baseline([USUAL, USUAL])).healthy
    assert assess(CrawlMetrics(), None).healthy  # nothing new (304s): nothing to judge


@pytest.mark.parametrize(
    ("metrics", "reason"),
    [
        (CrawlMetrics(listing_pages=2, listing_links=0), "listing pages yield no article links"),
        (
            CrawlMetrics(
                extracted=1, extract_failed=4, with_date=1, body_chars=3000, distinct_titles=1
            ),
            "4 of 5 article pages yield no article",
        ),
        (
            CrawlMetrics(extracted=5, with_date=5, body_chars=12000, distinct_titles=1),
            "all 5 articles have the same title",
        ),
        (
            CrawlMetrics(extracted=5, with_date=1, body_chars=12000, distinct_titles=5),
            "only 1 of 5 articles have a date",
        ),
        (
            CrawlMetrics(extracted=5, with_date=5, body_chars=400, distinct_titles=5),
            "article bodies are nearly empty",
        ),
        (
            CrawlMetrics(extracted=5, with_date=5, body_chars=2500, distinct_titles=5),
            "article bodies shrank to 500 characters on average (usually 2500)",
        ),
    ],
)
def test_junk_is_named(metrics: CrawlMetrics, reason: str) -> None:
    health = assess(metrics, baseline([USUAL]))
    assert not health.healthy and health.reason is not None and reason in health.reason


def test_a_site_that_never_dated_well_is_not_flagged_for_it() -> None:
    undated = CrawlMetrics(extracted=5, with_date=1, body_chars=12000, distinct_titles=5)
    assert assess(undated, baseline([undated])).healthy


@pytest.fixture
def quangtri(tmp_path: Path) -> Iterator[tuple[MirrorServer, MirrorSite, Path]]:
    (site,) = [s for s in build_mirror(tmp_path / "mirror", None) if s.id == "mirror-quangtri"]
    with MirrorServer([site]) as mirror:
        registry = tmp_path / "sites.yaml"
        mirror.write_registry(registry)
        yield mirror, site, registry


def crawl(registry: Path, data: Path) -> tuple[dict[str, object], str]:
    result = tinlaodong("crawl", "--sites", str(registry), "--data-dir", str(data), "--json", *FAST)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.splitlines()[0]), result.stderr


def test_a_redesigned_listing_is_caught_within_one_crawl(
    quangtri: tuple[MirrorServer, MirrorSite, Path], tmp_path: Path
) -> None:
    _, site, registry = quangtri
    data = tmp_path / "data"
    first, _ = crawl(registry, data)
    assert first["healthy"] is True and first["new_stories"]

    # The portal is redesigned: its listings no longer carry Liferay's asset links.
    for listing in (site.root / "tin-tuc-su-kien").glob("index*.html"):
        html = listing.read_text(encoding="utf-8")
        listing.write_text(
            html.replace("/-/view_content/", "/-/chi-tiet/").replace("asset-title", "tieu-de"),
            encoding="utf-8",
        )
    second, stderr = crawl(registry, data)
    assert second["healthy"] is False
    assert "listing pages yield no article links" in str(second["health"])
    assert "mirror-quangtri: unhealthy: listing pages yield no article links" in stderr

    listed = tinlaodong("sites", "--sites", str(registry), "--data-dir", str(data), "--json")
    row = json.loads(listed.stdout.splitlines()[0])
    assert row["healthy"] is False and "no article links" in row["health"]
    assert row["last_crawl"] and row["stories"] == first["new_stories"]

    health = feedparser.parse((data / "feeds" / "health.atom.xml").read_bytes())
    (entry,) = health.entries
    assert "mirror-quangtri" in entry.summary and "no article links" in entry.title


def sitemap_only_site(root: Path) -> None:
    """A site whose home page links no article: its sitemap, named in robots.txt, lists them."""
    (root / "tin-tuc").mkdir(parents=True)
    for n in (0, 1, 2):
        page = article_html(n, TOPICS[n]).replace(
            "<head>", f'<head><meta property="article:published_time" content="2025-0{n + 1}-12">'
        )
        (root / path_of(n).lstrip("/")).write_text(page, encoding="utf-8")
    (root / "index.html").write_text(
        '<html><body><h1>Sở Nội vụ</h1><a href="/gioi-thieu.html">Giới thiệu</a></body></html>',
        encoding="utf-8",
    )


def write_sitemap(root: Path, base: str) -> None:
    (root / "robots.txt").write_text(f"User-agent: *\nSitemap: {base}/sitemap.xml\n")
    urls = "".join(f"<url><loc>{base}{path_of(n)}</loc></url>" for n in (0, 1, 2))
    (root / "sitemap.xml").write_text(
        '<?xml version="1.0" encoding="UTF-8"?>'
        f'<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">{urls}</urlset>'
    )


def test_a_site_whose_articles_come_from_its_sitemap_is_healthy(tmp_path: Path) -> None:
    root = tmp_path / "www"
    sitemap_only_site(root)
    with static_site(root) as (base, requests):
        write_sitemap(root, base)
        registry = write_registry(
            tmp_path / "sites.yaml",
            [
                {
                    "id": "sitemap-only",
                    "name": "Sở Nội vụ tỉnh Sơn La",
                    "province": "Sơn La",
                    "start_urls": [base + "/"],
                    "allow_private_network": True,
                }
            ],
        )
        data = tmp_path / "data"
        first, stderr = crawl(registry, data)
        assert first["new_stories"] == 3 and "/sitemap.xml" in requests
        assert first["healthy"] is True, first["health"]
        assert "unhealthy" not in stderr

        # Later crawls: the home page changed (still no article links), the sitemap answers
        # "not modified" the first time, then is written anew listing the same articles.
        for rewrite_sitemap in (False, True):
            later = time.time() + 10 * (2 + rewrite_sitemap)
            os.utime(root / "index.html", (later, later))
            if rewrite_sitemap:
                os.utime(root / "sitemap.xml", (later, later))
            again, stderr = crawl(registry, data)
            assert again["new_stories"] == 0
            assert again["not_modified"] == (0 if rewrite_sitemap else 1)  # the sitemap's 304
            assert again["healthy"] is True, (rewrite_sitemap, again["health"])
            assert "unhealthy" not in stderr
