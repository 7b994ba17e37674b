"""Times as a user reads them: in Vietnam's time, labelled with its offset, in every command's
text ("24/07/2024 12:55 +07:00") and JSON (ISO 8601 with "+07:00"). A day a page showed
without a time is shown as that day alone: its stored midnight is no time of publication.

The store keeps naive UTC (SQLite keeps no offset): a naive time given here is taken as UTC.
Feeds keep the formats their RFCs ask for; they do not use this module.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from aggregator.dates import VIETNAM

TIME_FORMAT = "%d/%m/%Y %H:%M"
DATE_FORMAT = "%d/%m/%Y"


def local(value: datetime) -> datetime:
    """``value`` in Vietnam's time zone, aware; a naive one is the store's UTC."""
    return (value if value.tzinfo else value.replace(tzinfo=UTC)).astimezone(VIETNAM)


def label(value: datetime) -> str:
    """The offset of a local time as ISO 8601 writes it: "+07:00"."""
    offset = value.utcoffset() or timedelta(0)
    sign = "-" if offset < timedelta(0) else "+"
    minutes = abs(int(offset.total_seconds())) // 60
    return f"{sign}{minutes // 60:02d}:{minutes % 60:02d}"


def show_time(value: datetime, fmt: str = TIME_FORMAT) -> str:
    """"24/07/2024 12:55 +07:00": the local time and its label."""
    moment = local(value)
    return f"{moment.strftime(fmt)} {label(moment)}"


def show_date(value: datetime) -> str:
    """"24/07/2024": the local day."""
    return local(value).strftime(DATE_FORMAT)


def show_when(value: datetime | None, date_only: bool = False) -> str | None:
    """A story's date for text: the day alone when the page gave no time, else the time."""
    if value is None:
        return None
    return _day(value) if date_only else show_time(value)


def iso(value: datetime | None) -> str | None:
    """ISO 8601 with the local offset ("2024-07-24T12:55:00+07:00"), never naive."""
    return local(value).isoformat() if value is not None else None


def iso_when(value: datetime | None, date_only: bool = False) -> str | None:
    """A story's date for JSON: "2024-07-24" for a day without a time, else :func:`iso`."""
    if value is None:
        return None
    return _day(value, iso_format=True) if date_only else iso(value)


def _day(value: datetime, iso_format: bool = False) -> str:
    # A date-only story's midnight: an aware one is already local; a naive one is the stored
    # UTC of a local midnight, so local() brings back the day the page showed.
    day = local(value).date()
    return day.isoformat() if iso_format else day.strftime(DATE_FORMAT)
