"""CPU time of extracting pathological pages, and a check that no real page is cut down.

Pages of one line, built here at the sizes asked (MB, under the 5 MB download cap):

- ``inline``: one paragraph of thousands of inline elements (``<b>x</b>`` repeated);
- ``paragraph``: one enormous paragraph of words;
- ``breaks``: one paragraph of lines separated by ``<br>``;
- ``paragraphs``: paragraphs of 99,000 characters each, each under the cut of one text (cut by
  the page's text in all; uncut, a worker took 900 MB on a 4.5 MB page of random words).

For each: the CPU seconds of the crawl's extraction (``extract_outcome``, without a deadline
unless ``--deadline``), and what it ends in (a fault, what was cut). ``--uncut`` lifts the
limits of ``aggregator.page_limits`` (the extraction as it was before them; slow: the
``inline`` shape grows with the square of its size). ``--corpus`` instead parses every page of
``../shared/corpus`` (vn-dev, hanoi-portal-2022, fundus-eval) and fails if any would be cut,
printing the largest counts seen against the limits.

``--crawl`` runs ``tinlaodong crawl`` (the code under ``--code``, this checkout by default) of
one loopback site: 20 good articles and two 2.6 MB pages (half a megabyte of inline elements
in one paragraph, padded with a script), and prints its wall time, pages stored and peak
memory (``bench/memory_bench.py``'s sampling of the crawl's process tree).

    .venv/bin/python bench/hostile_pages.py [--sizes 0.5 1 4.8] [--shapes inline ...]
        [--uncut] [--deadline S] [--corpus] [--crawl [--code DIR]]
"""

from __future__ import annotations

import argparse
import gzip
import json
import os
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from aggregator import page_limits  # noqa: E402
from aggregator.extraction import extract_outcome, parse_page  # noqa: E402
from bench.memory_bench import MB, Peak  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
CORPUS = ROOT.parent / "shared" / "corpus"
URL = "https://sldtbxh.laichau.gov.vn/tin-tuc/trang-bi-hong-1234.html"
HEAD = (
    '<!doctype html><html lang="vi"><head><meta charset="utf-8"><title>Hội nghị tổng kết'
    "</title></head><body><article><h1>Hội nghị tổng kết công tác lao động</h1>"
)
TAIL = "</article></body></html>"
WORDS = "người lao động được hỗ trợ việc làm ổn định "


def _repeat(unit: str, size: int) -> str:
    return unit * max(1, size // len(unit.encode()))


def _paragraphs(size: int) -> str:
    """Paragraphs of 99,000 characters, each its own (numbered sentences): a page repeating one
    paragraph is mostly dropped by trafilatura as repeated text."""
    paragraphs: list[str] = []
    total = 0
    while total < size:
        sentences = " ".join(f"{WORDS}câu {len(paragraphs)}.{i}." for i in range(2_000))
        paragraphs.append(f"<p>{sentences[:99_000]}</p>")
        total += len(paragraphs[-1].encode())
    return "".join(paragraphs)


SHAPES: dict[str, Callable[[int], str]] = {
    "inline": lambda size: f"{HEAD}<p>{_repeat('<b>x</b>', size)}</p>{TAIL}",
    "paragraph": lambda size: f"{HEAD}<p>{_repeat(WORDS, size)}</p>{TAIL}",
    "breaks": lambda size: f"{HEAD}<p>{_repeat(WORDS + '<br>', size)}</p>{TAIL}",
    "paragraphs": lambda size: f"{HEAD}{_paragraphs(size)}{TAIL}",
}


def hostile_page(shape: str, megabytes: float) -> bytes:
    """A one-line page of ``shape`` and about ``megabytes`` MB."""
    return SHAPES[shape](int(megabytes * 1_000_000)).encode()


def measure(shapes: list[str], sizes: list[float], deadline: float | None) -> None:
    extract_outcome(hostile_page("paragraph", 0.01), URL, None, None)  # imports, caches
    for shape in shapes:
        for megabytes in sizes:
            body = hostile_page(shape, megabytes)
            start = time.process_time()
            article, _, reason, _, fault = extract_outcome(body, URL, None, None, deadline)
            cpu = time.process_time() - start
            ending = f"{fault}: {reason}" if fault else "stored"
            chars = len(article.text) if article is not None else 0
            print(
                f"{shape:9} {len(body) / 1e6:4.1f} MB  {cpu:7.2f} s CPU  "
                f"{chars:>9,} chars  {ending}",
                flush=True,
            )


def corpus_pages() -> list[tuple[str, bytes]]:
    pages = []
    for path in sorted(CORPUS.rglob("*")):
        if path.suffix == ".html":
            pages.append((str(path.relative_to(CORPUS)), path.read_bytes()))
        elif path.name.endswith(".html.gz"):
            pages.append((str(path.relative_to(CORPUS)), gzip.decompress(path.read_bytes())))
    return pages


def check_corpus() -> int:
    """Parse every page of the development sets; 1 if any is cut down."""
    largest = {"elements": 0, "children": 0, "text": 0, "page text": 0}
    cut_pages = 0
    pages = corpus_pages()
    for name, data in pages:
        tree, cut = parse_page(data, where=name)
        if cut:
            cut_pages += 1
            print(f"CUT {name}: {cut}")
        elements = list(tree.iter())
        largest["elements"] = max(largest["elements"], len(elements))
        largest["children"] = max(largest["children"], max(len(e) for e in elements))
        page_text = 0
        for element in elements:
            raw = element.tag in ("script", "style") or not isinstance(element.tag, str)
            for text in (element.tail, None if raw else element.text):
                largest["text"] = max(largest["text"], len(text or ""))
                page_text += len(text or "")
        largest["page text"] = max(largest["page text"], page_text)
    limits = {
        "elements": page_limits.MAX_ELEMENTS,
        "children": page_limits.MAX_CHILDREN,
        "text": page_limits.MAX_TEXT,
        "page text": page_limits.MAX_PAGE_TEXT,
    }
    print(f"{len(pages)} pages of {CORPUS}, {cut_pages} cut down")
    for what, count in largest.items():
        print(f"  largest {what}: {count:,} (limit {limits[what]:,})")
    return 1 if cut_pages else 0


def crawl_page(path: str) -> bytes:
    """The crawled site's pages: a listing, good articles, two big pathological pages."""
    if path.startswith("/tin-tuc/bai-viet-lon-"):
        padding = "<script>/*" + "x" * 2_100_000 + "*/</script>"
        return f"{HEAD}{padding}<p>{'<b>x</b>' * 62_500}</p>{TAIL}".encode()
    if path.startswith("/tin-tuc/"):
        n = int(path.rsplit("-", 1)[1].removesuffix(".html")) - 1000
        words = " ".join(f"{WORDS}số {n}, đoạn {i}." for i in range(12))
        return f"{HEAD.replace('Hội nghị', f'Bài {n}: Hội nghị')}<p>{words}</p>{TAIL}".encode()
    links = [f"/tin-tuc/hoi-nghi-tong-ket-{1000 + n}.html" for n in range(20)]
    links += ["/tin-tuc/bai-viet-lon-9001.html", "/tin-tuc/bai-viet-lon-9002.html"]
    items = "".join(f'<li><a href="{u}">Bài {u}</a></li>' for u in links)
    return f'<html><body><ul class="news">{items}</ul></body></html>'.encode()


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def do_GET(self) -> None:
        if self.path in ("/robots.txt", "/sitemap.xml", "/favicon.ico"):
            self.send_error(404)
            return
        body = crawl_page(self.path)
        self.send_response(200)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002
        pass


def crawl(code: Path) -> None:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    base = f"http://127.0.0.1:{server.server_address[1]}"
    with tempfile.TemporaryDirectory() as tmp:
        registry = Path(tmp) / "sites.json"  # JSON is YAML
        site = {"id": "big", "name": "Big", "province": "Lai Châu", "allow_private_network": True}
        registry.write_text(json.dumps({"sites": [{**site, "start_urls": [base + "/list"]}]}))
        command = [sys.executable, "-m", "aggregator.cli.main", "crawl", "--all", "--json"]
        command += ["--no-throttle", "--sites", str(registry), "--data-dir", f"{tmp}/data"]
        env = {**os.environ, "PYTHONPATH": str(code)}
        peak = Peak()
        start = time.perf_counter()
        process = subprocess.Popen(
            command, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, env=env, cwd=code
        )
        while not os.wait4(process.pid, os.WNOHANG)[0]:
            peak.sample(process.pid)
            time.sleep(0.1)
        wall = time.perf_counter() - start
        assert process.stdout is not None
        report = json.loads(process.stdout.read().decode().splitlines()[0])
    server.shutdown()
    print(
        f"crawl of {code}: {wall:.1f} s, {report['new_stories']} stories, faults "
        f"{report.get('faults')}, peak RSS {peak.one_rss / MB:.0f} MB (largest process), "
        f"{peak.tree_rss / MB:.0f} MB (process tree)"
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sizes", type=float, nargs="+", default=[0.5, 1.0, 2.0, 4.8])
    parser.add_argument("--shapes", nargs="+", choices=sorted(SHAPES), default=list(SHAPES))
    parser.add_argument("--uncut", action="store_true", help="without the page limits")
    parser.add_argument("--deadline", type=float, default=None, help="CPU seconds per page")
    parser.add_argument("--corpus", action="store_true", help="check the real pages instead")
    parser.add_argument("--crawl", action="store_true", help="time a crawl with two big pages")
    parser.add_argument("--code", type=Path, default=ROOT, help="the checkout --crawl runs")
    args = parser.parse_args()
    if args.corpus:
        return check_corpus()
    if args.crawl:
        crawl(args.code.resolve())
        return 0
    if args.uncut:
        page_limits.MAX_CHILDREN = page_limits.MAX_ELEMENTS = page_limits.MAX_TEXT = sys.maxsize
        page_limits.MAX_PAGE_TEXT = page_limits.MAX_ARTICLE_TEXT = sys.maxsize
    measure(args.shapes, args.sizes, args.deadline)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
