"""The store's times: kept in UTC without an offset (SQLite keeps none), shown in Vietnam's."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

LOCAL_TZ = ZoneInfo("Asia/Ho_Chi_Minh")


def to_utc(value: datetime | None) -> datetime | None:
    """``value`` as stored: naive UTC. A naive ``value`` is taken as Vietnam's time."""
    if value is None:
        return None
    if value.tzinfo is None:
        value = value.replace(tzinfo=LOCAL_TZ)
    return value.astimezone(UTC).replace(tzinfo=None)


def from_utc(value: datetime) -> datetime:
    """A stored time, aware, in Vietnam's time zone."""
    return value.replace(tzinfo=UTC).astimezone(LOCAL_TZ)
