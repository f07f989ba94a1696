from __future__ import annotations

from datetime import date, datetime, time, timedelta, timezone
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from warta_enrich.event_dates import (
    _RELATIVE_DAYS,
    extract_event_at,
    read_event_date,
    year_less_date,
)
from warta_enrich.normalisation import normalise_report


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


def test_a_plan_far_down_without_its_day_name_is_not_the_event() -> None:
    text = "KPU menggelar rapat. " + "Kata pengisi. " * 60 + "Pemilu pada 14 Februari 2024."

    assert extract_event_at(text, published_at=_published("2022-01-05T10:00+07:00")) is None


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


DAY_NAMES = ("Senin", "Selasa", "Rabu", "Kamis", "Jumat", "Sabtu", "Minggu")
MONTH_NAMES = (
    "Januari",
    "Februari",
    "Maret",
    "April",
    "Mei",
    "Juni",
    "Juli",
    "Agustus",
    "September",
    "Oktober",
    "November",
    "Desember",
)
JAKARTA = timezone(timedelta(hours=7))


def _published(value: str) -> datetime:
    return datetime.fromisoformat(value)


@pytest.mark.parametrize(
    ("text", "published_at", "expected"),
    [
        # Antara style: the year is the one that puts the date nearest publication...
        (
            "Makassar – Rabu (12/1) rapat pukul 09.00 WITA",
            "2022-01-12T15:00+08:00",
            "2022-01-12T09:00:00+08:00",
        ),
        # ...across a new year: published on 3 January about "Kamis (30/12)".
        ("Gresik – Kamis (30/12) KPU rapat", "2022-01-03T09:00+07:00", "2021-12-30T00:00:00+07:00"),
        (
            "Kupang – Senin, 14 Maret, pukul 08.00 WITA",
            "2022-03-15T18:00+08:00",
            "2022-03-14T08:00:00+08:00",
        ),
        (
            "Rapat 29 Desember dibuka pukul 10.00 WIB",
            "2022-01-02T10:00+07:00",
            "2021-12-29T10:00:00+07:00",
        ),
        (
            "KPU hari ini menyerahkan berkas pukul 10.00 WIT",
            "2022-02-08T14:30+09:00",
            "2022-02-08T10:00:00+09:00",
        ),
        (
            "KPU kemarin berkoordinasi pukul 13.00 WIB",
            "2022-02-10T08:15+07:00",
            "2022-02-09T13:00:00+07:00",
        ),
        ("KPU kemarin lusa rapat", "2022-02-10T08:15+07:00", "2022-02-08T00:00:00+07:00"),
        ("Rapat digelar besok di aula", "2022-02-10T08:15+07:00", "2022-02-11T00:00:00+07:00"),
        (
            "Senin lalu, KPU menerima audiensi",
            "2022-02-15T10:00+07:00",
            "2022-02-14T00:00:00+07:00",
        ),
        ("Rabu kemarin KPU rapat", "2022-02-16T10:00+07:00", "2022-02-09T00:00:00+07:00"),
        ("Sosialisasi digelar Senin depan", "2022-02-15T10:00+07:00", "2022-02-21T00:00:00+07:00"),
        ("The KPU said today that", "2022-02-15T10:00+07:00", "2022-02-15T00:00:00+07:00"),
        # The publication time is read in the office's zone: 20:00 UTC is the next day in Jakarta.
        ("KPU hari ini rapat", "2022-02-15T20:00+00:00", "2022-02-16T00:00:00+07:00"),
        # A written full date wins over "hari ini" beside it.
        (
            "seri pamungkas hari ini, Rabu (29/12/2021)",
            "2022-01-05T10:00+07:00",
            "2021-12-29T00:00:00+07:00",
        ),
        # A day name that fits none of the nearby years is a slip: the nearest date stands.
        ("Minggu (12/1) rapat", "2022-01-12T15:00+07:00", "2022-01-12T00:00:00+07:00"),
    ],
)
def test_dates_without_a_year_and_relative_dates(
    text: str, published_at: str, expected: str
) -> None:
    at = extract_event_at(text, published_at=_published(published_at))

    assert at is not None
    assert at.isoformat() == expected


@pytest.mark.parametrize(
    "text", ["Rabu (12/1) rapat", "KPU hari ini rapat", "Senin lalu rapat", "Senin, 14 Maret"]
)
def test_without_a_publication_date_they_are_passed_over(text: str) -> None:
    assert extract_event_at(text) is None


@pytest.mark.parametrize(
    "text",
    [
        "Skor akhir (1/2) untuk tim tamu",  # a fraction: no day name
        "Rapat Senin 10.12 WIB",  # a time, not 10 December
        "suara 2-1",
    ],
)
def test_year_less_look_alikes_are_not_dates(text: str) -> None:
    at = extract_event_at(text, published_at=_published("2022-02-15T10:00+07:00"))

    assert at is None or at.date().isoformat() != "2022-12-10"
    assert at is None or (at.month, at.day) not in {(2, 1), (1, 2)}


def test_normalise_report_passes_the_publication_date_on() -> None:
    report = normalise_report(
        title="Rapat",
        body="Gresik – Kamis (30/12) KPU rapat pukul 08.30 WIB.",
        published_at=_published("2022-01-03T09:00+07:00"),
    )

    assert report.event_at is not None
    assert report.event_at.isoformat() == "2021-12-30T08:30:00+07:00"
    # The keyword stays optional: the old call still works and passes the date over.
    assert normalise_report(title="Rapat", body="Kamis (30/12) KPU rapat.").event_at is None


_DATES = st.dates(min_value=date(2001, 1, 1), max_value=date(2098, 12, 31))
# Published up to ten months after the event, or (an announcement) up to 90 days before it.
_NEAR = st.integers(min_value=-90, max_value=300)


@given(day=_DATES, offset=_NEAR, numeric=st.booleans())
def test_a_year_less_date_near_publication_comes_back(
    day: date, offset: int, numeric: bool
) -> None:
    name = DAY_NAMES[day.weekday()]
    written = f"{day.day}/{day.month}" if numeric else f"{day.day} {MONTH_NAMES[day.month - 1]}"
    text = f"Kota – {name} ({written}) KPU menggelar rapat."
    published = datetime.combine(day + timedelta(days=offset), time(12, 0), tzinfo=JAKARTA)

    at = extract_event_at(text, published_at=published)

    assert at is not None
    assert at.date() == day


@given(
    published=st.datetimes(
        min_value=datetime(2001, 1, 1), max_value=datetime(2098, 12, 31), timezones=st.timezones()
    ),
    word=st.sampled_from(sorted(_RELATIVE_DAYS)),
)
def test_relative_dates_count_from_the_local_publication_day(
    published: datetime, word: str
) -> None:
    at = extract_event_at(f"KPU {word} menggelar rapat.", published_at=published)

    local_day = published.astimezone(JAKARTA).date()
    assert at is not None
    assert at.date() == local_day + timedelta(days=_RELATIVE_DAYS[word])


@given(
    day=st.integers(min_value=1, max_value=31),
    month=st.integers(min_value=1, max_value=12),
    weekday=st.none() | st.integers(min_value=0, max_value=6),
    reference=_DATES,
)
def test_a_year_less_date_is_the_latest_not_after_publication_or_an_announcement(
    day: int, month: int, weekday: int | None, reference: date
) -> None:
    found = year_less_date(day, month, weekday, reference)

    if found is None:  # 31 April
        assert not any(_exists(year, month, day) for year in range(2000, 2100))
        return
    assert (found.day, found.month) == (day, month)
    latest = max(
        date(year, month, day)
        for year in range(reference.year - 8, reference.year + 1)
        if _exists(year, month, day) and date(year, month, day) <= reference
    )
    if found > reference:
        # An announcement: within 90 days, its day name right where the latest one's is not.
        assert found <= reference + timedelta(days=90)
        assert weekday is not None and found.weekday() == weekday != latest.weekday()
    else:
        assert found == latest


def _exists(year: int, month: int, day: int) -> bool:
    try:
        date(year, month, day)
    except ValueError:
        return False
    return True


_PIECES = st.sampled_from(
    [" ", "\n", "(", ")", "/", "-", "12", "1", "2021", "Rabu", "Desember", "hari ini", "kemarin",
     "lalu", "depan", "pukul 09.00 WITA", "Jum’at", "İ", ",", "."]
)  # fmt: skip


@given(
    text=st.text(max_size=200) | st.lists(_PIECES, max_size=30).map("".join),
    published=st.none() | st.datetimes(timezones=st.none() | st.timezones()),
    zone=st.sampled_from(["Asia/Jakarta", "Asia/Makassar", "Asia/Jayapura", "Nowhere/Else"]),
)
def test_extract_event_at_is_total(text: str, published: datetime | None, zone: str) -> None:
    at = extract_event_at(text, timezone_name=zone, published_at=published)

    assert at is None or at.tzinfo is not None


FILLER = "Kata pengisi untuk paragraf ini. " * 14  # past the 400 characters of the head


@pytest.mark.parametrize(
    ("text", "published_at", "expected"),
    [
        # An explicit date beats the relative words beside it.
        (
            "Hari ini, Jumat, tanggal 3 Januari 2025, KPU menggelar rapat pleno.",
            "2025-01-06T10:00+07:00",
            "2025-01-03T00:00:00+07:00",
        ),
        # A later date whose day name agrees beats an earlier one that disagrees (a Friday).
        (
            "Sidang perdana Senin 15 Januari 2021 memeriksa 33 perkara. "
            + FILLER
            + "Hal itu disampaikan Rabu (17/2/2021) melalui keterangan tertulis.",
            "2021-02-18T10:00+07:00",
            "2021-02-17T00:00:00+07:00",
        ),
        # A year-less date is the latest one not after the submission whose day name agrees.
        (
            "KPU menggelar rapat Selasa (03/11).",
            "2020-11-05T10:00+07:00",
            "2020-11-03T00:00:00+07:00",
        ),
        (
            "KPU menggelar rapat Selasa (03/11).",
            "2021-01-04T10:00+07:00",
            "2020-11-03T00:00:00+07:00",
        ),
        # ...or, announced, the next one within 90 days that agrees.
        (
            "Simulasi digelar Sabtu (15/11) mendatang.",
            "2025-11-10T10:00+07:00",
            "2025-11-15T00:00:00+07:00",
        ),
        # A range gives its first day, wherever it is written.
        (
            "KPU menyiapkan bimbingan teknis. "
            + FILLER
            + "Bimtek digelar pada 23-24 Januari 2025.",
            "2025-01-20T10:00+07:00",
            "2025-01-23T00:00:00+07:00",
        ),
        ("Rapat Senin-Selasa (20-21/1/2025) di aula.", None, "2025-01-20T00:00:00+07:00"),
        ("Bimtek 30 Januari s.d. 2 Februari 2025 di hotel.", None, "2025-01-30T00:00:00+07:00"),
        # A time comes from the date's own sentence...
        ("Pleno Senin (20/1/2025) dimulai pukul 7 malam.", None, "2025-01-20T19:00:00+07:00"),
        # ...not from another sentence when the date is not the report's head date...
        (
            "KPU menyiapkan logistik. " + FILLER + "Pleno digelar 20 Januari 2025. Peserta hadir"
            " pukul 08.00 WIB.",
            None,
            "2025-01-20T00:00:00+07:00",
        ),
        # ...and never to a decree's own date.
        (
            "KPU menetapkan DCT sesuai Keputusan KPU Nomor 12 Tahun 2025 tanggal 10 Januari 2025."
            " Rapat dimulai pukul 08.00 WIB.",
            None,
            "2025-01-10T00:00:00+07:00",
        ),
    ],
)
def test_the_forms_real_offices_write(text: str, published_at: str | None, expected: str) -> None:
    published = _published(published_at) if published_at else None

    at = extract_event_at(text, published_at=published)

    assert at is not None
    assert at.isoformat() == expected


def test_a_decree_date_gives_way_to_the_meeting_s_date() -> None:
    text = (
        "Sesuai Keputusan KPU Nomor 12 Tahun 2025 tanggal 10 Januari 2025, KPU menggelar rapat"
        " pada Senin (20/1/2025) pukul 09.00 WIB."
    )

    assert extract_event_at(text) == datetime.fromisoformat("2025-01-20T09:00:00+07:00")


def test_the_office_is_told_when_a_day_name_disagrees_or_no_date_is_found() -> None:
    mismatch = read_event_date("Pasuruan – Senin (15/1/2021) KPU menggelar rapat.")
    nothing = read_event_date("KPU menggelar rapat koordinasi.")
    fine = read_event_date("Pasuruan – Jumat (15/1/2021) KPU menggelar rapat.")

    assert mismatch.at is not None and mismatch.at.date() == date(2021, 1, 15)
    assert [warning.code for warning in mismatch.warnings] == ["weekday-mismatch"]
    assert "“Senin”" in mismatch.warnings[0].message
    assert "15 Januari 2021" in mismatch.warnings[0].message
    assert "hari Jumat" in mismatch.warnings[0].message
    assert nothing.at is None
    assert [warning.code for warning in nothing.warnings] == ["no-event-date"]
    assert fine.warnings == []


def test_the_time_is_found_at_another_mention_of_the_day() -> None:
    text = (
        "Suasana rapat pleno, Rabu (13/3/2024) malam. (Foto: Humas)\n\n"
        "WAMENA – KPU menuntaskan rapat pleno, Rabu (13/3/2024). Pleno dimulai pukul 19.00 WIT."
    )

    at = extract_event_at(text, head_end=text.index("KPU"))

    assert at == datetime.fromisoformat("2024-03-13T19:00:00+09:00")


def test_a_head_date_takes_its_time_from_the_next_paragraph_s_first_sentence_only() -> None:
    opening = "Gunungtua – KPU menggelar simulasi pemungutan suara, Senin (25/11/2024).\n\n"

    first = extract_event_at(opening + "Simulasi dimulai pukul 08.30 WIB. Lalu rapat.")
    second = extract_event_at(opening + "Simulasi diikuti KPPS. Rapat dimulai pukul 08.30 WIB.")

    assert first == datetime.fromisoformat("2024-11-25T08:30:00+07:00")
    assert second == datetime.fromisoformat("2024-11-25T00:00:00+07:00")
