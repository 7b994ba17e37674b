"""Dates as Vietnamese pages print them."""

from __future__ import annotations

import gzip
import re
from datetime import UTC, date, datetime, timedelta, timezone
from pathlib import Path

import pytest

from aggregator.dates import VIETNAM, parse_shown_date, parse_vietnamese_date, shows_time
from aggregator.extraction import extract_article

NOW = datetime(2025, 6, 1, 12, 0, tzinfo=VIETNAM)


@pytest.mark.parametrize(
    ("shown", "expected"),
    [
        ("THỨ TƯ, NGÀY 24 THÁNG 07 NĂM 2024 12:55", datetime(2024, 7, 24, 12, 55)),
        ("21/12/2012 | 12:00 AM", datetime(2012, 12, 21, 0, 0)),
        ("14/07/2022 | 03:53 PM", datetime(2022, 7, 14, 15, 53)),
        ("24/07/2024 12:55", datetime(2024, 7, 24, 12, 55)),
        ("24/07/2024 - 12:55", datetime(2024, 7, 24, 12, 55)),
        ("Ngày đăng: 12/03/2025 08:30", datetime(2025, 3, 12, 8, 30)),
        ("Thứ tư, 24/07/2024 12:55", datetime(2024, 7, 24, 12, 55)),
        ("Cập nhật lúc 10:30 ngày 05/03/2024", datetime(2024, 3, 5, 10, 30)),
        ("24 tháng 7, 2024", datetime(2024, 7, 24)),
        # WebSphere and SharePoint print a 12-hour clock with SA (sáng, AM) / CH (chiều, PM).
        ("Ngày 24/07/2024 - 12:55", datetime(2024, 7, 24, 12, 55)),
        ("24/07/2024 12:55:00 CH", datetime(2024, 7, 24, 12, 55)),
        ("Ngày đăng: 14/11/2024 03:20:00 CH", datetime(2024, 11, 14, 15, 20)),
        ("05/03/2024 07:30:00 SA", datetime(2024, 3, 5, 7, 30)),
        ("05/03/2024 12:10:00 SA", datetime(2024, 3, 5, 0, 10)),
        ("09/10/2024 02:05 CH", datetime(2024, 10, 9, 14, 5)),
        ("Cập nhật lúc 08:30 ngày 27/12/2024", datetime(2024, 12, 27, 8, 30)),
    ],
)
def test_local_times_are_vietnam_time(shown: str, expected: datetime) -> None:
    assert parse_vietnamese_date(shown, now=NOW) == expected.replace(tzinfo=VIETNAM)


def test_day_comes_first() -> None:
    found = parse_vietnamese_date("05/03/2024", now=NOW)
    assert found is not None and (found.day, found.month) == (5, 3)


def test_iso_keeps_its_offset() -> None:
    found = parse_vietnamese_date("2024-07-24T05:55:00Z", now=NOW)
    assert found == datetime(2024, 7, 24, 5, 55, tzinfo=UTC)
    assert parse_vietnamese_date("2024-07-24T12:55:00+07:00", now=NOW) == found


@pytest.mark.parametrize("shown", ["", "Xem theo ngày", "12:55", "31/02/2024", "Lượt xem: 1234"])
def test_no_date_gives_none(shown: str) -> None:
    assert parse_vietnamese_date(shown, now=NOW) is None


def test_future_dates_are_rejected() -> None:
    assert parse_vietnamese_date("02/06/2025 12:00", now=NOW) is None
    assert parse_vietnamese_date("01/06/2025 12:30", now=NOW) is not None  # clock skew
    assert parse_vietnamese_date("01/06/2025 12:00", now=NOW - timedelta(days=1)) is None


def test_results_are_always_timezone_aware() -> None:
    found = parse_vietnamese_date("24/07/2024", now=NOW.replace(tzinfo=None))
    assert found is not None and found.utcoffset() == timedelta(hours=7)


@pytest.mark.parametrize(
    ("shown", "expected"),
    [
        ("Cập nhật lúc 08:30 ngày 24/07/2024", datetime(2024, 7, 24, 8, 30)),
        ("Thứ Tư, 24/7/2024, 12:55 (GMT+7)", datetime(2024, 7, 24, 12, 55)),
        ("03/04/2020 | 10:36 PM", datetime(2020, 4, 3, 22, 36)),
        ("Quảng Trị, ngày 24 tháng 7 năm 2024", datetime(2024, 7, 24)),
        ("24 tháng 7 năm 2024", datetime(2024, 7, 24)),
        ("Lúc 8 giờ 30, ngày 24/07/2024", datetime(2024, 7, 24, 8, 30)),
        ("Thứ hai, 01/07/2024 07:05", datetime(2024, 7, 1, 7, 5)),
    ],
)
def test_more_page_forms(shown: str, expected: datetime) -> None:
    assert parse_vietnamese_date(shown, now=NOW) == expected.replace(tzinfo=VIETNAM)


@pytest.mark.parametrize(
    ("shown", "month"),
    [
        ("24 tháng năm, 2024", 5),
        ("24 Tháng Năm 2024", 5),
        ("ngày 24 tháng năm năm 2024", 5),
        ("NGÀY 24 THÁNG NĂM NĂM 2024", 5),
        # "năm" after a numbered month is the year, not May.
        ("ngày 24 tháng 7 năm 2024", 7),
        ("ngày 2 tháng mười một năm 2024", 11),
        ("ngày 2 tháng mười năm 2024", 10),
        ("ngày 2 tháng giêng năm 2024", 1),
    ],
)
def test_thang_nam_is_may_but_nam_is_also_the_year(shown: str, month: int) -> None:
    found = parse_vietnamese_date(shown, now=NOW)
    assert found is not None and (found.year, found.month) == (2024, month)


def test_gmt_offset_shown_on_the_page_is_kept() -> None:
    found = parse_vietnamese_date("24/07/2024 12:55 (GMT+9)", now=NOW)
    assert found is not None and found.utcoffset() == timedelta(hours=9)
    assert found == datetime(2024, 7, 24, 3, 55, tzinfo=UTC)
    # An offset is not a time of day.
    no_time = parse_vietnamese_date("24/07/2024 (GMT+07:00)", now=NOW)
    assert no_time == datetime(2024, 7, 24, tzinfo=VIETNAM)


@pytest.mark.parametrize(
    ("shown", "expected"),
    [
        ("2 giờ trước", datetime(2025, 6, 1, 10, 0)),
        ("30 phút trước", datetime(2025, 6, 1, 11, 30)),
        ("Cập nhật 3 ngày trước", datetime(2025, 5, 29, 12, 0)),
        ("hôm qua", datetime(2025, 5, 31)),
        ("Hôm qua lúc 08:30", datetime(2025, 5, 31, 8, 30)),
        ("07:15 hôm nay", datetime(2025, 6, 1, 7, 15)),
    ],
)
def test_relative_dates_count_back_from_now(shown: str, expected: datetime) -> None:
    assert parse_vietnamese_date(shown, now=NOW) == expected.replace(tzinfo=VIETNAM)


def test_relative_dates_use_vietnam_days_whatever_the_zone_of_now() -> None:
    utc_now = datetime(2025, 5, 31, 20, 0, tzinfo=UTC)  # 1 June, 03:00 in Hà Nội
    assert parse_vietnamese_date("hôm qua", now=utc_now) == datetime(2025, 5, 31, tzinfo=VIETNAM)


@pytest.mark.parametrize(
    ("shown", "expected"),
    [
        # article:published_time and JSON-LD datePublished keep their own offsets.
        ("2024-07-24T12:55:00+07:00", datetime(2024, 7, 24, 12, 55, tzinfo=VIETNAM)),
        ("2024-07-24T12:55:00.000+0700", datetime(2024, 7, 24, 12, 55, tzinfo=VIETNAM)),
        (
            "2024-07-24T08:55:00+03:00",
            datetime(2024, 7, 24, 8, 55, tzinfo=timezone(timedelta(hours=3))),
        ),
        ("2024-07-24 12:55:00", datetime(2024, 7, 24, 12, 55, tzinfo=VIETNAM)),
        ("2024-07-24", datetime(2024, 7, 24, tzinfo=VIETNAM)),
    ],
)
def test_iso_8601(shown: str, expected: datetime) -> None:
    found = parse_vietnamese_date(shown, now=NOW)
    assert found == expected
    assert found is not None and found.utcoffset() == expected.utcoffset()


def test_a_future_date_is_never_the_date() -> None:
    assert parse_vietnamese_date("Hạn nộp hồ sơ: 30/08/2025", now=NOW) is None
    assert parse_vietnamese_date("2099-01-01T00:00:00+07:00", now=NOW) is None
    assert parse_vietnamese_date("ngày 1 tháng mười hai năm 2025", now=NOW) is None


@pytest.mark.parametrize(
    ("shown", "timed"),
    [
        ("24/07/2024 12:55", True),
        ("Cập nhật lúc 08:30 ngày 24/07/2024", True),
        ("03/04/2020 | 10:36 PM", True),
        ("2024-07-24T12:55:00+07:00", True),
        ("24/07/2024", False),
        ("24/07/2024 (GMT+7)", False),
        ("2024-07-24", False),
        ("Quảng Trị, ngày 24 tháng 7 năm 2024", False),
    ],
)
def test_shows_time(shown: str, timed: bool) -> None:
    assert shows_time(shown) is timed


@pytest.mark.parametrize(
    "zero",
    [
        "0001-01-01T00:00:00Z",  # Go's zero time (Hugo and other Go CMSs, on an undated page)
        "0001-01-01T00:00:00+00:00",
        "1/1/0001 12:00:00 AM",  # .NET's DateTime.MinValue
        "Mon, 01 Jan 0001 00:00:00 GMT",
        "January 1, 0001",  # dateparser moved it out of range: OverflowError
    ],
)
def test_a_zero_value_written_as_a_date_is_no_date(zero: str) -> None:
    assert parse_vietnamese_date(zero, now=NOW) is None
    assert parse_shown_date(zero, now=NOW) is None


@pytest.fixture
def ap_news_page(shared_dir: Path) -> bytes:
    """A real English news page (AP), from ../shared/corpus/fundus-eval."""
    return gzip.decompress((shared_dir / "corpus/fundus-eval/html/APNews_0.html.gz").read_bytes())


def test_a_real_page_whose_json_ld_date_is_go_zero_time_is_dated_by_its_meta_tag(
    ap_news_page: bytes,
) -> None:
    """The page as a Go CMS writes it when its JSON-LD has no date: ``datePublished`` is the
    zero time. Its meta tag's date counts."""
    html = ap_news_page
    zeroed = re.sub(rb'"datePublished":"[^"]+"', b'"datePublished":"0001-01-01T00:00:00Z"', html)
    assert b'"datePublished":"0001-01-01T00:00:00Z"' in zeroed
    url = "https://apnews.com/article/fact-check-mossad-air-force-enemy-israel-596187204627"
    article = extract_article(zeroed, url=url)
    # As the tag writes it, without an offset: Vietnam's time, as every unmarked time.
    assert article.published == datetime(2024, 2, 26, 21, 10, 43, 555000, tzinfo=VIETNAM)


def test_a_real_page_whose_every_structured_date_is_zero_is_not_dated_year_one(
    ap_news_page: bytes,
) -> None:
    html = ap_news_page
    zeroed = re.sub(rb'"datePublished":"[^"]+"', b'"datePublished":"0001-01-01T00:00:00Z"', html)
    zeroed = re.sub(
        rb'(property="article:published_time" content=")[^"]+"',
        rb'\g<1>0001-01-01T00:00:00Z"',
        zeroed,
    )
    assert b'published_time" content="0001-01-01T00:00:00Z"' in zeroed
    published = extract_article(zeroed).published
    # The day the page shows, as trafilatura reads it (not year 1, which no reader sees).
    assert published is not None and published.date() == date(2024, 2, 26)
