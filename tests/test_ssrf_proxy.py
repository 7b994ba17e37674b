"""Through an HTTP proxy, DNS is the proxy's: every spelling of a refused address must be
refused before the request, since the crawler never sees the address the proxy connects to.

The proxy here is a small forward HTTP proxy on loopback, written for the test: it records the
request line of everything it receives; it serves the one good site (``good.example``, which
only it can "resolve") and answers 502 to everything else, which a real proxy would have
forwarded. The crawl is the real ``tinlaodong crawl``, told of the proxy by ``http_proxy`` as an
operator would.
"""

from __future__ import annotations

import json
import re
import socket
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from spiders.settings import TINLAODONG_MAX_SITEMAPS as MAX_SITEMAPS
from tests.helpers import FAST, static_site, tinlaodong, write_registry

GOOD = "good.example"
# Spellings of loopback, of this machine and of private addresses that a proxy (or a resolver)
# reads as such; each is a site's start URL and a redirect target of the good site.
REFUSED_SPELLINGS = [
    # the six
    "127.0.0.1.",
    "localhost.",
    "%31%32%37.0.0.1",
    "[::7f00:1]",
    "[64:ff9b::7f00:1]",
    "[2002:7f00:1::]",
    # trailing dots, case, percent-encoding
    "127.0.0.1..",
    "LOCALHOST.",
    "%6c%6f%63%61%6c%68%6f%73%74",
    "127.0.0.1%2e",
    "%2531%2532%2537.0.0.1",
    "%5B%3A%3A1%5D",
    # what a proxy that decodes the host may cut differently
    "127.0.0.1%3A80",
    "127.0.0.1%23.example.com",
    "127.0.0.1%2F.example.com",
    # numeric forms the system resolver accepts
    "2130706433",
    "0x7f000001",
    "0x7f.1",
    "127.1",
    "0177.0.0.1",
    "0x7f.0.0.1.",
    "0",
    # IPv6 forms that embed 127.0.0.1 (mapped, compatible, NAT64, 6to4, Teredo)
    "[::1]",
    "[::ffff:127.0.0.1]",
    "[0:0:0:0:0:ffff:7f00:1]",
    "[::127.0.0.1]",
    "[64:ff9b::127.0.0.1]",
    "[64:ff9b:1::7f00:1]",
    "[2002:7f00:1:1::1]",
    "[2001:0:4136:e378:8000:63bf:80ff:fffe]",
    "[2001::80ff:fffe]",
    "[::ffff:0:7f00:1]",
    "[::ffff:0:127.0.0.1]",
    "[fec0::1]",
    "[::5efe:7f00:1]",
    "[2a00:1450::5efe:7f00:1]",
    "[::ffff:0:0:7f00:1]",
    # names meaning this machine
    "localhost",
    "foo.localhost",
    "foo.localhost.",
    "localhost.localdomain",
    "ip6-localhost",
    "ip6-loopback",
    socket.gethostname(),
    # other private networks, in the same forms
    "10.0.0.1.",
    "167772161",
    "10.1",
    "[::ffff:10.0.0.1]",
    "[64:ff9b::a00:1]",
    "[2002:a00:1::]",
    "169.254.169.254.",
    "%31%36%39.254.169.254",
    "[::ffff:a9fe:a9fe]",
    "[64:ff9b::a9fe:a9fe]",
    "[2002:c0a8:101::1]",
    "[::192.168.1.1]",
]


@dataclass
class Proxy:
    url: str
    received: list[str] = field(default_factory=list)

    def reached(self) -> list[str]:
        """Request lines for anything but the good site: what a real proxy would forward."""
        return [line for line in self.received if urlsplit(line.split()[1]).netloc != GOOD]

    def good(self) -> list[str]:
        return [
            urlsplit(line.split()[1]).path for line in self.received if line not in self.reached()
        ]


TOPICS = [
    "khai giảng lớp dạy nghề cho lao động nông thôn",
    "tuyển dụng lao động đi làm việc tại Hàn Quốc",
    "kiểm tra an toàn lao động tại công trình",
]


def article(n: int) -> str:
    paragraphs = "".join(
        f"<p>Đoạn {i} của bài số {n}: Sở đã triển khai nội dung về {TOPICS[n]} tới các xã, "
        f"phường trên địa bàn tỉnh, bảo đảm đúng đối tượng, công khai và minh bạch.</p>"
        for i in range(1, 5)
    )
    return (
        f'<!doctype html><html lang="vi"><head><meta charset="utf-8"><title>Bài {n}: '
        f"{TOPICS[n]}</title></head><body><article><h1>Bài {n}: {TOPICS[n]}</h1>{paragraphs}"
        "</article></body></html>"
    )


GOOD_ARTICLES = len(TOPICS)
ARTICLES = [f"/tin-tuc/ho-tro-nguoi-lao-dong-{1000 + n}.html" for n in range(GOOD_ARTICLES)]
REDIRECTS = [f"/tin-tuc/chuyen-trang-{2000 + n}.html" for n in range(len(REFUSED_SPELLINGS))]
GOOD_PAGES = {
    "/": (
        '<html><body><ul class="news">'
        + "".join(f'<li><a href="{path}">Bài</a></li>' for path in ARTICLES)
        + "</ul></body></html>"
    ),
    **{ARTICLES[n]: article(n) for n in range(GOOD_ARTICLES)},
    "/robots.txt": f"User-agent: *\nAllow: /\nSitemap: http://{GOOD}/sitemap.xml\n",
    # The redirects are in the sitemap: pages of the site, each answering 302 to a spelling.
    "/sitemap.xml": (
        '<?xml version="1.0"?><urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'
        + "".join(f"<url><loc>http://{GOOD}{path}</loc></url>" for path in REDIRECTS)
        + "</urlset>"
    ),
}


@contextmanager
def forward_proxy() -> Iterator[Proxy]:
    proxy = Proxy("")

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            proxy.received.append(self.requestline)
            target = urlsplit(self.path)
            if target.netloc != GOOD:  # a real proxy would connect there
                self.answer(502, b"would have forwarded")
            elif target.path in GOOD_PAGES:
                ctype = "text/html" if target.path.endswith(("/", ".html")) else "text/plain"
                self.answer(200, GOOD_PAGES[target.path].encode(), f"{ctype}; charset=utf-8")
            elif target.path in REDIRECTS:
                n = REDIRECTS.index(target.path)
                self.answer(302, b"", location=f"http://{REFUSED_SPELLINGS[n]}/admin/{n}")
            else:
                self.answer(404, b"not found")

        do_HEAD = do_GET
        do_CONNECT = do_GET

        def answer(
            self, status: int, body: bytes, ctype: str = "text/plain", location: str = ""
        ) -> None:
            self.send_response(status)
            self.send_header("Content-Type", ctype)
            self.send_header("Content-Length", str(len(body)))
            if location:
                self.send_header("Location", location)
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, format: str, *args: object) -> None:  # noqa: A002
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    proxy.url = f"http://127.0.0.1:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield proxy
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture
def proxy(monkeypatch: pytest.MonkeyPatch) -> Iterator[Proxy]:
    with forward_proxy() as running:
        for name in ("no_proxy", "NO_PROXY", "https_proxy", "HTTPS_PROXY", "HTTP_PROXY"):
            monkeypatch.delenv(name, raising=False)
        monkeypatch.setenv("http_proxy", running.url)
        yield running


def test_no_spelling_of_a_refused_address_reaches_the_proxy(tmp_path: Path, proxy: Proxy) -> None:
    sites: list[dict[str, object]] = [
        {"id": "good", "name": "Good", "province": "Lai Châu", "start_urls": [f"http://{GOOD}/"]}
    ]
    sites += [
        {
            "id": f"refused-{n}",
            "name": f"Refused {n}",
            "province": "Lai Châu",
            "start_urls": [f"http://{spelling}/tin-tuc/"],
        }
        for n, spelling in enumerate(REFUSED_SPELLINGS)
    ]
    registry = write_registry(tmp_path / "sites.yaml", sites)
    result = tinlaodong(
        "crawl", "--sites", str(registry), "--data-dir", str(tmp_path / "d"), "--json", *FAST
    )
    passed = sorted({urlsplit(line.split()[1]).netloc for line in proxy.reached()})
    assert passed == [], f"{len(proxy.reached())} requests passed the guard, for {passed}"
    # The good site crawls through the proxy: its articles are stored.
    assert set(ARTICLES) <= set(proxy.good()), result.stderr
    reports = {site["site"]: site for site in map(json.loads, result.stdout.splitlines())}
    assert reports["good"]["new_stories"] == GOOD_ARTICLES
    # Each refused site and each refused redirect says so, in one line naming the site.
    for n in range(len(REFUSED_SPELLINGS)):
        assert f"site refused-{n}: refused " in result.stderr, REFUSED_SPELLINGS[n]
    assert result.stderr.count("site good: refused ") == len(REFUSED_SPELLINGS)
    assert "Traceback" not in result.stderr


def test_a_name_that_does_not_resolve_is_unreachable_without_a_proxy(tmp_path: Path) -> None:
    registry = write_registry(
        tmp_path / "sites.yaml",
        [
            {"id": f"nowhere-{n}", "name": "Nowhere", "province": "Lai Châu", "start_urls": [url]}
            for n, url in enumerate(["http://nowhere.invalid/", "http://NoWhere.invalid./"])
        ],
    )
    result = tinlaodong("crawl", "--sites", str(registry), "--data-dir", str(tmp_path / "d"), *FAST)
    for n in range(2):
        lines = [line for line in result.stderr.splitlines() if f"nowhere-{n}" in line]
        assert len(lines) == 1 and "unreachable" in lines[0] and "(DNS)" in lines[0], lines
    assert "private" not in result.stderr and "Traceback" not in result.stderr


# -- sitemaps -----------------------------------------------------------------------------
SITEMAP_LINES = 300
CAP = 5  # a few dozen by default: fewer here, for a short test


def test_robots_txt_sitemaps_stay_on_the_site_and_are_capped(tmp_path: Path) -> None:
    """A robots.txt of 300 Sitemap lines to a third party and 300 to the site itself: the
    third party is never asked, the site at most TINLAODONG_MAX_SITEMAPS times."""
    assert CAP < MAX_SITEMAPS < SITEMAP_LINES
    (tmp_path / "third").mkdir()
    (tmp_path / "www").mkdir()
    (tmp_path / "www" / "index.html").write_text("<html><body>Trang chủ</body></html>")
    with (
        static_site(tmp_path / "third") as (third, third_requests),
        static_site(tmp_path / "www") as (base, requests),
    ):
        lines = [f"Sitemap: {third}/sitemap-{n}.xml" for n in range(SITEMAP_LINES)]
        lines += [f"Sitemap: {base}/sitemap-{n}.xml" for n in range(SITEMAP_LINES)]
        (tmp_path / "www" / "robots.txt").write_text("User-agent: *\n" + "\n".join(lines))
        # The first is an index of 300 more on the site and 300 on the third party.
        nested = [f"{base}/nested-{n}.xml" for n in range(SITEMAP_LINES)]
        nested += [f"{third}/nested-{n}.xml" for n in range(SITEMAP_LINES)]
        (tmp_path / "www" / "sitemap-0.xml").write_text(
            '<?xml version="1.0"?><sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'
            + "".join(f"<sitemap><loc>{url}</loc></sitemap>" for url in nested)
            + "</sitemapindex>"
        )
        site = {
            "id": "sitemaps",
            "name": "Sitemaps",
            "province": "Lai Châu",
            "start_urls": [base + "/"],
            "allow_private_network": True,  # it is on loopback; the third party too
        }
        registry = write_registry(tmp_path / "sites.yaml", [site])
        result = tinlaodong(
            "crawl",
            "--sites",
            str(registry),
            "--data-dir",
            str(tmp_path / "d"),
            *FAST,
            *("-s", f"TINLAODONG_MAX_SITEMAPS={CAP}"),
        )
    assert third_requests == [], f"{len(third_requests)} requests reached the third party"
    assert "/sitemap-0.xml" in requests
    sitemaps = [path for path in requests if path.startswith(("/sitemap-", "/nested-"))]
    assert len(sitemaps) <= CAP
    assert len(re.findall(r"site sitemaps: .*TINLAODONG_MAX_SITEMAPS", result.stderr)) == 1
    # One line for each list naming sitemaps elsewhere: robots.txt, the index.
    off_site = [line for line in result.stderr.splitlines() if "other hosts" in line]
    assert len(off_site) == 2 and all("sitemaps" in line and third in line for line in off_site)
    assert "Traceback" not in result.stderr
