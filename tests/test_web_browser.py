"""The web page in a real headless Chromium (Debian's ``chromium``, driven by Playwright):
load, filter by province, search, follow a feed link; a screenshot for a person to look at.

Playwright's own browser download is never used (``executable_path``). Without Chromium the
tests skip, saying why; on CI (``CI=true``) they fail instead: install it with
``apt-get install -y chromium``.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import feedparser
import pytest

from aggregator.dates import VIETNAM
from feeds.web import WebServer
from tests.test_web import DATE_ONLY_STORY, LEAD, NOW, STORIES, populated_data_dir

CHROMIUM = os.environ.get("TINLAODONG_CHROMIUM") or shutil.which("chromium") or "/usr/bin/chromium"
ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--no-first-run",
]


def _unavailable(reason: str) -> None:
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(f"{reason} (CI=true: the browser tests must run; see the Makefile)")
    pytest.skip(reason)


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        _unavailable("Python playwright is not installed (pip install -e '.[dev]')")
    if not Path(CHROMIUM).is_file():
        _unavailable(f"no Chromium at {CHROMIUM}: apt-get install -y chromium")
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        try:
            yield launched
        finally:
            launched.close()


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[WebServer]:
    data = populated_data_dir(tmp_path_factory.mktemp("browser"))
    with WebServer.for_data_dir(data.data_dir, data.sites, port=0) as running:
        yield running


@pytest.fixture
def page(browser: Any) -> Iterator[Any]:
    context = browser.new_context(viewport={"width": 390, "height": 844}, locale="vi-VN")
    try:
        yield context.new_page()
    finally:
        context.close()


def test_load_filter_search_and_follow_a_feed(
    page: Any, server: WebServer, tmp_path: Path
) -> None:
    page.goto(server.url + "/")
    assert page.locator("h1").inner_text() == "Tin mới nhất"
    titles = page.locator("ol.stories h3 a").all_inner_texts()
    assert titles[0] == STORIES[0][1]
    # Vietnamese renders as itself: precomposed letters, tone marks in place.
    assert "Quảng Trị tổ chức phiên giao dịch việc làm" in page.content()
    shot = tmp_path / "home.png"
    page.screenshot(path=str(shot), full_page=True)
    assert shot.stat().st_size > 10_000

    page.select_option('select[name="province"]', "ninh-binh")
    page.click('button[type="submit"]')
    page.wait_for_url("**province=ninh-binh**")
    assert page.locator("h1").inner_text() == "Ninh Bình"
    assert page.locator("ol.stories h3 a").all_inner_texts() == [STORIES[1][1]]

    page.select_option('select[name="province"]', "")
    page.fill('input[name="q"]', "lao dong")
    page.click('button[type="submit"]')
    page.wait_for_url("**q=lao+dong**")
    found = page.locator("ol.stories h3 a").all_inner_texts()
    assert set(found) == {STORIES[0][1], STORIES[2][1], STORIES[3][1]}
    assert page.locator(".excerpt mark").first.inner_text().lower() in ("lao", "động", "lao động")
    page.screenshot(path=str(tmp_path / "search.png"), full_page=True)

    # Follow the page's RSS feed: a saved search, valid RSS with the same stories.
    href = page.locator("section.follow a.feed").first.get_attribute("href")
    assert href is not None and "/feeds/search?q=lao+dong" in href
    response = page.request.get(href)
    assert response.ok and response.headers["content-type"].startswith("application/rss+xml")
    feed = feedparser.parse(response.body())
    assert not feed.bozo and {e.title for e in feed.entries} == set(found)


def test_english_and_the_feed_list(page: Any, server: WebServer) -> None:
    page.goto(server.url + "/?lang=en")
    assert page.locator("h1").inner_text() == "Latest stories"
    page.locator("details.feeds summary").click()
    link = page.locator("details.feeds a", has_text="RSS").first
    assert link.is_visible()
    with page.expect_response(lambda r: r.url.endswith(".rss.xml")) as answer:
        page.goto(str(link.get_attribute("href")))
    assert answer.value.status == 200


def test_a_story_its_sources_and_its_lead_from_the_list(
    page: Any, server: WebServer, tmp_path: Path
) -> None:
    page.goto(server.url + "/")
    first = page.locator("ol.stories li").first
    assert first.locator("time").inner_text() == "hôm qua"
    assert page.locator("p.count").inner_text() == "4 tin · hiển thị 1–4"
    # "(và 1 nguồn khác)" is a link: to the story's page, at its sources.
    first.locator("a.others").click()
    page.wait_for_url("**/story/*#sources")
    assert page.locator("h1").inner_text() == STORIES[0][1]
    assert page.locator("article.story .ago").inner_text() == "hôm qua"
    image = page.locator("article.story img")
    assert image.get_attribute("src") == "https://quangtri-sldtbxh.example.vn/anh/1.jpg"
    assert image.get_attribute("loading") == "lazy"
    sources = page.locator("#sources li > a")
    assert sources.all_inner_texts() == ["Sở LĐ-TB&XH tỉnh Quảng Trị", "Sở Nội vụ thành phố Hà Nội"]
    page.screenshot(path=str(tmp_path / "story.png"), full_page=True)
    # Each source is a link a reader can click: the browser goes to the original article
    # (there is no internet here: the request is made, its answer never comes).
    story_url = page.url
    for i, url in enumerate(
        ["https://quangtri-sldtbxh.example.vn/tin/0", "https://hanoi-snv.example.vn/copy"]
    ):
        page.goto(story_url)
        link = sources.nth(i)
        assert link.is_visible() and link.is_enabled()
        with page.expect_event("requestfailed", lambda request, url=url: request.url == url):
            link.click(no_wait_after=True)
        page.wait_for_url(lambda address: address.startswith("chrome-error:"))
    # The lead, set apart, on the page of a story that has one.
    page.goto(server.url + "/")
    page.locator("ol.stories h3 a", has_text=STORIES[DATE_ONLY_STORY][1]).click()
    page.wait_for_url("**/story/*")
    assert page.locator("article.story > .lead").inner_text() == LEAD


def test_the_date_filter_and_its_quick_choices(page: Any, server: WebServer) -> None:
    today = NOW.astimezone(VIETNAM).date()
    page.goto(server.url + "/")
    page.fill('input[name="since"]', (today - timedelta(days=2)).isoformat())
    page.click('button[type="submit"]')
    page.wait_for_url("**since=**")
    assert set(page.locator("ol.stories h3 a").all_inner_texts()) == {
        STORIES[0][1], STORIES[DATE_ONLY_STORY][1],
    }
    assert page.locator("p.count").inner_text() == "2 tin · hiển thị 1–2"
    page.locator("nav.quick a", has_text="30 ngày").click()
    page.wait_for_url(f"**since={(today - timedelta(days=29)).isoformat()}**")
    assert page.locator("p.count").inner_text() == "3 tin · hiển thị 1–3"
    assert page.locator('input[name="since"]').input_value() == (
        today - timedelta(days=29)
    ).isoformat()


def test_the_favicon_at_both_addresses_renders_in_chromium(page: Any, server: WebServer) -> None:
    # /favicon.ico is the same SVG as the page's linked /favicon.svg (a client asking the old
    # address blindly): Chromium decodes it as an image from either address.
    page.goto(server.url + "/")
    sizes = page.evaluate(
        """async () => Promise.all(["/favicon.svg", "/favicon.ico"].map(src => new Promise(
            done => { const img = new Image(); img.onload = () => done(img.naturalWidth);
                      img.onerror = () => done(0); img.src = src; })))"""
    )
    assert sizes[0] > 0 and sizes == [sizes[0], sizes[0]]
