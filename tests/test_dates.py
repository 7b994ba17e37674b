"""Dates as Vietnamese pages print them."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from aggregator.dates import VIETNAM, parse_vietnamese_date

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
