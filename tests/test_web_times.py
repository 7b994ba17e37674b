"""feeds.web.times: what the page says of a time, against a fixed now."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from aggregator.dates import VIETNAM
from feeds.web.times import absolute, relative

NOW = datetime(2026, 12, 6, 15, 0, tzinfo=VIETNAM)


@pytest.mark.parametrize(
    ("when", "date_only", "vi", "en"),
    [
        (NOW - timedelta(seconds=20), False, "vừa xong", "just now"),
        (NOW + timedelta(minutes=3), False, "vừa xong", "just now"),  # a clock ahead
        (NOW - timedelta(minutes=5), False, "5 phút trước", "5 minutes ago"),
        (NOW - timedelta(hours=2), False, "2 giờ trước", "2 hours ago"),
        (NOW - timedelta(hours=14), False, "14 giờ trước", "14 hours ago"),  # 01:00 today
        (NOW - timedelta(hours=16), False, "hôm qua", "yesterday"),  # 23:00 yesterday
        (NOW - timedelta(days=3), False, "3 ngày trước", "3 days ago"),
        (datetime(2026, 12, 6, tzinfo=VIETNAM), True, "hôm nay", "today"),
        (datetime(2026, 12, 5, tzinfo=VIETNAM), True, "hôm qua", "yesterday"),
        (datetime(2026, 12, 2, tzinfo=VIETNAM), True, "4 ngày trước", "4 days ago"),
        (NOW - timedelta(days=14), False, "2 tuần trước", "2 weeks ago"),
    ],
)
def test_relative(when: datetime, date_only: bool, vi: str, en: str) -> None:
    assert relative(when, NOW, "vi", date_only) == vi
    assert relative(when, NOW, "en", date_only) == en


def test_absolute_is_in_vietnam_labelled_and_a_day_has_no_time() -> None:
    utc = datetime.fromisoformat("2026-12-06T01:30:00+00:00")
    assert absolute(utc) == "06/12/2026 08:30 (+07:00)"
    assert absolute(datetime(2026, 12, 5, tzinfo=VIETNAM), date_only=True) == "05/12/2026"
