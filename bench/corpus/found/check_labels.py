"""Check that every hand-read label in expected.json occurs in its page.

The pages are third-party material kept outside the project (see README.md);
pass their folder with --pages or FOUND_PAGES. Normalisation follows the vn-dev
README: HTML entities decoded, Unicode NFC, U+200B/U+FEFF dropped, whitespace
(NBSP included) collapsed. A label passes if it occurs in the page's markup or
in its text with the tags taken out, since a label may span inline tags.
"""

from __future__ import annotations

import argparse
import html
import json
import os
import re
import sys
import unicodedata
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
DEFAULT_PAGES = Path("/work/extra-corpus/pages")

_INVISIBLE = dict.fromkeys(map(ord, "\u200b\ufeff"))
_SPACES = re.compile(r"\s+")
_SCRIPTS = re.compile(r"<(script|style|noscript)\b.*?</\1\s*>", re.S | re.I)
# Inline tags vanish so that a label crossing <a>, <b>... still matches;
# every other tag separates words.
_INLINE = re.compile(r"</?(a|b|i|em|strong|span|font|u|sup|sub)\b[^>]*>", re.I)
_TAG = re.compile(r"<[^>]+>")


def normalise(text: str) -> str:
    text = unicodedata.normalize("NFC", html.unescape(text)).translate(_INVISIBLE)
    return _SPACES.sub(" ", text.replace("\xa0", " ")).strip()


def page_views(raw: str) -> tuple[str, str]:
    """The normalised markup, and the normalised text with tags removed."""
    text = _TAG.sub(" ", _INLINE.sub("", _SCRIPTS.sub(" ", raw)))
    return normalise(raw), normalise(text)


def date_shown(published: str, views: tuple[str, str]) -> bool:
    """The page shows the labelled day (d/m/yyyy in some spelling) and any time."""
    match = re.match(r"(\d{4})-(\d{2})-(\d{2})(?:T(\d{2}):(\d{2}))?", published)
    if match is None:
        return False
    year, month, day, hour, minute = match.groups()
    days = {day, day.lstrip("0")}
    months = {month, month.lstrip("0")}
    shown = any(
        f"{d}{sep}{m}{sep}{year}" in view
        for d in days
        for m in months
        for sep in "/-."
        for view in views
    )
    if hour is None:
        return shown
    times = {f"{hour}:{minute}", f"{hour.lstrip('0') or '0'}:{minute}"}
    return shown and any(t in view for t in times for view in views)


def label_strings(entry: dict[str, Any]) -> list[tuple[str, str]]:
    fields = ["title", "title_alt", "author", "author_alt", "lead", "body_start", "body_end"]
    found = [(name, entry[name]) for name in fields if entry.get(name)]
    found += [(f"captions[{i}]", caption) for i, caption in enumerate(entry.get("captions", []))]
    return found


def check(entry: dict[str, Any], pages: Path) -> list[str]:
    page = pages / entry["file"]
    if not page.is_file():
        return [f"page missing: {page}"]
    views = page_views(page.read_text(encoding="utf-8-sig"))
    problems = [
        f"{name} not in page: {value!r}"
        for name, value in label_strings(entry)
        if not any(normalise(value) in view for view in views)
    ]
    if entry.get("published") and not date_shown(entry["published"], views):
        problems.append(f"published date not shown on page: {entry['published']!r}")
    return problems


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--pages",
        type=Path,
        default=Path(os.environ.get("FOUND_PAGES", DEFAULT_PAGES)),
        help="folder holding the saved pages (default: $FOUND_PAGES or %(default)s)",
    )
    args = parser.parse_args(argv)
    entries = json.loads((HERE / "expected.json").read_text(encoding="utf-8"))
    failed = 0
    for entry in entries:
        problems = check(entry, args.pages)
        status = "ok" if not problems else "FAIL"
        print(f"{status:4} {entry['file']}")
        for problem in problems:
            print(f"     {problem}")
        failed += bool(problems)
    print(f"{len(entries) - failed} passed, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
