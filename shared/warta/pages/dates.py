"""Dates as a reader expects them: `Rabu, 29 Desember 2021 · 09.00 WIB`."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from babel.dates import format_datetime

# Indonesia's three zones go by their own abbreviations.
ZONE_NAMES = {timedelta(hours=7): "WIB", timedelta(hours=8): "WITA", timedelta(hours=9): "WIT"}


def long_date(value: datetime, language: str, timezone: str, with_time: bool = True) -> str:
    """The date (and time) in the report's language, in `value`'s own zone if it has one other
    than UTC, else in the site's timezone."""
    if value.utcoffset() == timedelta(0):
        value = value.astimezone(ZoneInfo(timezone))
    locale = "id" if language == "id" else "en"
    day = format_datetime(value, "EEEE, d MMMM y", locale=locale)
    if not with_time:
        return day
    time = format_datetime(value, "HH.mm" if locale == "id" else "HH:mm", locale=locale)
    offset = value.utcoffset()
    zone = ZONE_NAMES.get(offset) if offset is not None else None
    return f"{day} · {time} {zone or value.strftime('UTC%z')}"
