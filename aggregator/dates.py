"""Dates as Vietnamese news pages print them, read as timezone-aware datetimes.

Always day first: "05/03/2024" is 5 March. Local times are Asia/Ho_Chi_Minh. The forms seen
on the portals are read by regular expressions (exact and ~100x faster than dateparser,
which also returns None on prefixed forms such as "Ngày đăng: 12/03/2025 08:30"); dateparser
is the fallback for everything else (month names, "24 tháng 7, 2024", ...).

Forms covered by the regular expressions::

    THỨ TƯ, NGÀY 24 THÁNG 07 NĂM 2024 12:55
    21/12/2012 | 12:00 AM            (Liferay asset date)
    24/07/2024 12:55   24/07/2024 - 12:55   Thứ tư, 24/07/2024 12:55   12:55 24/07/2024
    Ngày đăng: 12/03/2025 08:30      24-07-2024   24.07.2024
    2024-07-24T12:55:00+07:00        (ISO 8601, article:published_time)
"""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import dateparser

VIETNAM = ZoneInfo("Asia/Ho_Chi_Minh")
# A page's clock (or ours) may run a little fast; beyond this a date is an error, not news.
FUTURE_TOLERANCE = timedelta(hours=1)

_ISO = re.compile(
    r"\d{4}-\d{2}-\d{2}(?:[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?)?(?:Z|[+-]\d{2}:?\d{2})?"
)
_DMY = re.compile(r"(?<!\d)(\d{1,2})\s*[/.-]\s*(\d{1,2})\s*[/.-]\s*(\d{4})(?!\d)")
_WORDY = re.compile(r"ngày\s+(\d{1,2})\s+tháng\s+(\d{1,2})\s+năm\s+(\d{4})", re.IGNORECASE)
# "12:55", "12h55", "12:00 AM", "3:53 CH" (chiều = PM, sáng = AM).
_TIME = re.compile(
    r"(?<!\d)(\d{1,2})\s*[:h]\s*(\d{2})(?::(\d{2}))?(?:\s*(AM|PM|SA|CH|sáng|chiều|tối))?(?![\d/])",
    re.IGNORECASE,
)
_PM = {"pm", "ch", "chiều", "tối"}
_AM = {"am", "sa", "sáng"}

_DATEPARSER_SETTINGS = {
    "DATE_ORDER": "DMY",
    "TIMEZONE": "Asia/Ho_Chi_Minh",
    "RETURN_AS_TIMEZONE_AWARE": True,
    # No filling in today's day or month: "12:55" alone is not a date.
    "REQUIRE_PARTS": ["day", "month", "year"],
    "PREFER_DATES_FROM": "past",
}


def parse_vietnamese_date(text: str, *, now: datetime | None = None) -> datetime | None:
    """The date and time ``text`` shows, timezone-aware, or None.

    None when nothing is recognised, the date does not exist, or it lies in the future
    (compared with ``now``, default the current time; a naive ``now`` is taken as Vietnam time).
    """
    text = " ".join(text.split())
    if not text:
        return None
    found = _from_iso(text) or _from_patterns(text) or _from_dateparser(text)
    if found is None:
        return None
    reference = now or datetime.now(VIETNAM)
    if reference.tzinfo is None:
        reference = reference.replace(tzinfo=VIETNAM)
    return None if found > reference + FUTURE_TOLERANCE else found


def _from_iso(text: str) -> datetime | None:
    match = _ISO.fullmatch(text)
    if not match:
        return None
    try:
        value = datetime.fromisoformat(text.replace(" ", "T", 1))
    except ValueError:
        return None
    return value if value.tzinfo else value.replace(tzinfo=VIETNAM)


def _from_patterns(text: str) -> datetime | None:
    match = _WORDY.search(text) or _DMY.search(text)
    if not match:
        return None
    day, month, year = (int(g) for g in match.groups())
    # The time is usually after the date, sometimes before it ("12:55 24/07/2024").
    rest = text[match.end() :] + " " + text[: match.start()]
    hour, minute, second = _time_of(rest)
    try:
        return datetime(year, month, day, hour, minute, second, tzinfo=VIETNAM)
    except ValueError:  # 31/02, 25:00 ...
        return None


def _time_of(text: str) -> tuple[int, int, int]:
    match = _TIME.search(text)
    if not match:
        return 0, 0, 0
    hour, minute = int(match[1]), int(match[2])
    second = int(match[3] or 0)
    marker = (match[4] or "").lower()
    if marker in _PM and hour < 12:
        hour += 12
    elif marker in _AM and hour == 12:
        hour = 0
    return hour, minute, second


def _from_dateparser(text: str) -> datetime | None:
    value = dateparser.parse(text, languages=["vi", "en"], settings=_DATEPARSER_SETTINGS)  # type: ignore[arg-type]
    if value is None:
        return None
    return value if value.tzinfo else value.replace(tzinfo=VIETNAM)
