"""``tinlaodong try``: what a profile (or discovery) finds on one page, to write profiles against
evidence (what it shows: DESCRIPTION, its --help)."""

from __future__ import annotations

import argparse
import json
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from aggregator.cli.extract_cmd import read_page
from aggregator.cli.options import seconds
from aggregator.exceptions import ConfigError, FetchError, TinlaodongError
from aggregator.profiles import PROFILES, PageData, detect_profile

# Extraction (trafilatura) and the crawl's modules (Scrapy) are imported when the command
# runs: `tinlaodong --help` builds this parser too.
from aggregator.registry import load_registry

SHOWN_LINKS = 15

# What `tinlaodong try --help` says: plain sentences, as a terminal shows them.
DESCRIPTION = """\
Show what a profile (or discovery) finds on one page, to write profiles against evidence:
the profile chosen, the listing's article links and next page, and the article fields
extraction reads, for a URL or a saved file.
"""


def register(subparsers: argparse._SubParsersAction, parent: argparse.ArgumentParser) -> None:
    parser = subparsers.add_parser(
        "try",
        parents=[parent],
        help="show what tinlaodong finds on one page (URL or file)",
        description=DESCRIPTION,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("target", metavar="URL_OR_FILE")
    parser.add_argument("--profile", choices=sorted(PROFILES), help="page object to use")
    parser.add_argument("--url", help="for a file: the URL it came from (resolves links)")
    parser.add_argument(
        "--timeout", type=seconds(zero=False), default=15.0, help="fetch timeout, seconds"
    )
    parser.add_argument("--json", action="store_true", help="one JSON object")
    parser.set_defaults(func=run)


@dataclass
class Findings:
    target: str
    url: str | None
    profile: str
    profile_from: str
    article_links: list[str] = field(default_factory=list)
    next_page: str | None = None
    feeds: list[str] = field(default_factory=list)
    article: dict[str, Any] | None = None
    article_error: str | None = None


def run(args: argparse.Namespace) -> int:
    page, url = _load(args.target, args.url, args.timeout)
    findings = inspect(page, args.target, url, args.profile)
    if args.json:
        print(json.dumps(findings.__dict__, ensure_ascii=False))
    else:
        _print(findings)
    return 0


def inspect(page: bytes, target: str, url: str | None, profile: str | None) -> Findings:
    from aggregator.extraction import extract_article, parse_html
    from spiders import discovery

    hint, source = profile, "--profile"
    if hint is None and url:
        site = load_registry().site_for_url(url)
        hint, source = (site.profile, f"registry entry {site.id}") if site else (None, "")
    tree = parse_html(page, where=target)
    data = PageData(tree, url)
    chosen = detect_profile(data, hint)
    if not hint:
        source = "recognised from the markup" if chosen.name != "generic" else "no profile knows it"
    listing = chosen.listing_page(data)
    findings = Findings(target, url, chosen.name, source)
    findings.article_links = list(discovery.unique(listing.article_links()))
    findings.next_page = listing.next_page()
    findings.feeds = discovery.feed_links(tree, url or "")
    try:
        findings.article = extract_article(page, url=url, profile=chosen.name).to_json_dict()
    except TinlaodongError as exc:
        findings.article_error = str(exc)
    return findings


def _load(target: str, url: str | None, timeout: float) -> tuple[bytes, str | None]:
    if target.startswith(("http://", "https://")):
        return _fetch(target, timeout), target
    path = Path(target)
    try:
        return read_page(path), url
    except FileNotFoundError:
        raise ConfigError(f"{target}: no such file (give a saved page or an http(s) URL)") from None
    except OSError as exc:
        raise ConfigError(f"{target}: {exc.strerror}") from exc


def _fetch(url: str, timeout: float) -> bytes:
    from spiders.settings import USER_AGENT

    # The operator asked for this one page: no robots.txt or private-network policy here.
    request = urllib.request.Request(url, headers={"User-Agent": USER_AGENT})
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            return bytes(response.read())
    except urllib.error.HTTPError as exc:
        raise FetchError(f"{url}: HTTP {exc.code}") from exc
    except (urllib.error.URLError, TimeoutError, OSError) as exc:
        reason = getattr(exc, "reason", exc)
        raise FetchError(f"{url}: cannot fetch ({reason})") from exc


def _print(f: Findings) -> None:
    print(f"{f.target}\n  profile: {f.profile} ({f.profile_from})")
    print(f"  listing: {len(f.article_links)} article links, next page: {f.next_page or 'none'}")
    for link in f.article_links[:SHOWN_LINKS]:
        print(f"    {link}")
    if len(f.article_links) > SHOWN_LINKS:
        print(f"    ... {len(f.article_links) - SHOWN_LINKS} more")
    if f.feeds:
        print(f"  feeds: {', '.join(f.feeds)}")
    if f.article is None:
        print(f"  article: none ({f.article_error})")
        return
    a = f.article
    text = str(a["text"])
    print(f"  article: {a['title'] or '(no title)'}")
    print(f"    published: {a['published'] or 'no date'} | author: {a['author'] or 'none'}")
    print(f"    language: {a['language']} | images: {len(a['images'])} | {len(text)} chars")
    if a["lead"]:
        print(f"    lead: {a['lead']}")
    preview = text[:300].replace("\n\n", " ¶ ")
    print(f"    text: {preview}{'…' if len(text) > 300 else ''}")
