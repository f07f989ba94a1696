"""Dates as a reader of the report's language expects them."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest

from warta.pages.dates import long_date

WIB = timezone(timedelta(hours=7))


def test_indonesian_date_with_time_and_zone() -> None:
    value = datetime(2021, 12, 29, 9, 0, tzinfo=WIB)
    assert long_date(value, "id", "Asia/Jakarta") == "Rabu, 29 Desember 2021 · 09.00 WIB"


def test_english_report_gets_english_date() -> None:
    value = datetime(2021, 12, 29, 9, 0, tzinfo=WIB)
    assert long_date(value, "en", "Asia/Jakarta") == "Wednesday, 29 December 2021 · 09:00 WIB"


@pytest.mark.parametrize(("hours", "zone"), [(8, "WITA"), (9, "WIT")])
def test_central_and_eastern_indonesia(hours: int, zone: str) -> None:
    value = datetime(2024, 2, 14, 13, 5, tzinfo=timezone(timedelta(hours=hours)))
    assert long_date(value, "id", "Asia/Jakarta") == f"Rabu, 14 Februari 2024 · 13.05 {zone}"


def test_utc_time_is_shown_in_the_site_timezone() -> None:
    value = datetime(2021, 12, 29, 2, 0, tzinfo=UTC)
    assert long_date(value, "id", "Asia/Makassar") == "Rabu, 29 Desember 2021 · 10.00 WITA"


def test_other_offsets_are_named_by_their_offset() -> None:
    value = datetime(2021, 12, 29, 9, 0, tzinfo=timezone(timedelta(hours=1)))
    assert long_date(value, "en", "Asia/Jakarta").endswith("09:00 UTC+0100")


def test_date_alone() -> None:
    value = datetime(2021, 12, 28, 23, 30, tzinfo=UTC)  # already the 29th in Jakarta
    assert long_date(value, "id", "Asia/Jakarta", with_time=False) == "Rabu, 29 Desember 2021"
