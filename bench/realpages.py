"""Real pages of ``../shared/corpus`` as sites to crawl: each page under many URLs, each copy
with a paragraph of its body text changed, so that no copy can be skipped as already seen.

The pages are read from ``../shared`` at run time and written, varied, to a scratch directory
(never into the project). One site per source host of a corpus (the host each page was saved
from), each with a plain home page, a ``robots.txt`` naming its ``sitemap.xml``, and the sitemap
listing every copy: the articles are found through the sitemap alone, as on a site whose
listings the crawler cannot read.
"""

from __future__ import annotations

import gzip
import html as html_lib
import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit
from xml.sax.saxutils import escape

import trafilatura

from mirror.build import MirrorSite
from mirror.paths import BASE_URL_PLACEHOLDER

SHARED = Path(__file__).resolve().parents[2] / "shared" / "corpus"
CORPORA = ("vn-dev", "hanoi-portal-2022", "fundus-eval")
HANOI_HOST = "sotttt.hanoi.gov.vn"  # where the Hà Nội portal's mirror was saved from

# Text between tags, outside scripts, styles and comments (those spans are masked first).
_TEXT_RUN = re.compile(rb">([^<>]{60,})<")
_HIDDEN = re.compile(rb"<(script|style|noscript)\b.*?</\1\s*>|<!--.*?-->", re.S | re.I)
_WORD = re.compile(r"\S+")


@dataclass(frozen=True)
class Page:
    """One real page: its corpus, the host it was saved from, a name and its bytes."""

    corpus: str
    host: str
    name: str
    html: bytes


def corpus_pages(corpus: str, shared: Path = SHARED) -> list[Page]:
    """The pages of one corpus of ``shared`` (FileNotFoundError when it is absent)."""
    root = shared / corpus
    if not root.is_dir():
        raise FileNotFoundError(f"no {root}: the real pages live in ../shared beside the project")
    if corpus == "vn-dev":
        entries = json.loads((root / "expected.json").read_text(encoding="utf-8"))
        return [
            Page(corpus, e["site"], Path(e["file"]).stem, (root / "pages" / e["file"]).read_bytes())
            for e in entries
        ]
    if corpus == "fundus-eval":
        truth = json.loads((root / "ground_truth.json").read_text(encoding="utf-8"))
        return [
            Page(
                corpus,
                urlsplit(entry["url"]).hostname or "unknown",
                file.removesuffix(".html.gz"),
                gzip.decompress((root / "html" / file).read_bytes()),
            )
            for file, entry in sorted(truth.items())
        ]
    if corpus == "hanoi-portal-2022":
        return [
            Page(corpus, HANOI_HOST, path.stem, path.read_bytes())
            for path in sorted(root.glob("*.html"))
        ]
    raise ValueError(f"unknown corpus {corpus!r}: one of {', '.join(CORPORA)}")


def body_run(html: bytes, body: str = "") -> tuple[int, int] | None:
    """Where a paragraph of the body is in the page's bytes (start, end): the longest run of
    text between two tags that ``body`` (the extracted text) holds, else the longest run of
    visible text. None when the page has no run of prose."""
    # Hidden spans become '<'s: no run of text crosses or lies in them, and offsets stay.
    hidden = _HIDDEN.sub(lambda m: b"<" * len(m.group(0)), html)
    flat = _flat(body)
    longest: tuple[int, int] | None = None
    in_body: tuple[int, int] | None = None
    for match in _TEXT_RUN.finditer(hidden):
        text = match.group(1)
        if text.count(b" ") < 8:
            continue  # a token, a URL or a data blob, not prose
        size = len(text.strip())
        if longest is None or size > longest[1] - longest[0]:
            longest = match.span(1)
        if in_body is None or size > in_body[1] - in_body[0]:
            words = _flat(text.decode("utf-8", errors="replace"))
            if words and words in flat:
                in_body = match.span(1)
    return in_body or longest


def _flat(text: str) -> str:
    return " ".join(html_lib.unescape(text).split())


def reworded(text: str, variant: int) -> str:
    """The text's words turned by ``variant`` places after a numbered marker: another sentence
    of about the same length and vocabulary."""
    words = _WORD.findall(text)
    turn = (variant * 7) % len(words) if words else 0
    return f"[{variant}] " + " ".join(words[turn:] + words[:turn])


def variant_of(html: bytes, variant: int, body: str = "") -> bytes:
    """The page with a paragraph of its body (see :func:`body_run`) reworded for ``variant``
    (a numbered paragraph added before ``</body>`` on a page without one)."""
    span = body_run(html, body)
    if span is None:
        marker = f"<p>[{variant}] Bản tin số {variant} thêm vào trang này.</p></body>".encode()
        return html.replace(b"</body>", marker, 1) if b"</body>" in html else html + marker
    start, end = span
    text = html[start:end].decode("utf-8", errors="replace")
    return html[:start] + reworded(text, variant).encode("utf-8") + html[end:]


@dataclass(frozen=True)
class Built:
    """The built sites and every served copy as (site id, URL path, file)."""

    sites: list[MirrorSite]
    copies: list[tuple[str, str, Path]]

    def total_bytes(self) -> int:
        return sum(path.stat().st_size for _, _, path in self.copies)


def extracted_text(html: bytes) -> str:
    """What bare trafilatura reads as the page's text ("" for none)."""
    return trafilatura.extract(html) or ""


def site_id(host: str) -> str:
    return "real-" + re.sub(r"[^a-z0-9]+", "-", host.lower()).strip("-")


def build(out: Path, pages: list[Page], variants: int) -> Built:
    """Write ``variants`` copies of each page under ``out``, one site per host."""
    by_host: dict[str, list[Page]] = {}
    for page in pages:
        by_host.setdefault(page.host, []).append(page)
    sites: list[MirrorSite] = []
    copies: list[tuple[str, str, Path]] = []
    for host, hosted in sorted(by_host.items()):
        ident = site_id(host)
        root = out / ident
        root.mkdir(parents=True, exist_ok=True)
        paths = []
        bodies = {page.name: extracted_text(page.html) for page in hosted}
        for page, number in _copies(hosted, variants):
            path = f"/{page.name}-v{number}.html"
            file = root / path.lstrip("/")
            file.write_bytes(variant_of(page.html, number, bodies[page.name]))
            copies.append((ident, path, file))
            paths.append(path)
        _write_site_files(root, host, paths)
        sites.append(MirrorSite(ident, f"{host} (real pages)", "Hà Nội", None, root, ("/",)))
    return Built(sites, copies)


def _copies(pages: list[Page], variants: int) -> Iterator[tuple[Page, int]]:
    for number in range(1, variants + 1):
        for page in pages:
            yield page, number


def _write_site_files(root: Path, host: str, paths: list[str]) -> None:
    # A home page without article links: the articles are the sitemap's.
    (root / "index.html").write_text(
        f"<!DOCTYPE html><html><head><title>{escape(host)}</title></head>"
        f"<body><h1>{escape(host)}</h1><p>Trang chủ.</p></body></html>",
        encoding="utf-8",
    )
    (root / "robots.txt").write_text(
        f"User-agent: *\nAllow: /\nSitemap: {BASE_URL_PLACEHOLDER}/sitemap.xml\n", encoding="utf-8"
    )
    urls = "".join(f"<url><loc>{BASE_URL_PLACEHOLDER}{escape(p)}</loc></url>\n" for p in paths)
    (root / "sitemap.xml").write_text(
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">\n'
        f"{urls}</urlset>\n",
        encoding="utf-8",
    )
