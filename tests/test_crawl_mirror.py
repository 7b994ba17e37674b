"""End to end over real HTTP: crawl the offline mirror, then check the store and the feeds.

The mirror says what it publishes (``mirror.expected``), so nothing here is hard-coded: every
article the mirror serves must come out once, with its headline, date, author and body, and
without the page chrome around it.
"""

from __future__ import annotations

import json
import re
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import feedparser
import pytest

from aggregator.store import StoryStore, StoryView, open_store
from aggregator.store.fingerprint import canonical_url
from mirror.build import build_mirror, default_seeds_dir
from mirror.expected import ExpectedArticle, duplicate_pair, expected_articles, expected_broken
from mirror.server import MirrorServer
from tests.helpers import FAST, tinlaodong

CHROME = (
    "Đang truy cập",
    "Tổng lượt truy cập",
    "Thông tin tiện ích",
    "Lịch vạn niên",
    "Tiếp nhận ý kiến",
    "Hình ảnh hoạt động",
    "CÙNG CHUYÊN MỤC",
    "Xem theo ngày",
    "Báo dân sinh",
    "Tin liên quan",
    "Chi tiết - Sở",
)


def flat(text: str) -> str:
    return re.sub(r"\s+", " ", unicodedata.normalize("NFC", text)).strip()


@dataclass
class Crawl:
    mirror: MirrorServer
    data_dir: Path
    registry: Path
    first: list[dict[str, object]]
    stderr: str
    expected: list[ExpectedArticle]
    state_dir: Path  # $XDG_STATE_HOME of the crawl

    def store(self) -> StoryStore:
        return open_store(self.data_dir)

    def url(self, article: ExpectedArticle) -> str:
        return canonical_url(article.url(self.mirror.base_url(article.site_id)))


def crawl(registry: Path, data_dir: Path) -> tuple[list[dict[str, object]], str]:
    result = tinlaodong(
        "crawl", "--sites", str(registry), "--data-dir", str(data_dir), "--json", *FAST
    )
    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stderr
    return [json.loads(line) for line in result.stdout.splitlines()], result.stderr


@pytest.fixture(scope="module")
def crawled(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Crawl]:
    root = tmp_path_factory.mktemp("mirror")
    seeds = default_seeds_dir()
    sites = build_mirror(root / "sites", seeds)
    with MirrorServer(sites) as mirror:
        registry = root / "mirror-sites.yaml"
        mirror.write_registry(registry)
        state = root / "state"
        with pytest.MonkeyPatch.context() as env:
            env.setenv("XDG_STATE_HOME", str(state))
            reports, stderr = crawl(registry, root / "data")
        expected = expected_articles(seeds)
        yield Crawl(mirror, root / "data", registry, reports, stderr, expected, state)


def test_the_crawl_leaves_nothing_behind_in_the_users_state(crawled: Crawl) -> None:
    # Scrapy 2.19 starts a remote-control HTTP server per crawler (code execution by token)
    # and writes its token to a job file there; a killed crawl left the files behind.
    assert not list(crawled.state_dir.rglob("*"))


def story_at(stories: list[StoryView], url: str) -> StoryView:
    matches = [s for s in stories if url in {src.url for src in s.sources}]
    assert len(matches) == 1, f"{url}: {len(matches)} stories"
    return matches[0]


def test_every_article_is_stored_once_with_its_fields(crawled: Crawl) -> None:
    stories = crawled.store().stories(limit=1000)
    # One story per article, the verbatim republication pair counting once.
    distinct = {a.duplicate_group or f"{a.site_id}/{a.article_id}" for a in crawled.expected}
    assert len(stories) == len(distinct)
    for article in crawled.expected:
        story = story_at(stories, crawled.url(article))
        text = flat(story.text)
        for paragraph in article.paragraphs:
            assert flat(paragraph) in text, f"{article.path}: paragraph missing"
        for chrome in CHROME:
            assert chrome not in story.text, f"{article.path}: chrome {chrome!r} in the text"
        assert unicodedata.is_normalized("NFC", story.text + story.title)
        if article.duplicate_group:
            continue  # the headline of whichever site was stored first; checked below
        assert story.title == article.headline
        # Profiles, and the generic reader on the site no profile knows, find date with time
        # and author (none where a unit signs); the closing signature leaves the body.
        assert story.published == article.published, article.path
        assert story.author == article.author, article.path
        assert not text.endswith(flat(article.signature)), f"{article.path}: signature in body"
        if article.lead:
            assert text.startswith(flat(article.lead))
        assert story.lead == article.lead, f"{article.path}: lead"
        assert not story.date_only, f"{article.path}: its time of day was lost"
        for caption in article.captions:
            assert text.count(flat(caption)) == 1, f"{article.path}: caption {caption!r}"


def test_the_republished_press_release_is_one_story_with_both_sources(crawled: Crawl) -> None:
    original, copy = duplicate_pair(crawled.expected)
    stories = crawled.store().stories(limit=1000)
    story = story_at(stories, crawled.url(original))
    assert {s.url for s in story.sources} == {crawled.url(original), crawled.url(copy)}
    assert {s.site_id for s in story.sources} == {original.site_id, copy.site_id}


def test_broken_pages_are_reported_and_the_crawl_goes_on(crawled: Crawl) -> None:
    for broken in expected_broken():
        url = crawled.mirror.base_url(broken.site_id) + broken.path
        lines = [line for line in crawled.stderr.splitlines() if url in line]
        assert len(lines) == 1, url
        assert f"HTTP {broken.status}" in lines[0] and broken.site_id in lines[0]
    report = {r["site"]: r for r in crawled.first}
    assert report["mirror-quangtri"]["errors"] == len(expected_broken())
    assert all(r["new_stories"] or r["new_sources"] for r in crawled.first)


def test_robots_txt_is_obeyed(crawled: Crawl) -> None:
    for site in crawled.mirror.sites:
        paths = crawled.mirror.requested_paths(site.id)
        assert "/robots.txt" in paths
        assert not [p for p in paths if p.startswith("/admin/")], site.id


def test_feeds_hold_every_story_with_its_sources(crawled: Crawl) -> None:
    feeds = crawled.data_dir / "feeds"
    stories = crawled.store().stories(limit=1000)
    for name in ("all.rss.xml", "all.atom.xml"):
        parsed = feedparser.parse((feeds / name).read_bytes())
        assert not parsed.bozo, f"{name}: {parsed.get('bozo_exception')}"
        assert len(parsed.entries) == len(stories)
        titles = {e.title for e in parsed.entries}
        assert titles == {s.title for s in stories}
        for entry in parsed.entries:
            assert entry.published_parsed is not None
            assert entry.id.startswith("tag:tinlaodong")
    original, copy = duplicate_pair(crawled.expected)
    for site_id in (original.site_id, copy.site_id):
        parsed = feedparser.parse((feeds / f"site-{site_id}.rss.xml").read_bytes())
        urls = {crawled.url(a) for a in crawled.expected if a.site_id == site_id}
        assert len(parsed.entries) == len(urls)
    # The shared story lists both publishers.
    rss = (feeds / "all.rss.xml").read_text(encoding="utf-8")
    assert crawled.url(original).replace("&", "&amp;") in rss
    assert crawled.url(copy).replace("&", "&amp;") in rss


def test_a_recrawl_stores_nothing_twice_and_rewrites_identical_feeds(crawled: Crawl) -> None:
    store = crawled.store()
    before = store.count()
    feeds = crawled.data_dir / "feeds"
    snapshot = {p.name: p.read_bytes() for p in feeds.iterdir()}
    first_requests = {
        s.id: list(crawled.mirror.requested_paths(s.id)) for s in crawled.mirror.sites
    }
    reports, _ = crawl(crawled.registry, crawled.data_dir)
    assert store.count() == before
    assert all(r["new_stories"] == 0 and r["new_sources"] == 0 for r in reports)
    # Nothing changed on the sites: their listings answer 304 to the conditional requests...
    assert all(int(str(r["not_modified"])) >= 1 for r in reports)
    # ...and no stored article page is fetched a second time.
    for site in crawled.mirror.sites:
        again = crawled.mirror.requested_paths(site.id)[len(first_requests[site.id]) :]
        articles = {a.path for a in crawled.expected if a.site_id == site.id}
        assert not articles & set(again), site.id
    assert {p.name: p.read_bytes() for p in feeds.iterdir()} == snapshot


def test_a_current_province_feed_includes_its_former_provinces_sites(crawled: Crawl) -> None:
    from aggregator.registry import load_registry

    merged = [
        s
        for s in load_registry(crawled.registry).sites
        if s.current_province_id and s.current_province_id != s.province_id
    ]
    assert merged, "the mirror has a department of a province merged in 2025 (Bắc Giang)"
    for site in merged:
        feed = feedparser.parse(
            (
                crawled.data_dir / "feeds" / f"province-{site.current_province_id}.atom.xml"
            ).read_bytes()
        )
        ours = {crawled.url(a) for a in crawled.expected if a.site_id == site.id}
        links = {e.link for e in feed.entries}
        assert ours <= links, site.id
        for entry in feed.entries:
            if entry.link in ours:
                terms = {t.term for t in entry.tags}
                assert site.province in terms and len(terms) >= 2, terms


def test_a_province_feed_includes_press_stories_about_the_province(crawled: Crawl) -> None:
    """Báo Dân sinh is national, but its reports on a province belong in that province's feed
    (Nghệ An has no site in the mirror: its feed holds only such stories)."""
    about = [
        a
        for a in crawled.expected
        if a.site_id == "mirror-baodansinh" and a.headline.startswith("Nghệ An")
    ]
    assert about, "the mirror's Báo Dân sinh publishes a report on Nghệ An"
    feed = feedparser.parse((crawled.data_dir / "feeds" / "province-nghe-an.atom.xml").read_bytes())
    assert {crawled.url(a) for a in about} <= {e.link for e in feed.entries}
    everything = feedparser.parse((crawled.data_dir / "feeds" / "all.atom.xml").read_bytes())
    assert len(feed.entries) < len(everything.entries), "only stories about Nghệ An"


def test_sites_beyond_the_limit_wait_their_turn_and_are_all_crawled(
    tmp_path: Path,
) -> None:
    """With TINLAODONG_SITES_AT_ONCE=2, no more than two sites are being fetched at any moment
    (each site's requests span an interval of time; at most two intervals overlap), and every
    site is still crawled with what a crawl of all at once stores."""
    sites = build_mirror(tmp_path / "sites", None)
    with MirrorServer(sites) as mirror:
        registry = tmp_path / "sites.yaml"
        mirror.write_registry(registry)
        result = tinlaodong(
            "crawl", "--sites", str(registry), "--data-dir", str(tmp_path / "data"), "--json",
            *FAST, "-s", "TINLAODONG_SITES_AT_ONCE=2",
        )
        spans = {s.id: mirror.request_times(s.id) for s in sites}
    assert result.returncode == 0, result.stderr
    reports = [json.loads(line) for line in result.stdout.splitlines()]
    assert {r["site"] for r in reports} == {s.id for s in sites}
    assert all(times for times in spans.values())
    intervals = [(min(t), max(t)) for t in spans.values()]
    for start, _ in intervals:
        running = sum(1 for a, b in intervals if a <= start <= b)
        assert running <= 2, intervals
    # All at once would have overlapped them all: the limit is what kept them apart.
    assert len(sites) > 2
    store = open_store(tmp_path / "data")
    try:
        assert len(store.stories(limit=1000)) == sum(int(r["new_stories"]) for r in reports) > 0
    finally:
        store.close()
