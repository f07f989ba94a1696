from __future__ import annotations

from typing import Any

import pytest

from warta_enrich.datelines import Dateline, extract_dateline
from warta_enrich.normalisation import normalise_report


@pytest.mark.parametrize("external_id", [f"kab-pasuruan-{n}" for n in range(1, 5)])
def test_samples_have_the_pasuruan_dateline(
    samples: dict[str, dict[str, Any]], external_id: str
) -> None:
    report = normalise_report(
        title=samples[external_id]["title"], body=samples[external_id]["body"]
    )

    assert report.dateline == Dateline(place="Pasuruan", source="kab-pasuruan.kpu.go.id")


@pytest.mark.parametrize(
    ("text", "place", "source", "rest"),
    [
        (
            "Pasuruan, kab-pasuruan.kpu.go.id – Rabu ini",
            "Pasuruan",
            "kab-pasuruan.kpu.go.id",
            "Rabu ini",
        ),
        (
            "Pasuruan, kab-pasuruan.kpu.go.id - Selasa (28-12-2021) KPU",
            "Pasuruan",
            "kab-pasuruan.kpu.go.id",
            "Selasa (28-12-2021) KPU",
        ),
        ("Mataram – KPU Kota Mataram", "Mataram", None, "KPU Kota Mataram"),
        ("Denpasar — KPU Kota Denpasar", "Denpasar", None, "KPU Kota Denpasar"),
        (
            "SURABAYA, kota-surabaya.kpu.go.id — Senin",
            "Surabaya",
            "kota-surabaya.kpu.go.id",
            "Senin",
        ),
        (
            "Kota Batu, https://kota-batu.kpu.go.id/ -- Rapat",
            "Kota Batu",
            "kota-batu.kpu.go.id",
            "Rapat",
        ),
        ("Surabaya (ANTARA) - KPU Jatim", "Surabaya", "ANTARA", "KPU Jatim"),
        ("Jakarta, Senin (3/1/2022) – KPU RI", "Jakarta", None, "KPU RI"),
        ("Tanjung Selor—KPU Kaltara", "Tanjung Selor", None, "KPU Kaltara"),
        # The forms real offices use that were missed (issue 18).
        (
            "Bandung, kab-bandung.kpu.go.id Dalam rangka koordinasi",
            "Bandung",
            "kab-bandung.kpu.go.id",
            "Dalam rangka koordinasi",
        ),
        ("Jakarta,kpu.go.id – KPU RI", "Jakarta", "kpu.go.id", "KPU RI"),
        ("KEBUMEN-Pengawasan tahapan", "Kebumen", None, "Pengawasan tahapan"),
        ("Pasuruan,- KPU Kabupaten Pasuruan", "Pasuruan", None, "KPU Kabupaten Pasuruan"),
        ("Pasuruan; KPU Kabupaten Pasuruan", "Pasuruan", None, "KPU Kabupaten Pasuruan"),
        ("Gunungtua (30/9/2021). KPU Kabupaten", "Gunungtua", None, "KPU Kabupaten"),
        (
            "kab-pasuruan.kpu.go.id Pasuruan-KPU Kabupaten",
            "Pasuruan",
            "kab-pasuruan.kpu.go.id",
            "KPU Kabupaten",
        ),
        (
            "Jakarta, Mahkamah Konstitusi (MK) tuntas",
            "Jakarta",
            None,
            "Mahkamah Konstitusi (MK) tuntas",
        ),
        ("Pasuruan, Rabu kemarin KPU rapat", "Pasuruan", None, "Rabu kemarin KPU rapat"),
        # And others found in real reports.
        ("Kab-jepara.kpu.go.id – Panitia", None, "kab-jepara.kpu.go.id", "Panitia"),
        (
            "kab-x.kpu.go.id-Kamis, 17 Januari 2019 KPU",
            None,
            "kab-x.kpu.go.id",
            "Kamis, 17 Januari 2019 KPU",
        ),
        (
            "Gunungtua, kpu-padanglawasutarakab.go.id -Dalam rangka",
            "Gunungtua",
            "kpu-padanglawasutarakab.go.id",
            "Dalam rangka",
        ),
        ("Malang: Komisi Pemilihan Umum", "Malang", None, "Komisi Pemilihan Umum"),
        ("MAKASSAR, RAKYATSULSEL - Pelaksanaan", "Makassar", "RAKYATSULSEL", "Pelaksanaan"),
        ("JABARNEWS | BANDUNG – Badan Pengawas", "Bandung", "JABARNEWS", "Badan Pengawas"),
        ("Surabaya, Jawa Timur – KPU Jatim", "Surabaya", None, "KPU Jatim"),
        ("Jayapura (12/1) – KPU Papua", "Jayapura", None, "KPU Papua"),
    ],
)
def test_dateline_forms(text: str, place: str, source: str | None, rest: str) -> None:
    dateline, start = extract_dateline(text)

    assert dateline == Dateline(place=place, source=source)
    assert text[start:] == rest


@pytest.mark.parametrize(
    "text",
    [
        "KPU Kabupaten Malang menggelar rapat – dan seterusnya",
        "Dalam rapat itu, Ketua KPU - yang hadir - menyampaikan",
        "Rapat koordinasi (28-12-2021) dibuka pukul 10.00 WIB.",
        # A list of places, a date, an organisation, a word that is no place with a colon.
        "Pasuruan, Malang, dan Batu menggelar rapat bersama.",
        "Senin, 19 Januari 2019 Aula Hotel Mitra Indah menjadi tempat",
        "Bawaslu Kabupaten Kebumen - Saat ini",
        "Catatan: rapat ditunda",
        "Rapatnya; dan seterusnya",
        "",
    ],
)
def test_prose_is_not_a_dateline(text: str) -> None:
    assert extract_dateline(text) == (Dateline(place=None, source=None), 0)


def test_excerpt_starts_after_the_dateline_but_the_body_keeps_it(
    samples: dict[str, dict[str, Any]],
) -> None:
    sample = samples["kab-pasuruan-4"]
    report = normalise_report(title=sample["title"], body=sample["body"])

    assert report.excerpt.startswith("KPU Provinsi Jawa Timur melaksanakan evaluasi")
    assert report.body_html.startswith("<p>Pasuruan, kab-pasuruan.kpu.go.id – KPU Provinsi")
    assert report.text.startswith("Pasuruan, kab-pasuruan.kpu.go.id – ")


@pytest.mark.parametrize(
    ("text", "place", "source", "rest"),
    [
        # A caption in its own paragraph, credited or marked, before the dateline.
        (
            "Ketua KPU menyerahkan SK kepada PPK. (Foto: Humas KPU)\n\n"
            "Pasuruan, kab-pasuruan.kpu.go.id – KPU Kabupaten Pasuruan",
            "Pasuruan",
            "kab-pasuruan.kpu.go.id",
            "KPU Kabupaten Pasuruan",
        ),
        (
            "Foto: Ketua KPU menyerahkan SK\n\nSidoarjo – KPU Kabupaten Sidoarjo",
            "Sidoarjo",
            None,
            "KPU Kabupaten Sidoarjo",
        ),
        # A short line before a dateline that is surely one.
        (
            "Foto bersama usai rapat pleno\n\nSidoarjo, kab-sidoarjo.kpu.go.id – KPU",
            "Sidoarjo",
            "kab-sidoarjo.kpu.go.id",
            "KPU",
        ),
        # The caption run into the dateline's paragraph, ended by its credit.
        (
            "Suasana rapat pleno, Rabu (13/12/2023). (Foto: Rian/Humas). BANDUNG – Badan",
            "Bandung",
            None,
            "Badan",
        ),
        # A caption and no dateline: the report begins after the caption.
        (
            "Foto: Humas KPU\n\nKPU Kabupaten Pasuruan rapat.",
            None,
            None,
            "KPU Kabupaten Pasuruan rapat.",
        ),
    ],
)
def test_dateline_after_a_photo_caption(
    text: str, place: str | None, source: str | None, rest: str
) -> None:
    dateline, start = extract_dateline(text)

    assert dateline == Dateline(place=place, source=source)
    assert text[start:] == rest


def test_a_short_first_line_before_a_plain_sentence_is_kept() -> None:
    text = "Rapat pleno terbuka\n\nKPU Kabupaten Pasuruan menggelar rapat pleno."

    assert extract_dateline(text) == (Dateline(place=None, source=None), 0)


def test_excerpt_starts_after_domain_and_caption() -> None:
    report = normalise_report(
        title="Rapat Pleno DPS",
        body=(
            "Ketua KPU membuka rapat pleno. (Foto: Humas KPU)\n\n"
            "kab-pasuruan.kpu.go.id Pasuruan-KPU Kabupaten Pasuruan menetapkan DPS."
        ),
    )

    assert report.dateline == Dateline(place="Pasuruan", source="kab-pasuruan.kpu.go.id")
    assert report.excerpt == "KPU Kabupaten Pasuruan menetapkan DPS."
