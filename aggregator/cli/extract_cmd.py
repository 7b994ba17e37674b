"""``tinlaodong extract``: read saved article pages, print what extraction finds."""

from __future__ import annotations

import argparse
import gzip
import json
import logging
import sys
from collections.abc import Iterator
from pathlib import Path

from aggregator.exceptions import ConfigError, TinlaodongError
from aggregator.models import Article, shown_published
from aggregator.profiles import PROFILES

log = logging.getLogger(__name__)

LEAD_CHARS = 200  # of the lead on the human-readable line: enough to recognise it
PAGE_SUFFIXES = (".html", ".htm", ".html.gz", ".htm.gz")
EPILOG = """\
exit status: 0 every page read, 1 some pages failed (each named on stderr),
2 no page could be read or the command line is wrong."""


def register(subparsers: argparse._SubParsersAction, parent: argparse.ArgumentParser) -> None:
    parser = subparsers.add_parser(
        "extract",
        parents=[parent],
        help="extract articles from saved pages",
        description="Extract the article of each saved page (.html, .htm, .html.gz); "
        "a directory means every such page in it, sorted.",
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("paths", nargs="+", type=Path, metavar="FILE_OR_DIR")
    parser.add_argument("--url", help="the URL the page came from (one page only)")
    parser.add_argument(
        "--profile", choices=sorted(PROFILES), help="page object to use (default: detected)"
    )
    parser.add_argument("--json", action="store_true", help="one JSON object per line")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    pages = list(expand(args.paths))
    if args.url and len(pages) > 1:
        raise ConfigError(f"--url names one page's address, but {len(pages)} pages were given")
    # Imported when the command runs: `tinlaodong --help` builds this parser too.
    from aggregator.extraction import extract_article

    hint = args.profile or _registry_profile(args.url)
    succeeded = failed = 0
    for page in pages:
        try:
            article = extract_article(read_page(page), url=args.url, profile=hint)
        except (TinlaodongError, OSError, EOFError) as exc:
            failed += 1
            _report_failure(page, exc)
            continue
        succeeded += 1
        print(_render(article, page, as_json=args.json), flush=True)
    if failed:
        return 2 if not succeeded else 1
    return 0


def expand(paths: list[Path]) -> Iterator[Path]:
    """Each path, or the pages in a directory (sorted); missing paths pass through to fail."""
    for path in paths:
        if path.is_dir():
            yield from sorted(p for p in path.iterdir() if p.is_file() and is_page(p))
        else:
            yield path


def is_page(path: Path) -> bool:
    return path.name.lower().endswith(PAGE_SUFFIXES)


def read_page(path: Path) -> bytes:
    data = path.read_bytes()
    return gzip.decompress(data) if path.name.lower().endswith(".gz") else data


def _registry_profile(url: str | None) -> str | None:
    """The profile the site registry gives the URL's host, if any."""
    if not url:
        return None
    from aggregator.registry import load_registry

    site = load_registry().site_for_url(url)
    return site.profile if site else None


def _report_failure(page: Path, exc: BaseException) -> None:
    if isinstance(exc, FileNotFoundError):
        reason = "no such file"
    elif isinstance(exc, OSError):
        reason = exc.strerror or str(exc)
    elif isinstance(exc, EOFError | gzip.BadGzipFile):
        reason = f"not a readable gzip file ({exc})"
    else:
        # ExtractionError messages start with the "where" extract_article was given.
        reason = str(exc).removeprefix("page: ")
    print(f"tinlaodong extract: {page}: {reason}", file=sys.stderr, flush=True)


def _render(article: Article, page: Path, *, as_json: bool) -> str:
    if as_json:
        return json.dumps(article.to_json_dict(str(page)), ensure_ascii=False)
    published = shown_published(article.published, article.date_only) or "no date"
    paragraphs = article.text.count("\n\n") + 1
    lines = [
        f"{page}: {article.title or '(no title)'}",
        f"  {published} | {article.author or 'no author'} | {article.profile} | "
        f"{paragraphs} paragraphs, {len(article.text)} chars, {len(article.images)} images",
    ]
    if article.lead:
        lines.append(f"  lead: {_one_line(article.lead, LEAD_CHARS)}")
    return "\n".join(lines)


def _one_line(text: str, limit: int) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= limit else flat[:limit].rsplit(" ", 1)[0] + "…"
