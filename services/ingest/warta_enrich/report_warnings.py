"""What normalise doubted or changed in a report, told to the office that sent it (in Indonesian,
the offices' language) so that it can correct the report: `warnings` on the article resource."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

WEEKDAY_MISMATCH = "weekday-mismatch"
NO_EVENT_DATE = "no-event-date"
TITLE_CLEANED = "title-cleaned"
MARKUP_DROPPED = "markup-dropped"
LINK_DROPPED = "link-dropped"
IMAGE_DROPPED = "image-dropped"
CODES = (
    WEEKDAY_MISMATCH,
    NO_EVENT_DATE,
    TITLE_CLEANED,
    MARKUP_DROPPED,
    LINK_DROPPED,
    IMAGE_DROPPED,
)

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
# A quoted value is cut to this: a warning names what it means, it does not repeat the report.
_QUOTE_LENGTH = 80


@dataclass(frozen=True)
class ReportWarning:
    code: str
    message: str


def _date(value: date) -> str:
    return f"{value.day} {MONTH_NAMES[value.month - 1]} {value.year}"


def _quoted(value: str) -> str:
    value = " ".join(value.split())
    if len(value) > _QUOTE_LENGTH:
        value = value[: _QUOTE_LENGTH - 1] + "…"
    return f"“{value}”"


def weekday_mismatch(written_day: str, value: date) -> ReportWarning:
    return ReportWarning(
        WEEKDAY_MISMATCH,
        f"Hari {_quoted(written_day)} tidak sesuai dengan tanggal {_date(value)}, yang jatuh pada"
        f" hari {DAY_NAMES[value.weekday()]}. Periksa kembali hari atau tanggalnya.",
    )


def no_event_date() -> ReportWarning:
    return ReportWarning(
        NO_EVENT_DATE,
        "Tanggal kegiatan tidak ditemukan dalam teks. Tuliskan hari dan tanggalnya di awal"
        " berita, misalnya “Rabu (29/12/2021)” atau “Rabu, 29 Desember 2021”.",
    )


def title_cleaned(title: str) -> ReportWarning:
    return ReportWarning(
        TITLE_CLEANED,
        f"Judul berisi markup (tag HTML) yang dihapus: judul adalah teks biasa. Judul yang"
        f" ditampilkan: {_quoted(title)}.",
    )


def markup_dropped(elements: list[str]) -> ReportWarning:
    names = ", ".join(f"<{name}>" for name in elements)
    return ReportWarning(
        MARKUP_DROPPED,
        f"Markup yang tidak diizinkan dibuang beserta isinya: {names}. Sematan, skrip dan"
        " formulir tidak ditampilkan di halaman maupun feed.",
    )


def link_dropped(url: str) -> ReportWarning:
    return ReportWarning(
        LINK_DROPPED,
        f"Tautan {_quoted(url)} dibuang (teksnya tetap): alamat relatif tidak dapat dibuka dari"
        " feed atau situs lain. Gunakan alamat lengkap, misalnya https://….",
    )


def image_dropped(url: str) -> ReportWarning:
    return ReportWarning(
        IMAGE_DROPPED,
        f"Gambar {_quoted(url)} dibuang: alamat relatif tidak dapat dibuka dari feed atau situs"
        " lain. Gunakan alamat lengkap (https://…) atau unggah gambarnya lewat /v1/media.",
    )
