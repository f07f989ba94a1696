from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import pytest

from warta_ingest.event_dates import extract_event_at
from warta_ingest.normalisation import normalise_report


@pytest.mark.parametrize(
    ("external_id", "expected"),
    [
        # "Rabu (29/12/2021)", opened "tepat pukul 09.00 WIB", closed 12.51 WIB.
        ("kab-pasuruan-1", "2021-12-29T09:00:00+07:00"),
        # "Selasa (28-12-2021)", "Rapat dimulai pukul 10.00 WIB"; not the proposed 21 Februari 2024.
        ("kab-pasuruan-2", "2021-12-28T10:00:00+07:00"),
        # "Kamis (23-12-2021)", "Dibuka pukul 09.15 WIB".
        ("kab-pasuruan-3", "2021-12-23T09:15:00+07:00"),
        # "Rabu (22-12-2021)"; its only time is when it ended ("usai pada pukul 17.15 WIB").
        ("kab-pasuruan-4", "2021-12-22T00:00:00+07:00"),
    ],
)
def test_sample_event_dates(
    samples: dict[str, dict[str, Any]], external_id: str, expected: str
) -> None:
    sample = samples[external_id]
    report = normalise_report(title=sample["title"], body=sample["body"])

    assert report.event_at is not None
    assert report.event_at.isoformat() == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Jakarta – Rabu (29/12/2021) KPU RI", "2021-12-29T00:00:00+07:00"),
        ("Jakarta – Selasa (28-12-2021) KPU RI", "2021-12-28T00:00:00+07:00"),
        ("Rapat digelar 22 Desember 2021 di aula.", "2021-12-22T00:00:00+07:00"),
        ("Mataram – Sen, 3 Jan 2022 rapat pleno", "2022-01-03T00:00:00+07:00"),
        ("Pada Jum'at, 7 Pebruari 2020 pukul 08.00 WIB", "2020-02-07T08:00:00+07:00"),
        ("Sumenep – Sabtu (29/1/22) simulasi", "2022-01-29T00:00:00+07:00"),
        ("Bimtek 22-23 Desember 2021 dibuka pukul 19.00 WIB", "2021-12-22T19:00:00+07:00"),
        ("Rapat (2022-03-01) mulai pukul 9:30 WITA", "2022-03-01T09:30:00+08:00"),
        ("Kamis (13/1/2022) dimulai pukul 10.00 WIT", "2022-01-13T10:00:00+09:00"),
        ("On Tuesday, 11 January 2022 at 10:00 the KPU", "2022-01-11T10:00:00+07:00"),
        ("on January 11, 2022, the commission", "2022-01-11T00:00:00+07:00"),
        ("Senin, 3 Januari 2022, pukul 09.00 s.d. 12.00 WIB", "2022-01-03T09:00:00+07:00"),
    ],
)
def test_date_and_time_forms(text: str, expected: str) -> None:
    at = extract_event_at(text)

    assert at is not None
    assert at.isoformat() == expected


def test_closing_time_is_not_the_event_time() -> None:
    at = extract_event_at("Rabu (22-12-2021) evaluasi. Kegiatan usai pada pukul 17.15 WIB")

    assert at is not None
    assert (at.hour, at.minute) == (0, 0)


def test_opening_time_after_a_closing_one_in_another_clause() -> None:
    text = (
        "Kamis (23-12-2021) rapat lanjutan, setelah rapat pertama ditutup pukul 08.00 WIB."
        " Rapat dibuka pukul 09.15 WIB."
    )

    at = extract_event_at(text)

    assert at is not None
    assert at.isoformat() == "2021-12-23T09:15:00+07:00"


def test_date_in_the_head_wins_over_later_dates() -> None:
    text = (
        "Kediri – Selasa (28-12-2021) KPU menggelar rapat. "
        + "Kata pengisi. " * 60
        + "KPU mengusulkan Pemilu diselenggarakan pada 21 Februari 2024."
    )

    at = extract_event_at(text)

    assert at is not None
    assert at.date().isoformat() == "2021-12-28"


def test_a_date_far_down_without_its_day_name_is_not_the_event() -> None:
    text = "KPU menggelar rapat. " + "Kata pengisi. " * 60 + "Pemilu pada 14 Februari 2024."

    assert extract_event_at(text) is None


def test_office_timezone_applies_when_no_zone_is_written() -> None:
    at = extract_event_at("Jayapura – Kamis (13/1/2022) pukul 10.00", timezone_name="Asia/Jayapura")

    assert at is not None
    assert at.utcoffset() == timedelta(hours=9)


def test_unknown_office_timezone_falls_back_to_jakarta() -> None:
    at = extract_event_at("Rabu (29/12/2021)", timezone_name="Mars/Olympus")

    assert at == datetime.fromisoformat("2021-12-29T00:00:00+07:00")


@pytest.mark.parametrize(
    "text", ["", "Tidak ada tanggal di sini.", "Rabu (31/02/2021) tanggal mustahil", "skor 2-1-0"]
)
def test_no_date_found(text: str) -> None:
    assert extract_event_at(text) is None
