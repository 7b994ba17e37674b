"""Per-field accuracy of ``extract_article`` on real Vietnamese article pages.

Data: ``../shared/corpus/vn-dev`` (``pages/NN.html`` and ``expected.json``, read by hand),
read at run time. Both sides are normalised the way the corpus's README says (HTML entities
decoded, NFC, whitespace collapsed with NBSP as whitespace, U+200B and U+FEFF removed), then:

- title: equal to ``title`` or ``title_alt``;
- date: the day of ``published`` or ``published_alt`` (none expected: none extracted);
- time: on pages showing a time, the hour and minute of ``published`` or ``published_alt``;
- author: equal to ``author`` or ``author_alt`` (none expected: none extracted);
- body start / end: ``body_start`` within the first, ``body_end`` within the last
  ``len + SLACK`` characters of the text;
- captions: each expected caption somewhere in the text (counted per caption).

    .venv/bin/python bench/vn_dev_eval.py [--corpus DIR] [--verbose] [--json FILE]
"""

from __future__ import annotations

import argparse
import html
import json
import logging
import re
import sys
import unicodedata
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

from aggregator.exceptions import TinlaodongError
from aggregator.extraction import extract_article
from aggregator.models import Article

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_CORPUS = ROOT.parent / "shared" / "corpus" / "vn-dev"
SLACK = 200
FIELDS = ("title", "date", "time", "author", "body_start", "body_end", "captions")
_VIETNAM = timezone(timedelta(hours=7))
_SPACE = re.compile(r"\s+")


def norm(text: str | None) -> str:
    if text is None:
        return ""
    text = unicodedata.normalize("NFC", html.unescape(text))
    text = text.replace("\u200b", "").replace("\ufeff", "").replace("\xa0", " ")
    return _SPACE.sub(" ", text).strip()


def _expected_times(entry: dict[str, Any]) -> list[str]:
    return [v for v in (entry["published"], entry.get("published_alt")) if v]


def _local(value: datetime) -> datetime:
    return value.astimezone(_VIETNAM) if value.tzinfo else value


def score(entry: dict[str, Any], article: Article | None) -> dict[str, tuple[int, int]]:
    """(right, counted) per field for one page."""
    got: dict[str, tuple[int, int]] = {}
    title = norm(article.title if article else None)
    titles = {norm(entry["title"]), norm(entry.get("title_alt"))} - {""}
    got["title"] = (int(title in titles), 1)

    published = _local(article.published) if article and article.published else None
    expected = _expected_times(entry)
    if not expected:
        got["date"] = (int(published is None), 1)
    else:
        days = {value[:10] for value in expected}
        got["date"] = (int(published is not None and f"{published:%Y-%m-%d}" in days), 1)
    with_time = [value for value in expected if "T" in value]
    if with_time:
        stamps = {value[:16] for value in with_time}
        right = published is not None and f"{published:%Y-%m-%dT%H:%M}" in stamps
        got["time"] = (int(right), 1)

    author = norm(article.author if article else None)
    authors = {norm(entry["author"]), norm(entry.get("author_alt"))} - {""}
    got["author"] = (int(author in authors if authors else not author), 1)

    text = norm(article.text if article else None)
    start, end = norm(entry["body_start"]), norm(entry["body_end"])
    got["body_start"] = (int(start in text[: len(start) + SLACK]), 1)
    got["body_end"] = (int(end in text[-(len(end) + SLACK) :]), 1)
    captions = [norm(c) for c in entry.get("captions") or []]
    got["captions"] = (sum(1 for c in captions if c in text), len(captions))
    return got


def extract(path: Path, url: str | None) -> Article | None:
    try:
        return extract_article(path.read_bytes(), url=url)
    except TinlaodongError:
        return None


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS)
    parser.add_argument("--verbose", action="store_true", help="print each miss")
    parser.add_argument("--json", type=Path, help="write per-page results here")
    args = parser.parse_args(argv)
    expected_file = args.corpus / "expected.json"
    if not expected_file.is_file():
        print(f"vn_dev_eval: no corpus at {args.corpus}: nothing to measure", file=sys.stderr)
        return 2
    logging.disable(logging.WARNING)
    entries = json.loads(expected_file.read_text(encoding="utf-8"))
    totals = {field: [0, 0] for field in FIELDS}
    pages: dict[str, dict[str, Any]] = {}
    for entry in entries:
        article = extract(args.corpus / "pages" / entry["file"], entry["url"])
        result = score(entry, article)
        for field, (right, counted) in result.items():
            totals[field][0] += right
            totals[field][1] += counted
        pages[entry["file"]] = {
            "scores": result,
            "title": article.title if article else None,
            "published": article.published.isoformat() if article and article.published else None,
            "author": article.author if article else None,
            "text_start": norm(article.text)[:120] if article else None,
            "text_end": norm(article.text)[-120:] if article else None,
        }
        if args.verbose:
            misses = [f for f, (right, counted) in result.items() if right < counted]
            if misses:
                print(f"{entry['file']}: {', '.join(misses)}")
                for field in misses:
                    print(f"    {field}: {pages[entry['file']].get(_shown(field))!r}")
    print(f"{len(entries)} pages of {args.corpus}\n")
    print(f"{'field':<12}{'right':>7}{'of':>5}{'share':>8}")
    for field, (right, counted) in totals.items():
        print(f"{field:<12}{right:>7}{counted:>5}{right / counted if counted else 0:>8.3f}")
    if args.json:
        args.json.write_text(
            json.dumps({"totals": totals, "pages": pages}, ensure_ascii=False, indent=1),
            encoding="utf-8",
        )
    return 0


def _shown(field: str) -> str:
    return {
        "date": "published",
        "time": "published",
        "body_start": "text_start",
        "body_end": "text_end",
        "captions": "text_end",
    }.get(field, field)


if __name__ == "__main__":
    sys.exit(main())
