"""The gazetteer: which region a place name in a report is, and when it is none."""

from __future__ import annotations

import pytest

from warta.regions import regions
from warta_enrich.gazetteer import load_gazetteer
from warta_enrich.tagging import tag_report


def places(text: str, home: str | None = None) -> list[str]:
    """The slugs of the places named in ``text``, in order, for an office of region ``home``."""
    found = load_gazetteer().find(text, regions()[home] if home else None)
    return [match.entry.slug for match in found]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # The longest name wins.
        ("KPU Provinsi Papua Pegunungan", ["papua-pegunungan"]),
        ("Papua Pegunungan dan Papua", ["papua-pegunungan", "papua"]),
        ("Kabupaten Padang Lawas Utara", ["kabupaten-padang-lawas-utara"]),
        (
            "Padang Lawas Utara, Padang Lawas dan Padang",
            ["kabupaten-padang-lawas-utara", "kabupaten-padang-lawas", "kota-padang"],
        ),
        ("Papua Barat Daya dan Papua Barat", ["papua-barat-daya", "papua-barat"]),
        ("Jakarta Selatan", ["kota-jakarta-selatan"]),
        ("Kabupaten Aceh Barat Daya", ["kabupaten-aceh-barat-daya"]),
        # Written with its kind, a shared name is that region.
        ("Kota Malang dan Kabupaten Malang", ["kota-malang", "kabupaten-malang"]),
        (
            "Kab. Malang, Kab Blitar, Pemkab Kediri, Bupati Madiun",
            ["kabupaten-malang", "kabupaten-blitar", "kabupaten-kediri", "kabupaten-madiun"],
        ),
        (
            "Pemkot Kediri, Walikota Blitar, Polresta Malang Kota",
            ["kota-kediri", "kota-blitar", "kota-malang"],
        ),
        ("Provinsi Jambi dan Kota Jambi", ["jambi", "kota-jambi"]),
        # Other names offices write, and towns that stand for their regency.
        (
            "KPU Jatim, NTB, DIY dan DKI Jakarta",
            ["jawa-timur", "nusa-tenggara-barat", "di-yogyakarta", "dki-jakarta"],
        ),
        ("Rapat di Wamena dan Sentani", ["kabupaten-jayawijaya", "kabupaten-jayapura"]),
        (
            "Kabupaten Gunung Kidul, Fakfak, Tolitoli",
            ["kabupaten-gunungkidul", "kabupaten-fak-fak", "kabupaten-toli-toli"],
        ),
        # Unique bare names need no office.
        ("Sidoarjo, Surabaya, Makassar", ["kabupaten-sidoarjo", "kota-surabaya", "kota-makassar"]),
        ("SURABAYA – KPU", ["kota-surabaya"]),
    ],
)
def test_names_and_the_regions_they_are(text: str, expected: list[str]) -> None:
    assert places(text) == expected


@pytest.mark.parametrize(
    ("text", "home", "expected"),
    [
        # A bare shared name is the office's own region...
        ("Malang, kab-malang.kpu.go.id – KPU Malang", "35.07", ["kabupaten-malang"] * 2),
        ("Malang – KPU Malang", "35.73", ["kota-malang"] * 2),
        ("Polres Pasuruan hadir", "35.14", ["kabupaten-pasuruan"]),
        ("PPK se-Pasuruan dan KPU-Pasuruan", "35.14", ["kabupaten-pasuruan"] * 2),
        # ...else the only one in the office's province ("Banjar": Kalimantan Selatan's)...
        ("KPU Banjar", "63", ["kabupaten-banjar"]),
        ("KPU Banjar", "32.73", ["kota-banjar"]),
        # ...else a province that holds all the others.
        ("KPU Gorontalo", "75.02", ["gorontalo"]),
        ("Jambi", "15.05", ["jambi"]),
        ("Jambi", "15.71", ["kota-jambi"]),
    ],
)
def test_the_office_settles_a_shared_name(text: str, home: str, expected: list[str]) -> None:
    assert places(text, home) == expected


@pytest.mark.parametrize(
    ("text", "home"),
    [
        # Nothing settles it: two regions of Jawa Timur for Jawa Timur's own office, or none.
        ("KPU Malang", "35"),
        ("KPU Malang", None),
        ("KPU Kupang", "53"),
        ("Rapat di Jayapura", "91"),
        ("KPU Malang", "32.73"),
        # A campus or hotel "Malang" may be in the kota: the kabupaten's office cannot tell.
        ("Sosialisasi di Universitas Brawijaya Malang", "35.07"),
        ("Sosialisasi di Universitas Brawijaya (UB) Malang", "35.07"),
        ("menginap di Hotel Santika Malang", "35.07"),
    ],
)
def test_an_unsettled_shared_name_is_no_place(text: str, home: str | None) -> None:
    assert places(text, home) == []


@pytest.mark.parametrize(
    "text",
    [
        "nasib malang menimpa warga",  # not a proper noun
        "kantor di Jl. Surabaya No. 5",  # a street
        "Kecamatan Padang Bolak dan Desa Batu Ampar",  # smaller places of that name
        "Polda Metro Jaya",  # "Metro" bare is an everyday word and part of other names
        "Puncak acara digelar malam hari",
        "dari Sabang sampai Merauke",  # the whole country
        "enam provinsi di Tanah Papua",  # the land, not the province
        "KPU se-Malang Raya",
        "dengan batu dan tinta",
    ],
)
def test_phrases_that_name_no_region(text: str) -> None:
    assert places(text) == []


def test_a_kecamatan_named_after_a_region_elsewhere_stands_for_its_own_regency() -> None:
    assert places("PPK Padang Bolak") == ["kabupaten-padang-lawas-utara"]


def test_an_everyday_word_counts_bare_only_as_the_office_s_own_region() -> None:
    assert places("KPU Batu menggelar rapat", "35.79") == ["kota-batu"]
    assert places("KPU Batu menggelar rapat", "35.07") == []
    assert places("KPU Kota Batu menggelar rapat", "35.07") == ["kota-batu"]


def test_tags_never_name_the_wrong_region_of_the_issue() -> None:
    text = (
        "Wamena – KPU Provinsi Papua Pegunungan menggelar rapat pleno di Wamena. Hadir KPU"
        " Kabupaten Padang Lawas Utara dan mahasiswa Universitas Brawijaya Malang, Kota Malang."
    )
    title = "KPU Papua Pegunungan Gelar Rapat Pleno"

    slugs = {tag.slug for tag in tag_report(title=title, text=text, language="id", region="95")}

    assert "papua-pegunungan" in slugs
    assert not slugs & {"papua", "kota-padang", "kabupaten-malang"}


def test_an_office_tag_naming_a_place_is_that_place_tag() -> None:
    tags = tag_report(
        title="Rapat", text="Rapat.", language="id", office_tags=["Pasuruan"], region="35.14"
    )

    assert [(tag.slug, tag.kind, tag.source) for tag in tags if tag.kind == "place"] == [
        ("kabupaten-pasuruan", "place", "office")
    ]
