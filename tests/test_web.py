"""feeds.web: the web app on a real loopback port over a real SQLite store, fetched with urllib."""

from __future__ import annotations

import gzip
import json
import re
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from email.message import Message
from pathlib import Path
from urllib.parse import quote

import feedparser
import pytest
from lxml import html as lxml_html

from aggregator.dates import VIETNAM, local_midnight
from aggregator.exceptions import QueryError
from aggregator.models import Article, Image
from aggregator.registry import Site, load_registry
from aggregator.search import refresh_index
from aggregator.search.query import parse
from aggregator.store import CrawlRecord, open_store
from feeds.origin import with_origin
from feeds.publish import update_feeds
from feeds.web import WebServer
from feeds.web import data as web_data
from feeds.web.i18n import QUERY_REASONS
from tests.backends import backend
from tests.helpers import write_registry

__all__ = ["backend"]  # the cases reading a store of their own run on both stores
NOW = datetime.now(UTC).replace(microsecond=0)
SITES = [
    {
        "id": "quangtri-sldtbxh",
        "name": "Sở LĐ-TB&XH tỉnh Quảng Trị",
        "province": "Quảng Trị",
        "start_urls": ["https://sldtbxh.quangtri.gov.vn/"],
    },
    {
        "id": "namdinh-sldtbxh",
        "name": "Sở LĐ-TB&XH tỉnh Nam Định",
        "province": "Nam Định",  # part of Ninh Bình since 1 July 2025
        "start_urls": ["https://sldtbxh.namdinh.gov.vn/"],
    },
    {
        "id": "hanoi-snv",
        "name": "Sở Nội vụ thành phố Hà Nội",
        "province": "Hà Nội",
        "kind": "home-affairs",
        "start_urls": ["https://sonoivu.hanoi.gov.vn/"],
    },
]
# (site, title, text, days before now)
STORIES = [
    (
        "quangtri-sldtbxh",
        "Quảng Trị tổ chức phiên giao dịch việc làm",
        "Hàng trăm người lao động tìm được việc làm tại phiên giao dịch.\n\nĐoạn hai.",
        1,
    ),
    (
        "namdinh-sldtbxh",
        "Nam Định chi trả trợ cấp cho người có công",
        "Sở chi trả trợ cấp ưu đãi cho thương binh, thân nhân liệt sĩ.",
        2,
    ),
    (
        "hanoi-snv",
        "Hà Nội tuyển dụng công chức năm 2025",
        "Sở Nội vụ thông báo tuyển dụng công chức, người lao động nộp hồ sơ.",
        3,
    ),
    (
        "hanoi-snv",
        "Hội nghị về an toàn lao động",
        "Tai nạn lao động giảm. Ảnh: <script>alert(1)</script>",
        40,
    ),
]

DATE_ONLY_STORY = 1
LEAD = "Năm nay, tỉnh dành hơn 200 tỷ đồng chăm lo cho người có công với cách mạng."


@dataclass(frozen=True)
class Data:
    data_dir: Path
    sites_file: Path
    sites: tuple[Site, ...]


def populated_data_dir(root: Path, extra_stories: int = 0) -> Data:
    """A data directory with a store (stories, crawl runs, search index) and its feeds."""
    data_dir = root / "data"
    sites_file = write_registry(root / "sites.yaml", SITES)
    sites = load_registry(sites_file).sites
    store = open_store(data_dir)
    try:
        stories = list(STORIES) + [
            ("quangtri-sldtbxh", f"Tin cũ số {n}", f"Nội dung tin cũ số {n} về lao động.", 50 + n)
            for n in range(extra_stories)
        ]
        for i, (site, title, text, days) in enumerate(stories):
            article = Article(
                url=None,
                title=title,
                text=text,
                published=NOW - timedelta(days=days),
                images=[Image("/anh/1.jpg", "Ảnh")] if i == 0 else [],
            )
            if i == DATE_ONLY_STORY:  # a page showing a lead and a day without a time
                day = (NOW - timedelta(days=days)).astimezone(VIETNAM).date()
                article.published, article.date_only = local_midnight(day), True
                article.lead, article.text = LEAD, f"{LEAD}\n\n{text}"
            store.add_article(site, f"https://{site}.example.vn/tin/{i}", article)
        # The same story on a second site: one story, two sources.
        copy = Article(url=None, title=STORIES[0][1], text=STORIES[0][2], published=NOW)
        store.add_article("hanoi-snv", "https://hanoi-snv.example.vn/copy", copy)
        for n in range(3):
            store.record_crawl(
                [
                    CrawlRecord(
                        site_id=s.id,
                        started=NOW - timedelta(hours=3 - n),
                        finished=NOW - timedelta(hours=3 - n) + timedelta(minutes=1),
                        pages=5,
                        new_stories=n,
                        new_sources=0,
                        errors=int(s.id == "hanoi-snv"),
                        unreachable=s.id == "namdinh-sldtbxh" and n == 2,
                    )
                    for s in sites
                ]
            )
        refresh_index(store.engine)
        update_feeds(store, sites, data_dir / "feeds", page_size=3, pages=3)
    finally:
        store.close()
    return Data(data_dir, sites_file, sites)


@pytest.fixture(scope="module")
def data(tmp_path_factory: pytest.TempPathFactory) -> Data:
    return populated_data_dir(tmp_path_factory.mktemp("web"))


@pytest.fixture(scope="module")
def server(data: Data) -> Iterator[WebServer]:
    with WebServer.for_data_dir(data.data_dir, data.sites, port=0) as running:
        yield running


def get(url: str, headers: dict[str, str] | None = None) -> tuple[int, Message, bytes]:
    """Status, headers (names in any case, as HTTP has them) and body."""
    request = urllib.request.Request(url, headers=headers or {})
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, response.headers, response.read()
    except urllib.error.HTTPError as error:
        with error:
            return error.code, error.headers, error.read()


def page(server: WebServer, query: str = "") -> lxml_html.HtmlElement:
    status, headers, body = get(f"{server.url}/{query}")
    assert status == 200, body[:500]
    assert headers["Content-Type"] == "text/html; charset=utf-8"
    return lxml_html.fromstring(body.decode("utf-8"))


def story_titles(doc: lxml_html.HtmlElement) -> list[str]:
    return [a.text_content() for a in doc.cssselect("ol.stories h3 a")]


def alternates(doc: lxml_html.HtmlElement) -> dict[str, str]:
    return {
        link.get("type"): link.get("href") for link in doc.cssselect('head link[rel="alternate"]')
    }


def test_home_lists_the_latest_stories_once_with_their_sources(server: WebServer) -> None:
    doc = page(server)
    assert doc.get("lang") == "vi"
    titles = story_titles(doc)
    assert titles[:3] == [s[1] for s in STORIES[:3]]
    assert titles.count(STORIES[0][1]) == 1  # one story, however many sources
    first = doc.cssselect("ol.stories li")[0]
    meta = first.cssselect(".meta")[0].text_content()
    assert "Quảng Trị" in meta and "Sở LĐ-TB&XH tỉnh Quảng Trị" in meta and "1 nguồn khác" in meta
    assert "Hàng trăm người lao động" in first.cssselect(".excerpt")[0].text_content()
    assert alternates(doc) == {
        "application/rss+xml": f"{server.url}/feeds/all.rss.xml",
        "application/atom+xml": f"{server.url}/feeds/all.atom.xml",
        "application/feed+json": f"{server.url}/feeds/all.json",
    }
    # The charts are inline SVG, one per site's crawls and one of stories per day.
    assert doc.cssselect("section.chart svg rect")
    assert len(doc.cssselect("details.health svg.strip")) == len(SITES)
    assert "không truy cập được" in doc.cssselect("details.health")[0].text_content()


def test_a_story_shows_its_lead_apart_and_a_date_only_day_without_a_time(
    server: WebServer,
) -> None:
    doc = page(server)
    rows = {r.cssselect("h3 a")[0].text_content(): r for r in doc.cssselect("ol.stories li")}
    dated = rows[STORIES[DATE_ONLY_STORY][1]]
    assert [p.text_content() for p in dated.cssselect(".lead")] == [LEAD]
    assert LEAD not in dated.cssselect(".excerpt")[0].text_content()  # shown once
    time = dated.cssselect("time")[0]
    day = (NOW - timedelta(days=STORIES[DATE_ONLY_STORY][3])).astimezone(VIETNAM).date()
    assert (time.get("datetime"), time.get("title")) == (day.isoformat(), f"{day:%d/%m/%Y}")
    timed = rows[STORIES[0][1]]
    assert not timed.cssselect(".lead") and ":" in timed.cssselect("time")[0].get("title")


def test_filter_by_province_covers_its_former_provinces(server: WebServer) -> None:
    doc = page(server, "?province=ninh-binh")
    assert story_titles(doc) == [STORIES[1][1]]
    assert alternates(doc)["application/atom+xml"].endswith("/feeds/province-ninh-binh.atom.xml")
    # A former province's name stands for the current one.
    assert story_titles(page(server, "?province=" + quote("Nam Định"))) == [STORIES[1][1]]


def test_filter_by_topic_and_both(server: WebServer) -> None:
    doc = page(server, "?topic=viec-lam")
    assert set(story_titles(doc)) == {STORIES[0][1], STORIES[2][1]}
    assert alternates(doc)["application/rss+xml"].endswith("/feeds/topic-viec-lam.rss.xml")
    both = page(server, "?topic=viec-lam&province=ha-noi")
    assert set(story_titles(both)) == {STORIES[0][1], STORIES[2][1]}  # the copy is in Hà Nội
    assert "/feeds/search?" in alternates(both)["application/rss+xml"]


def test_search_within_a_topic(server: WebServer) -> None:
    everywhere = set(story_titles(page(server, "?q=lao+dong")))
    assert STORIES[3][1] in everywhere  # an article about safety at work, not about jobs
    within = set(story_titles(page(server, "?q=lao+dong&topic=viec-lam")))
    assert within == {STORIES[0][1], STORIES[2][1]}


def test_search_ignores_diacritics_and_marks_matches(server: WebServer) -> None:
    doc = page(server, "?q=tuyen+dung")
    assert story_titles(doc) == [STORIES[2][1]]
    assert [m.text_content() for m in doc.cssselect(".excerpt mark")] == ["tuyển", "dụng"]
    assert "/feeds/search?q=tuyen+dung" in alternates(doc)["application/atom+xml"]


def test_unknown_filters_are_a_message_not_a_crash(server: WebServer) -> None:
    status, _, body = get(f"{server.url}/?province=atlantis")
    assert status == 400 and "atlantis" in body.decode("utf-8")


def test_english(server: WebServer) -> None:
    doc = page(server, "?lang=en&province=quang-tri")
    assert doc.get("lang") == "en"
    assert doc.cssselect("h1")[0].text_content() == "Quảng Trị"
    assert "Follow this page" in doc.text_content()
    # Links and the form keep the language.
    assert doc.cssselect('input[name="lang"]')[0].get("value") == "en"
    assert "lang" not in doc.cssselect("a.lang")[0].get("href")


def test_paging_of_the_page(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    data = populated_data_dir(tmp_path, extra_stories=35)
    with WebServer.for_data_dir(data.data_dir, data.sites, port=0) as server:
        first = page(server)
        older = first.cssselect('nav.pager a[rel="next"]')[0].get("href")
        second = page(server, older.lstrip("/"))
        searched = page(server, "?q=lao+dong")
        # A search counts up to SEARCH_COUNTED matches, and says when there may be more.
        monkeypatch.setattr(web_data, "SEARCH_COUNTED", 32)
        capped = page(server, "?q=lao+dong&lang=en")
    assert searched.cssselect("p.count")[0].text_content() == "38 tin · hiển thị 1–30"
    assert capped.cssselect("p.count")[0].text_content() == "over 32 stories · showing 1–30"
    assert len(story_titles(first)) == 30
    assert not set(story_titles(first)) & set(story_titles(second))
    counts = [doc.cssselect("p.count")[0].text_content() for doc in (first, second)]
    assert counts == ["39 tin · hiển thị 1–30", "39 tin · hiển thị 31–39"]


@pytest.mark.parametrize(
    ("fmt", "content_type"),
    [
        ("rss", "application/rss+xml; charset=utf-8"),
        ("atom", "application/atom+xml; charset=utf-8"),
        ("json", "application/feed+json; charset=utf-8"),
    ],
)
def test_saved_search_feeds(server: WebServer, fmt: str, content_type: str) -> None:
    url = f"{server.url}/feeds/search?q=lao+dong&format={fmt}"
    status, headers, body = get(url)
    assert status == 200 and headers["Content-Type"] == content_type
    assert headers["Cache-Control"].startswith("public")
    expected = {STORIES[0][1], STORIES[2][1], STORIES[3][1]}  # "lao động", folded
    if fmt == "json":
        feed = json.loads(body)
        assert feed["feed_url"] == url
        assert {item["title"] for item in feed["items"]} == expected
    else:
        parsed = feedparser.parse(body)
        assert not parsed.bozo, parsed.get("bozo_exception")
        assert {e.title for e in parsed.entries} == expected
        links = {link.rel: link.href for link in parsed.feed.links}
        assert links["self"] == url
        assert links["alternate"] == f"{server.url}/?q=lao+dong"
        for entry in parsed.entries:
            assert "<script" not in entry.get("summary", "") + str(entry.get("content", ""))
    # Conditional requests: 304 with the ETag, and with the date.
    status, _, _ = get(url, {"If-None-Match": headers["ETag"]})
    assert status == 304
    status, _, _ = get(url, {"If-Modified-Since": headers["Last-Modified"]})
    assert status == 304


def test_each_saved_search_is_a_feed_of_its_own(server: WebServer) -> None:
    # Readers tell feeds apart by their id: two searches must not share one.
    ids = set()
    queries = ("q=lao+dong", "q=viec+lam", "province=quang-tri", "q=lao+dong&province=quang-tri")
    for query in queries:
        _, _, body = get(f"{server.url}/feeds/search?{query}&format=atom")
        ids.add(feedparser.parse(body).feed.id)
    assert len(ids) == 4
    # The same search keeps its id, whatever the order of its parameters.
    _, _, body = get(f"{server.url}/feeds/search?province=quang-tri&q=lao+dong&format=atom")
    assert feedparser.parse(body).feed.id in ids


def test_page_and_search_feed_read_or_as_the_search_grammar(server: WebServer) -> None:
    # (tuyen dung) OR (thương binh): each alternative its words; each term folded or exact.
    expected = {STORIES[1][1], STORIES[2][1]}
    query = quote("tuyen dung OR thương binh")
    assert set(story_titles(page(server, f"?q={query}"))) == expected
    _, _, body = get(f"{server.url}/feeds/search?q={query}&format=atom")
    assert {e.title for e in feedparser.parse(body).entries} == expected


def test_saved_search_needs_something_to_search(server: WebServer) -> None:
    assert get(f"{server.url}/feeds/search?format=rss")[0] == 400
    assert get(f"{server.url}/feeds/search?q=x&format=pdf")[0] == 400


def test_static_feeds_at_both_places_with_304_and_gzip(server: WebServer, data: Data) -> None:
    for path in ("/all.rss.xml", "/feeds/all.rss.xml"):
        status, headers, body = get(server.url + path, {"Accept-Encoding": "gzip"})
        assert status == 200 and headers["Content-Type"] == "application/rss+xml; charset=utf-8"
        if headers.get("Content-Encoding") == "gzip":
            body = gzip.decompress(body)
        # The file as written, this server's address in place of the stand-in (no public URL).
        written = (data.data_dir / "feeds" / "all.rss.xml").read_bytes()
        assert body == with_origin(written, server.url + "/", server.url + "/feeds/")
        assert get(server.url + path, {"If-None-Match": headers["ETag"]})[0] == 304
    assert get(server.url + "/feeds/feeds.opml")[0] == 200
    assert get(server.url + "/feeds/")[1]["Content-Type"] == "text/html; charset=utf-8"
    assert get(server.url + "/feeds/../tinlaodong.sqlite3")[0] == 404


def test_page_etag(server: WebServer) -> None:
    status, headers, _ = get(server.url + "/")
    assert get(server.url + "/", {"If-None-Match": headers["ETag"]})[0] == 304


def test_healthz(server: WebServer) -> None:
    status, headers, body = get(server.url + "/healthz")
    report = json.loads(body)
    assert status == 200 and headers["Content-Type"].startswith("application/json")
    assert report["ok"] is True and report["store"] == "reachable"
    assert report["stories"] == len(STORIES) and report["sources"] == len(STORIES) + 1
    assert 0 <= report["last_crawl_age_seconds"] < 3 * 3600


_SAMPLE = re.compile(r'^[a-z_:][a-z0-9_:]*(\{([a-z_]+="[^"\\]*",?)*\})? -?[0-9.e+]+$')


def test_metrics_format(server: WebServer) -> None:
    get(server.url + "/")
    status, headers, body = get(server.url + "/metrics")
    assert status == 200 and headers["Content-Type"].startswith("text/plain; version=0.0.4")
    text = body.decode("utf-8")
    for line in text.splitlines():
        assert line.startswith(("# HELP ", "# TYPE ")) or _SAMPLE.match(line), line
    assert f"tinlaodong_stories {len(STORIES)}" in text.splitlines()
    assert 'tinlaodong_site_last_crawl_unreachable{site="namdinh-sldtbxh"} 1' in text
    assert 'tinlaodong_site_last_crawl_errors{site="hanoi-snv"} 1' in text
    assert 'tinlaodong_alerts{status="pending"} 0' in text  # the outbox exists, empty
    assert 'tinlaodong_http_requests_total{route="page",code="200"}' in text


def test_behind_a_reverse_proxy_links_are_as_the_reader_sees_them(server: WebServer) -> None:
    # What docs/deployment.md's nginx sends: the public host, and https from a proxy on
    # loopback (trusted by default).
    status, _, body = get(
        server.url + "/", {"Host": "tin.example", "X-Forwarded-Proto": "https"}
    )
    assert status == 200
    doc = lxml_html.fromstring(body.decode("utf-8"))
    assert alternates(doc)["application/rss+xml"] == "https://tin.example/feeds/all.rss.xml"


def test_no_script_on_the_page_even_from_a_story(server: WebServer) -> None:
    # A story's text reading "<script>alert(1)</script>" is shown as text (autoescaped).
    status, _, body = get(f"{server.url}/?q=alert&lang=en")
    assert status == 200 and b"<script" not in body.lower()
    doc = lxml_html.fromstring(body.decode("utf-8"))
    assert "<script>" in doc.cssselect(".excerpt")[0].text_content()


def test_favicon_is_linked_and_served_with_caching(server: WebServer) -> None:
    doc = page(server)
    icon = doc.cssselect('head link[rel="icon"]')[0].get("href")
    for path in (icon, "/favicon.ico"):
        status, headers, body = get(server.url + path)
        assert status == 200 and headers["Content-Type"] == "image/svg+xml"
        assert "max-age=604800" in headers["Cache-Control"]
        assert lxml_html.fromstring(body).tag.endswith("svg")
        assert get(server.url + path, {"If-None-Match": headers["ETag"]})[0] == 304


@pytest.mark.usefixtures("backend")
def test_the_chart_ends_today_with_the_quiet_days_empty(tmp_path: Path) -> None:
    sites_file = write_registry(tmp_path / "sites.yaml", SITES)
    sites = load_registry(sites_file).sites
    store = open_store(tmp_path / "data")
    try:  # the newest story five days old
        published = NOW - timedelta(days=5)
        store.add_article(
            "quangtri-sldtbxh",
            "https://quangtri.example.vn/tin/1",
            Article(url=None, title="Tin cũ", text="Nội dung.", published=published),
        )
    finally:
        store.close()
    today = datetime.now(VIETNAM).date()
    with WebServer.for_data_dir(tmp_path / "data", sites, port=0) as server:
        doc = page(server)
    chart = doc.cssselect("section.chart")[0]
    assert f"{today:%d/%m/%Y}" in chart.cssselect("h2")[0].text_content()
    cells = {r.text_content(): r.getparent().get("fill") for r in chart.cssselect("rect title")}
    day = published.astimezone(VIETNAM).date()
    assert cells[f"Quảng Trị, {day:%d/%m/%Y}: 1"] != cells[f"Quảng Trị, {today:%d/%m/%Y}: 0"]
    assert len({fill for title, fill in cells.items() if title.endswith(": 0")}) == 1


def test_times_are_relative_with_the_absolute_time_in_the_title(server: WebServer) -> None:
    for lang, expected in (
        ("", ["hôm qua", "2 ngày trước", "3 ngày trước"]),
        ("?lang=en", ["yesterday", "2 days ago", "3 days ago"]),
    ):
        times = page(server, lang).cssselect("ol.stories time")
        assert [t.text_content() for t in times[:3]] == expected
    first = times[0]
    published = (NOW - timedelta(days=STORIES[0][3])).astimezone(VIETNAM)
    assert first.get("title") == f"{published:%d/%m/%Y %H:%M} (+07:00)"
    assert datetime.fromisoformat(first.get("datetime")) == published
    # A day without a time: counted in days, its title the date alone (no made-up 00:00).
    dated = times[DATE_ONLY_STORY]
    assert dated.text_content() == "2 days ago" and ":" not in dated.get("title")


def test_a_topic_counted_among_its_bounded_stories_says_there_may_be_more(
    server: WebServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    doc = page(server, "?topic=viec-lam")
    assert doc.cssselect("p.count")[0].text_content() == "2 tin · hiển thị 1–2"
    monkeypatch.setattr(web_data, "TOPIC_STORIES", 1)  # the bound reached
    doc = page(server, "?topic=viec-lam&lang=en")
    assert doc.cssselect("p.count")[0].text_content() == "over 1 stories · showing 1–1"


def test_an_empty_saved_search_feed_is_dated_in_vietnams_time(server: WebServer) -> None:
    # Every other feed date is +07:00; a feed without entries is dated now, in the same zone.
    _, _, rss = get(f"{server.url}/feeds/search?q=zzzz&format=rss")
    assert not feedparser.parse(rss).entries
    assert re.search(rb"<lastBuildDate>[^<]* \+0700</lastBuildDate>", rss), rss[:600]
    _, _, atom = get(f"{server.url}/feeds/search?q=zzzz&format=atom")
    assert re.search(rb"<updated>[^<]*\+07:00</updated>", atom), atom[:600]


@pytest.mark.parametrize(
    ("query", "vietnamese", "english"),
    [
        (
            "q=OR",
            "Câu tìm kiếm “OR” không hợp lệ: OR cần một từ ở mỗi bên.",
            "Invalid search “OR”: OR needs a word on each side.",
        ),
        (
            "q=" + quote('"lao dong'),
            "Câu tìm kiếm “\"lao dong” không hợp lệ: dấu ngoặc kép chưa đóng.",
            "Invalid search “\"lao dong”: a quote is not closed.",
        ),
        (
            "province=ha-tinhh",
            "Không có tỉnh, thành phố “ha-tinhh”. Có phải Hà Tĩnh, Hòa Bình hoặc Thanh Hóa?",
            "No province “ha-tinhh”. Did you mean Hà Tĩnh, Hòa Bình or Thanh Hóa?",
        ),
        ("province=atlantis", "Không có tỉnh, thành phố “atlantis”.", "No province “atlantis”."),
        ("topic=bong-da", "Không có chủ đề “bong-da”.", "No topic “bong-da”."),
    ],
)
def test_the_pages_errors_are_in_its_language(
    server: WebServer, query: str, vietnamese: str, english: str
) -> None:
    for lang, said in (("", vietnamese), ("&lang=en", english)):
        status, _, body = get(f"{server.url}/?{query}{lang}")
        assert status == 400
        doc = lxml_html.fromstring(body.decode("utf-8"))
        assert doc.cssselect("p.error")[0].text_content() == said


def test_every_reason_a_query_is_refused_has_its_vietnamese() -> None:
    # The search grammar's reasons (in English, the CLI's) each have the page's words.
    for bad in ("OR", "lao OR", "-lao", "NOT OR lao", "lao NOT", '"lao'):
        with pytest.raises(QueryError) as refused:
            parse(bad)
        assert refused.value.reason in QUERY_REASONS, bad
