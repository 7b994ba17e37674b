"""Discovery on a site no profile knows: feeds behind an "RSS" page, sitemaps from robots.txt;
the charset a page is served in."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from scrapy.http import HtmlResponse

from spiders.site_spider import _declared_charset
from tests.helpers import FAST, static_site, tinlaodong, write_registry
from tests.test_incremental import TOPICS, article_html, path_of


def site_with_rss_page(root: Path) -> None:
    (root / "tin-tuc").mkdir(parents=True)
    (root / "rss").mkdir()
    for n in (0, 1, 2):
        (root / path_of(n).lstrip("/")).write_text(article_html(n, TOPICS[n]), encoding="utf-8")
    # The home page links no article: only its "RSS" page leads to them.
    (root / "index.html").write_text(
        '<html><body><a href="/gioi-thieu.html">Giới thiệu</a> <a href="/rss.html">RSS</a>'
        "</body></html>",
        encoding="utf-8",
    )
    (root / "rss.html").write_text(
        '<html><body><ul><li><a href="/rss/tin-tuc.rss">Tin tức</a></li></ul></body></html>',
        encoding="utf-8",
    )
    items = "".join(
        f"<item><title>Bài {n}</title><link>BASE{path_of(n)}</link></item>" for n in (0, 1, 2)
    )
    (root / "rss" / "tin-tuc.rss").write_text(
        f'<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>Tin</title>'
        f"{items}</channel></rss>",
        encoding="utf-8",
    )


def test_articles_are_found_through_an_rss_page(tmp_path: Path) -> None:
    root = tmp_path / "www"
    site_with_rss_page(root)
    with static_site(root) as (base, requests):
        feed = root / "rss" / "tin-tuc.rss"
        feed.write_text(feed.read_text(encoding="utf-8").replace("BASE", base), encoding="utf-8")
        registry = write_registry(
            tmp_path / "sites.yaml",
            [
                {
                    "id": "no-profile",
                    "name": "Sở Nội vụ tỉnh Sơn La",
                    "province": "Sơn La",
                    "start_urls": [base + "/"],
                    "allow_private_network": True,
                }
            ],
        )
        result = tinlaodong(
            "crawl", "--sites", str(registry), "--data-dir", str(tmp_path / "d"), "--json", *FAST
        )
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout.splitlines()[0])["new_stories"] == 3
    assert "/rss.html" in requests and "/rss/tin-tuc.rss" in requests


@pytest.mark.parametrize(
    ("content_type", "expected"),
    [
        ("text/html; charset=windows-1258", "cp1258"),
        ('text/html; charset="UTF-8"', "utf-8"),
        ("text/html; charset=ISO-8859-1", "cp1252"),  # as browsers read it
        ("text/html; charset=tcvn3", None),  # no codec: the page's own declarations decide
        ("text/html", None),
    ],
)
def test_the_crawl_reads_the_http_charset_as_browsers_do(
    content_type: str, expected: str | None
) -> None:
    response = HtmlResponse("https://example.vn/", body=b"", headers={"Content-Type": content_type})
    assert _declared_charset(response) == expected
