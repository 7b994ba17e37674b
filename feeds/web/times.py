"""Times as the page shows them: relative to now ("2 giờ trước", "hôm qua") for reading,
absolute in Vietnam's time, labelled (+07:00), for looking up.

The counting words are Babel's (``format_timedelta``, CLDR's Vietnamese and English, already
installed with courlan and declared in pyproject.toml); "today" and "yesterday" are the page's
own words (:mod:`feeds.web.i18n`): Babel says "1 ngày trước" where a reader says "hôm qua"."""

from __future__ import annotations

from datetime import datetime, timedelta

from babel.dates import format_timedelta

from aggregator.dates import VIETNAM
from feeds.web.i18n import EN, text

ZONE_LABEL = "+07:00"
_JUST_NOW = timedelta(minutes=1)


def relative(when: datetime, now: datetime, lang: str, date_only: bool = False) -> str:
    """``when`` (aware) counted back from ``now``: minutes and hours within today, then
    "yesterday", then days, weeks, months. A ``date_only`` day is counted in days only: its
    midnight is no time of publication. A time after ``now`` (a clock ahead) is "just now"."""
    local, today = when.astimezone(VIETNAM), now.astimezone(VIETNAM).date()
    days = (today - local.date()).days
    if date_only or days >= 1:
        if days <= 0:
            return text(lang, "today")
        if days == 1:
            return text(lang, "yesterday")
        return _babel(timedelta(days=days), lang)
    ago = now - when
    if ago < _JUST_NOW:
        return text(lang, "just_now")
    return _babel(ago, lang)


def absolute(when: datetime, date_only: bool = False) -> str:
    """"06/12/2026 14:30 (+07:00)"; a ``date_only`` day as "06/12/2026", without a time."""
    local = when.astimezone(VIETNAM)
    if date_only:
        return f"{local:%d/%m/%Y}"
    return f"{local:%d/%m/%Y %H:%M} ({ZONE_LABEL})"


def _babel(ago: timedelta, lang: str) -> str:
    # threshold=1: a unit is used until a whole one of the next (23 hours, not "1 day").
    return format_timedelta(
        -ago, threshold=1, add_direction=True, locale="en" if lang == EN else "vi"
    )
