"""Dates as Vietnamese news pages print them, read as timezone-aware datetimes.

Always day first: "05/03/2024" is 5 March. Local times are Asia/Ho_Chi_Minh unless the text
names its offset ("(GMT+7)", ISO 8601 "+07:00", "Z"). The forms seen on the portals are read
by regular expressions: exact and ~100x faster than dateparser, which also returns None on
prefixed forms ("Ngày đăng: 12/03/2025 08:30", "Quảng Trị, ngày 24 tháng 7 năm 2024",
"24 Tháng Năm 2024") and gives "hôm qua" the current clock time. dateparser is the fallback
for everything else (English month names, "24 tháng 7, 2024", ...).

Forms covered by the regular expressions::

    THỨ TƯ, NGÀY 24 THÁNG 07 NĂM 2024 12:55   Quảng Trị, ngày 24 tháng 7 năm 2024
    24 tháng Năm 2024 / ngày 1 tháng năm năm 2024   (month names: "tháng năm" is May)
    21/12/2012 | 12:00 AM   03/04/2020 | 10:36 PM   24/07/2024 12:55:00 CH
    24/07/2024 12:55   24/07/2024 - 12:55   Thứ tư, 24/07/2024 12:55   12:55 24/07/2024
    Thứ Tư, 24/7/2024, 12:55 (GMT+7)   Ngày đăng: 12/03/2025 08:30   24-07-2024   24.07.2024
    Cập nhật lúc 08:30 ngày 24/07/2024
    2 giờ trước   30 phút trước   3 ngày trước   hôm qua   hôm qua lúc 08:30   hôm nay 07:15
    2024-07-24T12:55:00+07:00        (ISO 8601: article:published_time, JSON-LD datePublished)
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta, timezone, tzinfo
from zoneinfo import ZoneInfo

VIETNAM = ZoneInfo("Asia/Ho_Chi_Minh")
# A page's clock (or ours) may run a little fast; beyond this a date is an error, not news.
FUTURE_TOLERANCE = timedelta(hours=1)

# A page dated before this shows a CMS default (1970: the Unix epoch; 1900), not when it was
# published: the web reached Vietnam in 1997, its labour departments' portals years later.
EARLIEST_PLAUSIBLE = datetime(1995, 1, 1, tzinfo=UTC)


# A year before this is no date but a zero value written out: Go's zero time and .NET's
# DateTime.MinValue ("0001-01-01T00:00:00Z", "1/1/0001 12:00:00 AM") where a CMS has no date
# for a page. Read as no date, so that the page's next date counts (unlike 1900 or the epoch,
# which some CMSs print as a date and are read as shown, then set aside by the crawl).
FIRST_YEAR = 1000
_ZERO_YEAR = re.compile(r"(?<![\d.:+-])0\d{3}(?!\d)")


def zero_date(text: str) -> bool:
    """Whether ``text`` writes a year before :data:`FIRST_YEAR` ("0001-01-01T00:00:00Z"):
    a placeholder, not a date."""
    return _ZERO_YEAR.search(text) is not None


def plausible_date(published: datetime, seen: datetime) -> bool:
    """Whether a page's date can be when it was published: not before
    :data:`EARLIEST_PLAUSIBLE`, not after ``seen`` (when we fetched it) by more than a clock's
    error. Other dates would pin a story to the top of every feed, or bury it at the bottom."""
    return EARLIEST_PLAUSIBLE <= published <= seen + FUTURE_TOLERANCE


_ISO = re.compile(
    r"\d{4}-\d{2}-\d{2}(?:[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?)?(?:Z|[+-]\d{2}:?\d{2})?"
)
_DMY = re.compile(r"(?<!\d)(\d{1,2})\s*[/.-]\s*(\d{1,2})\s*[/.-]\s*(\d{4})(?!\d)")
# Month names, longest first so that "mười một" is not read as "mười". "năm" is both May
# ("tháng năm") and "year" ("tháng 7 năm 2024"): only the word right after "tháng" is a month.
_MONTH_WORDS = {
    "mười một": 11, "mười hai": 12, "chạp": 12, "mười": 10, "giêng": 1, "một": 1, "hai": 2,
    "ba": 3, "tư": 4, "bốn": 4, "năm": 5, "sáu": 6, "bảy": 7, "tám": 8, "chín": 9,
}  # fmt: skip
_MONTH = "|".join(_MONTH_WORDS)
_WORDY = re.compile(
    rf"(?<!\d)(\d{{1,2}})\s+tháng\s+(\d{{1,2}}|{_MONTH})(?:\s*,\s*|\s+năm\s+|\s+)(\d{{4}})(?!\d)",
    re.IGNORECASE,
)
# "12:55", "12h55", "8 giờ 30", "12:00 AM", "3:53 CH" (chiều = PM, sáng = AM).
_TIME = re.compile(
    r"(?<!\d)(\d{1,2})\s*(?:[:h]|giờ)\s*(\d{2})(?::(\d{2}))?"
    # The marker must end a word: "CH" of "Chủ nhật" after a time is not chiều.
    r"(?:\s*(AM|PM|SA|CH|sáng|chiều|tối)\b)?(?![\d/])",
    re.IGNORECASE,
)
_PM = {"pm", "ch", "chiều", "tối"}
_AM = {"am", "sa", "sáng"}
# "(GMT+7)", "GMT+07:00", "UTC+7".
_OFFSET = re.compile(r"\b(?:GMT|UTC)\s*([+-])\s*(\d{1,2})(?::?(\d{2}))?", re.IGNORECASE)
_AGO = re.compile(r"(?<!\d)(\d{1,3})\s*(giây|phút|giờ|tiếng|ngày|tuần)\s+trước", re.IGNORECASE)
_AGO_UNITS = {
    "giây": timedelta(seconds=1), "phút": timedelta(minutes=1), "giờ": timedelta(hours=1),
    "tiếng": timedelta(hours=1), "ngày": timedelta(days=1), "tuần": timedelta(weeks=1),
}  # fmt: skip
_DAY_WORD = re.compile(r"\bhôm\s+(nay|qua|kia)\b", re.IGNORECASE)
_DAYS_BACK = {"nay": 0, "qua": 1, "kia": 2}

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

    Relative dates ("2 giờ trước", "hôm qua") count back from ``now``. None when nothing is
    recognised, the date does not exist, or it lies in the future (compared with ``now``,
    default the current time; a naive ``now`` is taken as Vietnam time).
    """
    text = " ".join(text.split())
    if not text:
        return None
    reference = _reference(now)
    found = (
        _from_iso(text)
        or _from_patterns(text)
        or _from_relative(text, reference)
        or _from_dateparser(text)
    )
    if found is None or found.year < FIRST_YEAR:
        return None
    return None if found > reference + FUTURE_TOLERANCE else found


def parse_shown_date(text: str, *, now: datetime | None = None) -> datetime | date | None:
    """What a date line shows: a datetime when it shows a time of day, a plain ``date`` when
    it shows only a day, or a placeholder time (Liferay prints "12:00 AM" for stories
    entered without one; a midnight clock is a CMS default far more often than a story
    published on the stroke of midnight)."""
    text = _publication_part(text)
    found = parse_vietnamese_date(text, now=now)
    if found is None or _AGO.search(text):
        return found
    if not shows_time(text) or (found.hour, found.minute, found.second) == (0, 0, 0):
        return found.astimezone(VIETNAM).date() if found.tzinfo else found.date()
    return found


def _publication_part(text: str) -> str:
    """Of a line giving both when a story was published and when it was updated ("Đăng lúc
    08:30 05/03/2024 | Cập nhật lúc 10:05 06/03/2024"), the publication's part: read whole,
    the day of one and the time of the other mix."""
    marks = list(_STAMP_MARK.finditer(text))
    if not any(m.group("update") for m in marks) or not any(m.group("publish") for m in marks):
        return text
    for mark, following in zip(marks, [*marks[1:], None], strict=True):
        if mark.group("publish"):
            part = text[mark.start() : following.start() if following else len(text)]
            if any(c.isdigit() for c in part):
                return part
    return text


# What a date line says its dates are: the publication's, or an update's.
_STAMP_MARK = re.compile(
    r"(?P<publish>\b(?:ngày\s+)?(?:đăng|xuất bản|published|posted)\b)"
    r"|(?P<update>\b(?:ngày\s+)?(?:cập nhật|sửa|chỉnh sửa|updated|modified)\b)",
    re.IGNORECASE,
)


def local_midnight(day: date) -> datetime:
    """The start of ``day`` in Vietnam: where a date-only story sorts."""
    return datetime(day.year, day.month, day.day, tzinfo=VIETNAM)


def shows_time(text: str) -> bool:
    """Whether ``text`` gives a time of day, not only a day ("24/07/2024" does not)."""
    if _ISO.fullmatch(text.strip()):
        return "T" in text or ":" in text
    return bool(_TIME.search(_OFFSET.sub(" ", text)))


def _reference(now: datetime | None) -> datetime:
    reference = now or datetime.now(VIETNAM)
    return reference if reference.tzinfo else reference.replace(tzinfo=VIETNAM)


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
    day, year = int(match[1]), int(match[3])
    month = _month(match[2])
    zone, text = _zone_of(text)
    # The time is usually after the date, sometimes before it ("12:55 24/07/2024").
    rest = text[match.end() :] + " " + text[: match.start()]
    hour, minute, second = _time_of(rest)
    try:
        return datetime(year, month, day, hour, minute, second, tzinfo=zone)
    except ValueError:  # 31/02, 25:00 ...
        return None


def _month(shown: str) -> int:
    return int(shown) if shown.isdigit() else _MONTH_WORDS[" ".join(shown.lower().split())]


def _zone_of(text: str) -> tuple[tzinfo, str]:
    """The zone an offset in ``text`` names (Vietnam's by default) and ``text`` without it,
    so that "GMT+07:00" is not read as a time of day."""
    match = _OFFSET.search(text)
    if not match:
        return VIETNAM, text
    sign = -1 if match[1] == "-" else 1
    offset = sign * timedelta(hours=int(match[2]), minutes=int(match[3] or 0))
    zone: tzinfo = VIETNAM if offset == timedelta(hours=7) else timezone(offset)
    return zone, text[: match.start()] + " " + text[match.end() :]


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


def _from_relative(text: str, now: datetime) -> datetime | None:
    """ "2 giờ trước" (to the minute), "hôm qua" (the day, with its time if shown)."""
    now = now.astimezone(VIETNAM)
    ago = _AGO.search(text)
    if ago:
        value = now - int(ago[1]) * _AGO_UNITS[ago[2].lower()]
        return value.replace(second=0, microsecond=0)
    day = _DAY_WORD.search(text)
    if not day:
        return None
    date = now.date() - timedelta(days=_DAYS_BACK[day[1].lower()])
    hour, minute, second = _time_of(text[day.end() :] + " " + text[: day.start()])
    try:
        return datetime(date.year, date.month, date.day, hour, minute, second, tzinfo=VIETNAM)
    except ValueError:
        return None


def _from_dateparser(text: str) -> datetime | None:
    # Imported on first use: a slow import, and most processes never fall back to it (a
    # re-crawl with nothing new is short; the extraction workers have it preloaded).
    import dateparser

    try:
        value = dateparser.parse(text, languages=["vi", "en"], settings=_DATEPARSER_SETTINGS)  # type: ignore[arg-type]
    except OverflowError:  # "January 1, 0001": a year-1 placeholder moved out of range
        return None
    if value is None:
        return None
    return value if value.tzinfo else value.replace(tzinfo=VIETNAM)
