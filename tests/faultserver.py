"""A loopback site that misbehaves on purpose: one route per fault, beside good articles.

``/list?page=N`` is the site's listing: page 1 links the good articles and one URL of each
fault asked for; every page links page N+1 (a listing that paginates forever) and, from page 2
on, one more good article. Fault URLs read as article URLs (``/fault/<name>/...-NNNN.html``) so
the spider fetches them like any article; every path asked is recorded.
"""

from __future__ import annotations

import gzip
import hashlib
import random
import socket
import struct
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

MB = 1024 * 1024
PDF = b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj << /Type /Catalog >> endobj\n" + b"0" * 2000
PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + b"\x00" * 2000

# Every fault the server knows; a test picks the ones it wants.
FAULTS = (
    "status-500",
    "status-502",
    "status-503",
    "status-404",
    "rate-limited-once",  # 429 with Retry-After: 1 the first time, then the article
    "rate-limited-long",  # 429 with Retry-After: 3600, always
    "timeout",  # never answers
    "slow-drip",  # one byte a second
    "connection-reset",
    "redirect-loop",  # a -> b -> a
    "redirect-chain",  # 1 -> 2 -> 3 -> ... never ending
    "huge",  # 20 MB, announced by Content-Length
    "huge-stream",  # 20 MB, no Content-Length
    "gzip-bomb",  # 40 KB on the wire, 20 MB once decompressed
    "pdf-as-html",
    "png-as-html",
    "empty",  # 200, no body
    "truncated",  # fewer bytes than the Content-Length says
    "cut-markup",  # a complete response whose HTML stops mid-paragraph
    "robots-disallowed",  # linked, but robots.txt forbids it (never fetched)
)
ROBOTS_TXT = b"User-agent: *\nDisallow: /fault/robots-disallowed/\n"

TOPICS = (
    "hoi-nghi-tong-ket-cong-tac-giam-ngheo",
    "trao-qua-cho-nguoi-co-cong-dip-le",
    "khai-giang-lop-day-nghe-cho-lao-dong-nong-thon",
    "tuyen-dung-lao-dong-di-lam-viec-tai-han-quoc",
    "kiem-tra-an-toan-lao-dong-tai-cong-trinh",
)

PLACES = (
    "Mường Tè",
    "Sìn Hồ",
    "Phong Thổ",
    "Tam Đường",
    "Than Uyên",
    "Tân Uyên",
    "Nậm Nhùn",
    "Điện Biên",
    "Mường Lay",
    "Tuần Giáo",
    "Mường Chà",
    "Tủa Chùa",
    "Nậm Pồ",
    "Mường Nhé",
    "Sa Pa",
    "Bát Xát",
    "Bắc Hà",
    "Si Ma Cai",
    "Mường Khương",
    "Văn Bàn",
    "Bảo Yên",
)

ACTS = (
    "trao quà người có công",
    "mở lớp dạy nghề",
    "chi trả trợ cấp",
    "kiểm tra an toàn lao động",
    "rà soát hộ nghèo",
    "tuyển lao động đi Hàn Quốc",
    "tập huấn cán bộ",
    "thăm gia đình chính sách",
    "hỗ trợ trẻ em mồ côi",
    "giới thiệu việc làm",
    "cấp thẻ bảo hiểm y tế",
    "sửa nhà tình nghĩa",
)


def article_html(n: int) -> str:
    words = TOPICS[n % len(TOPICS)].replace("-", " ")
    # Sentences of their own per article (seeded by n), so no two are near-duplicates.
    rng = random.Random(n)
    paragraphs = "".join(
        f"<p>Đoạn {i} của bài số {n} về {words}: "
        + " ".join(rng.choice(PLACES) + " " + rng.choice(ACTS) for _ in range(8))
        + ".</p>"
        for i in range(1, 5)
    )
    return (
        f'<!doctype html><html lang="vi"><head><meta charset="utf-8"><title>Bài {n}: {words}'
        f"</title></head><body><nav><a href='/'>Trang chủ</a></nav><article><h1>Bài {n}: "
        f"{words}</h1><p class='date'>Ngày đăng: {1 + n % 28:02d}/03/2025 08:30</p>{paragraphs}"
        "</article></body></html>"
    )


def good_path(n: int) -> str:
    return f"/tin-tuc/{TOPICS[n % len(TOPICS)]}-{1000 + n}.html"


def fault_path(name: str, step: str = "0") -> str:
    return f"/fault/{name}/{step}/bai-viet-thu-nghiem-loi-9000.html"


@dataclass
class FaultSite:
    """What the server serves: good article numbers and the faults its listing links."""

    good: tuple[int, ...] = (0, 1, 2)
    faults: tuple[str, ...] = FAULTS
    start_fault: str | None = None  # the listing itself answers with this fault
    requests: list[str] = field(default_factory=list)
    times: list[tuple[float, str]] = field(default_factory=list)  # (monotonic, path)
    stopping: threading.Event = field(default_factory=threading.Event)
    _seen: set[str] = field(default_factory=set)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def first_time(self, path: str) -> bool:
        with self._lock:
            if path in self._seen:
                return False
            self._seen.add(path)
            return True

    def more(self, page: int) -> int:
        """The good article that page ``page`` (2 and on) of the listing adds."""
        return 100 + 10 * self.good[0] + page if self.good else 100 + page

    def listing(self, page: int) -> str:
        links = [good_path(n) for n in self.good] if page == 1 else [good_path(self.more(page))]
        if page == 1:
            links += [fault_path(name) for name in self.faults]
        items = "".join(f'<li><a href="{u}">Bài viết {i}</a></li>' for i, u in enumerate(links))
        return (
            f'<html><body><ul class="news">{items}</ul>'
            f'<a rel="next" href="/list?page={page + 1}">Trang sau</a></body></html>'
        )


class FaultHandler(BaseHTTPRequestHandler):
    site: FaultSite
    protocol_version = "HTTP/1.1"

    def do_GET(self) -> None:
        self.site.requests.append(self.path)
        self.site.times.append((time.monotonic(), self.path))
        parts = urlsplit(self.path)
        if parts.path == "/robots.txt":
            self.send_body(ROBOTS_TXT, ctype="text/plain")
        elif parts.path == "/list":
            if self.site.start_fault:
                self.fault(self.site.start_fault, "0")
                return
            page = int(parse_qs(parts.query).get("page", ["1"])[0])
            self.send_conditional(self.site.listing(page).encode())
        elif parts.path.startswith("/tin-tuc/"):
            n = int(parts.path.rsplit("-", 1)[-1].removesuffix(".html")) - 1000
            self.send_body(article_html(n).encode())
        elif parts.path.startswith("/fault/"):
            _, _, name, step, _ = parts.path.split("/", 4)
            self.fault(name, step)
        else:
            self.send_body(b"not found", status=404, ctype="text/plain")

    def fault(self, name: str, step: str) -> None:  # noqa: C901 - one branch a fault
        if name.startswith("status-"):
            self.send_body(b"<html><body>error</body></html>", status=int(name[7:]))
        elif name == "rate-limited-once":
            if self.site.first_time(self.path):
                self.send_body(b"busy", status=429, headers={"Retry-After": "1"})
            else:
                self.send_body(article_html(50).encode())
        elif name == "rate-limited-long":
            self.send_body(b"busy", status=429, headers={"Retry-After": "3600"})
        elif name == "timeout":
            self.site.stopping.wait(30)
        elif name == "slow-drip":
            self.drip()
        elif name == "connection-reset":
            self.reset()
        elif name == "redirect-loop":
            self.redirect(fault_path(name, "b" if step == "a" else "a"))
        elif name == "redirect-chain":
            self.redirect(fault_path(name, str(int(step) + 1)))
        elif name == "huge":
            self.stream(20 * MB, announced=True)
        elif name == "huge-stream":
            self.stream(20 * MB, announced=False)
        elif name == "gzip-bomb":
            self.send_body(gzip_bomb(), headers={"Content-Encoding": "gzip"})
        elif name == "pdf-as-html":
            self.send_body(PDF)
        elif name == "png-as-html":
            self.send_body(PNG)
        elif name == "empty":
            self.send_body(b"")
        elif name == "truncated":
            body = article_html(60).encode()
            self.send_head(200, "text/html; charset=utf-8", len(body) + 5000)
            self.wfile.write(body)
            self.close_connection = True
        elif name == "robots-disallowed":  # only reached by a crawler ignoring robots.txt
            self.send_body(article_html(90).encode())
        elif name == "cut-markup":
            self.send_body(article_html(70)[:-120].encode())
        else:
            raise ValueError(f"unknown fault {name!r}")

    # -- ways to answer ---------------------------------------------------------------------
    def send_head(
        self,
        status: int,
        ctype: str,
        length: int | None,
        headers: dict[str, str] | None = None,
    ) -> None:
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        if length is not None:
            self.send_header("Content-Length", str(length))
        for key, value in (headers or {}).items():
            self.send_header(key, value)
        self.end_headers()

    def send_body(
        self,
        body: bytes,
        status: int = 200,
        ctype: str = "text/html; charset=utf-8",
        headers: dict[str, str] | None = None,
    ) -> None:
        self.send_head(status, ctype, len(body), headers)
        self.wfile.write(body)

    def send_conditional(self, body: bytes) -> None:
        """With an ETag, and a 304 to a request that already has it, as portals' listings."""
        etag = '"' + hashlib.sha1(body).hexdigest()[:16] + '"'
        if self.headers.get("If-None-Match") == etag:
            self.send_head(304, "text/html; charset=utf-8", 0, {"ETag": etag})
        else:
            self.send_body(body, headers={"ETag": etag})

    def drip(self) -> None:
        self.send_head(200, "text/html; charset=utf-8", 1000)
        for byte in article_html(80).encode()[:1000]:
            if self.site.stopping.wait(1.0) or not self.write_quietly(bytes([byte])):
                return

    def stream(self, size: int, *, announced: bool) -> None:
        self.send_head(200, "text/html; charset=utf-8", size if announced else None)
        if not announced:
            self.close_connection = True  # the end of the body is the end of the connection
        chunk = b"<p>" + b"x" * (64 * 1024 - 7) + b"</p>\n"
        for _ in range(size // len(chunk)):
            if self.site.stopping.is_set() or not self.write_quietly(chunk):
                return

    def redirect(self, location: str) -> None:
        self.send_response(302)
        self.send_header("Location", location)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def reset(self) -> None:
        # SO_LINGER with a zero timeout: close() sends a TCP RST instead of a FIN.
        self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        self.close_connection = True
        self.connection.close()

    def write_quietly(self, data: bytes) -> bool:
        try:
            self.wfile.write(data)
            self.wfile.flush()
        except OSError:  # the client gave up: that is the point
            return False
        return True

    def finish(self) -> None:
        with suppress(OSError):
            super().finish()

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002
        pass


_GZIP_BOMB: list[bytes] = []


def gzip_bomb() -> bytes:
    if not _GZIP_BOMB:
        _GZIP_BOMB.append(gzip.compress(b"<p>" + b" " * (20 * MB) + b"</p>", compresslevel=9))
    return _GZIP_BOMB[0]


class _QuietServer(ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request: object, client_address: object) -> None:
        pass  # a client that hangs up mid-answer is what these routes are for


@contextmanager
def fault_site(site: FaultSite | None = None) -> Iterator[tuple[str, FaultSite]]:
    """Serve ``site`` on 127.0.0.1:<any port>; yields (base URL, the site and its requests)."""
    site = site or FaultSite()
    handler = type("Handler", (FaultHandler,), {"site": site})
    server = _QuietServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}", site
    finally:
        site.stopping.set()  # releases the handlers that never answer
        server.shutdown()
        server.server_close()
