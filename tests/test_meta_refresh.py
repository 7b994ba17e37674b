"""Meta-refresh redirects on full-size portal pages: followed from the page's head, and a page
without one passes through whole (spiders/middlewares/meta_refresh.py)."""

from __future__ import annotations

from scrapy import Request
from scrapy.http import HtmlResponse
from scrapy.utils.test import get_crawler

from spiders.middlewares.meta_refresh import HEAD_BYTES, HeadMetaRefreshMiddleware
from spiders.settings import DOWNLOADER_MIDDLEWARES

CHROME = "<p>Sở Lao động - Thương binh và Xã hội tỉnh Kon Tum thông báo.</p>\n" * 2000


def _page(url: str, head: str) -> HtmlResponse:
    html = f"<html><head><meta charset='utf-8'>{head}</head><body>{CHROME}</body></html>"
    return HtmlResponse(url, body=html.encode("utf-8"))


def _middleware() -> HeadMetaRefreshMiddleware:
    return HeadMetaRefreshMiddleware.from_crawler(get_crawler())


def test_a_large_page_that_moved_by_meta_refresh_is_followed() -> None:
    url = "http://sldtbxh.kontum.gov.vn/tin-tuc/"
    response = _page(url, '<meta http-equiv="refresh" content="0; url=/so-noi-vu/tin-tuc/">')
    assert len(response.body) > 10 * HEAD_BYTES

    result = _middleware().process_response(Request(url), response)

    assert isinstance(result, Request)
    assert result.url == "http://sldtbxh.kontum.gov.vn/so-noi-vu/tin-tuc/"


def test_a_large_page_without_refresh_comes_through_whole_and_undecoded() -> None:
    url = "http://sldtbxh.kontum.gov.vn/tin-tuc/bai-viet-1.html"
    response = _page(url, "<title>Chi tiết - Sở LĐ-TB&XH</title>")

    result = _middleware().process_response(Request(url), response)

    assert result is response
    assert result.body.endswith(b"</body></html>")
    # The body was not decoded and kept as text beside the bytes (twice a page's memory).
    assert getattr(response, "_cached_ubody", None) is None


def test_the_crawl_uses_it_in_place_of_scrapys() -> None:
    stock = "scrapy.downloadermiddlewares.redirect.MetaRefreshMiddleware"
    assert DOWNLOADER_MIDDLEWARES[stock] is None
    assert DOWNLOADER_MIDDLEWARES["spiders.middlewares.meta_refresh.HeadMetaRefreshMiddleware"]
