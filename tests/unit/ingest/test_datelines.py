from __future__ import annotations

from typing import Any

import pytest

from warta_ingest.datelines import Dateline, extract_dateline
from warta_ingest.normalisation import normalise_report


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
        "Pasuruan, Rabu kemarin KPU menggelar rapat - lanjutan",
        "Rapat koordinasi (28-12-2021) dibuka pukul 10.00 WIB.",
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
