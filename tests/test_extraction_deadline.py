"""Pages that cost the extraction too much, over real HTTP on loopback: the crawl goes on.

One crawl through the real ``tinlaodong crawl`` of a site whose first listing page links good
articles, a page of one line past the page limits (thousands of inline elements in one
paragraph: cut down before the expensive steps, and stored) and a big page within them that
still costs seconds of CPU (given up at the deadline, 2 s here, as ``extract_timeout``). The
listing paginates slowly, so the crawl is still fetching while those pages are extracted.
(issue 21, item 1)
"""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest

from spiders.extraction_workers import ExtractionWorkers
from tests.faultserver import article_html, good_path
from tests.helpers import FAST, loopback_server, tinlaodong, write_registry

DEADLINE = 2.0
LISTING_PAGES = 10
SLOW = "/tin-tuc/bai-viet-ton-nhieu-thoi-gian-9001.html"
CUT = "/tin-tuc/bai-viet-mot-dong-khong-lo-9002.html"
HEAD = (
    '<!doctype html><html lang="vi"><head><meta charset="utf-8"><title>Bài viết thử nghiệm'
    "</title></head><body><article><h1>Bài viết thử nghiệm</h1>"
)


def slow_page() -> bytes:
    """Within every page limit (a thousand inline elements a paragraph), seconds of CPU; its
    size, near the 5 MB cap, is a script trafilatura drops."""
    padding = "<script>/*" + "x" * 4_500_000 + "*/</script>"
    paragraphs = ("<p>" + "<b>x</b> y " * 990 + "</p>") * 25
    return f"{HEAD}{padding}{paragraphs}</article></body></html>".encode()


def cut_page() -> bytes:
    """One line of one paragraph of 50,000 inline elements (uncut: minutes of CPU)."""
    inline = "<b>lao động</b> " * 50_000
    return f"{HEAD}<p>{inline}</p></article></body></html>".encode()


@dataclass
class HostileSite:
    pages: dict[str, bytes] = field(default_factory=lambda: {SLOW: slow_page(), CUT: cut_page()})
    times: list[tuple[float, str]] = field(default_factory=list)  # (monotonic, path)
    sent: dict[str, float] = field(default_factory=dict)  # path: when its last byte went

    def listing(self, page: int) -> bytes:
        links = [good_path(n) for n in (0, 1, 2)] + [SLOW, CUT] if page == 1 else []
        links.append(good_path(100 + page))
        items = "".join(f'<li><a href="{u}">Bài viết {i}</a></li>' for i, u in enumerate(links))
        return (
            f'<html><body><ul class="news">{items}</ul>'
            f'<a rel="next" href="/list?page={page + 1}">Trang sau</a></body></html>'
        ).encode()


class HostileHandler(BaseHTTPRequestHandler):
    site: HostileSite
    protocol_version = "HTTP/1.1"

    def do_GET(self) -> None:
        self.site.times.append((time.monotonic(), self.path))
        parts = urlsplit(self.path)
        if parts.path == "/robots.txt":
            body, ctype = b"User-agent: *\nDisallow:\n", "text/plain"
        elif parts.path == "/list":
            # A listing that takes its time: the crawl is still fetching while the hostile
            # pages, linked from the first, are extracted.
            time.sleep(0.2)
            body, ctype = self.site.listing(int(parse_qs(parts.query)["page"][0])), "text/html"
        elif parts.path in self.site.pages:
            body, ctype = self.site.pages[parts.path], "text/html"
        elif parts.path.startswith("/tin-tuc/"):
            n = int(parts.path.rsplit("-", 1)[-1].removesuffix(".html")) - 1000
            body, ctype = article_html(n).encode(), "text/html"
        else:
            self.send_error(404)
            return
        self.send_response(200)
        self.send_header("Content-Type", f"{ctype}; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)
        self.site.sent[parts.path] = time.monotonic()

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002
        pass


@contextmanager
def hostile_site() -> Iterator[tuple[str, HostileSite]]:
    site = HostileSite()
    with loopback_server(type("Handler", (HostileHandler,), {"site": site})) as base:
        yield base, site


@pytest.fixture(scope="module")
def crawl(tmp_path_factory: pytest.TempPathFactory) -> dict[str, object]:
    tmp = tmp_path_factory.mktemp("deadline")
    with hostile_site() as (base, site):
        registry = write_registry(
            tmp / "sites.yaml",
            [
                {
                    "id": "hostile",
                    "name": "Site hostile",
                    "province": "Lai Châu",
                    "start_urls": [base + "/list?page=1"],
                    "allow_private_network": True,
                }
            ],
        )
        start = time.monotonic()
        result = tinlaodong(
            "crawl", "--sites", str(registry), "--data-dir", str(tmp / "data"), "--json",
            *FAST, "-s", f"TINLAODONG_EXTRACT_DEADLINE={DEADLINE}",
            "-s", f"TINLAODONG_MAX_LISTING_PAGES={LISTING_PAGES}", "-s", "RETRY_TIMES=0",
            "-s", "TINLAODONG_EXTRACT_WORKERS=2", timeout=120,
        )  # fmt: skip
        elapsed = time.monotonic() - start
    report = json.loads(result.stdout.splitlines()[0]) if result.stdout else {}
    return {"result": result, "base": base, "site": site, "elapsed": elapsed, "report": report}


def lines_about(crawl: dict[str, object], path: str) -> list[str]:
    url = f"{crawl['base']}{path}"
    stderr: str = crawl["result"].stderr  # type: ignore[attr-defined]
    return [line for line in stderr.splitlines() if url in line]


def test_the_crawl_ends_in_seconds_without_a_traceback(crawl: dict[str, object]) -> None:
    result = crawl["result"]
    assert result.returncode == 0, result.stderr  # type: ignore[attr-defined]
    assert "Traceback" not in result.stderr  # type: ignore[attr-defined]
    assert crawl["elapsed"] < 40  # type: ignore[operator]


def test_a_page_past_its_cpu_deadline_is_one_line_and_a_fault(crawl: dict[str, object]) -> None:
    lines = lines_about(crawl, SLOW)
    assert len(lines) == 1, lines
    assert "site hostile: extraction given up at" in lines[0]
    assert f"more than {DEADLINE:g} s of CPU" in lines[0]
    assert "TINLAODONG_EXTRACT_DEADLINE" in lines[0]
    assert crawl["report"]["faults"]["extract_timeout"] == 1  # type: ignore[index]


def test_a_page_past_the_limits_is_cut_down_and_stored(crawl: dict[str, object]) -> None:
    lines = lines_about(crawl, CUT)
    assert len(lines) == 2, lines
    assert "site hostile: page cut down at" in lines[0]
    assert "more than 1,000 children" in lines[0]
    assert "site hostile: new story: " in lines[1]
    assert crawl["report"]["faults"]["page_cut"] == 1  # type: ignore[index]


def test_every_good_page_is_stored(crawl: dict[str, object]) -> None:
    good = [good_path(n) for n in (0, 1, 2)]
    good += [good_path(100 + page) for page in range(1, LISTING_PAGES + 1)]
    for path in good:
        assert any("site hostile: new story: " in line for line in lines_about(crawl, path)), path
    assert crawl["report"]["new_stories"] == len(good) + 1  # type: ignore[index]


def test_downloads_go_on_while_a_page_is_extracted(crawl: dict[str, object]) -> None:
    """The slow page is extracted for at least its deadline from when it was sent: the site
    is asked for other pages meanwhile (with the page held, the crawl stopped fetching until
    its extraction ended)."""
    site: HostileSite = crawl["site"]  # type: ignore[assignment]
    sent = site.sent[SLOW]
    asked = [path for when, path in site.times if sent + 0.2 < when < sent + DEADLINE - 0.2]
    assert asked, site.times


def test_the_deadline_holds_without_workers() -> None:
    """With no workers (TINLAODONG_EXTRACT_WORKERS=0) the page is extracted in the crawl's
    thread, the main one: the deadline holds there too."""
    workers = ExtractionWorkers(0, cpu_deadline=0.5)
    start = time.process_time()
    article, _, reason, _, fault = asyncio.run(
        workers.extract(slow_page(), "https://example.vn/a-1.html", None, None)
    )
    assert article is None and fault == "extract_timeout", reason
    assert time.process_time() - start < 2


def hang_on_hang_urls() -> None:
    """A worker's setup (sent by name): a page whose URL says "hang" sleeps, as a worker stuck
    in a call into C would stay (no CPU used, so the timer never fires); one whose URL says
    "pause=FILE" sleeps too the first time (creating FILE), to be under way when the pool is
    replaced, and is extracted the second."""
    import aggregator.extraction as extraction

    extract = extraction.extract_outcome

    def hanging(body: bytes, url: str, *args: Any) -> Any:
        marker = Path(url.partition("pause=")[2]) if "pause=" in url else None
        if marker is not None and not marker.exists():
            marker.touch()
            time.sleep(600)
        if "hang" in url:
            time.sleep(600)
        return extract(body, url, *args)

    extraction.extract_outcome = hanging


def test_a_worker_that_does_not_answer_is_replaced_and_the_other_pages_kept(
    tmp_path: Path,
) -> None:
    paused = f"https://example.vn/tin-4.html?pause={tmp_path / 'paused'}"

    async def extract(workers: ExtractionWorkers, url: str, n: int, after: float = 0) -> Any:
        await asyncio.sleep(after)
        return await workers.extract(article_html(n).encode(), url, None, None)

    async def extract_all(workers: ExtractionWorkers) -> list[Any]:
        return await asyncio.gather(
            extract(workers, "https://example.vn/hang-1.html", 0),
            *(extract(workers, f"https://example.vn/tin-{n}.html", n) for n in range(1, 4)),
            # Under way when the hanging page's pool is replaced (it was sent later), then sent
            # again to the new pool.
            extract(workers, paused, 4, after=0.5),
        )

    asyncio.run(extract_all(ExtractionWorkers(0)))  # the extraction's imports, in this process
    with ExtractionWorkers(2, hang_on_hang_urls, cpu_deadline=0.2, wall_margin=1.8) as workers:
        start = time.monotonic()
        hung, *others = asyncio.run(extract_all(workers))
        took = time.monotonic() - start
    assert hung[0] is None and hung[4] == "extract_timeout", hung
    assert "did not answer in 3 s" in hung[2]
    assert all(article is not None for article, *_ in others), others
    assert (tmp_path / "paused").exists()
    assert took < 30


def test_a_page_within_its_deadline_is_extracted_in_a_worker() -> None:
    with ExtractionWorkers(1, cpu_deadline=DEADLINE) as workers:
        article, _, reason, _, fault = asyncio.run(
            workers.extract(article_html(3).encode(), "https://example.vn/a-1.html", None, None)
        )
    assert article is not None and fault == "", reason
