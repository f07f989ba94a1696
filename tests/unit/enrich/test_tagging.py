from __future__ import annotations

from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from warta_enrich.normalisation import normalise_report
from warta_enrich.tagging import Tag, tag_report


def _tags(title: str, text: str, office_tags: tuple[str, ...] = ()) -> list[Tag]:
    return tag_report(title=title, text=text, language="id", office_tags=office_tags)


def _slugs(tags: list[Tag], kind: str) -> set[str]:
    return {tag.slug for tag in tags if tag.kind == kind}


def test_sample_2_tags(samples: dict[str, dict[str, Any]]) -> None:
    sample = samples["kab-pasuruan-2"]
    report = normalise_report(title=sample["title"], body=sample["body"])

    tags = tag_report(title=report.title, text=report.text, language=report.language)

    assert tags[0].score == 1.0
    assert "pemutakhiran-data-pemilih" in _slugs(tags, "topic")
    assert {"bawaslu", "dispendukcapil", "polri", "kpu-kabupaten-kota"} <= _slugs(
        tags, "organisation"
    )
    # Named once each, in the list of guests after the lead: an editor still tags them.
    assert {"tni", "kemenag", "kominfo", "bakesbangpol"} <= _slugs(tags, "organisation")
    # The lead is the report proper's first 400 characters: "Polres Kota Pasuruan", among the
    # guests, is in it (as the gold set has it).
    assert _slugs(tags, "place") == {"kabupaten-pasuruan", "kota-pasuruan"}
    by_slug = {tag.slug: tag for tag in tags}
    assert by_slug["pemutakhiran-data-pemilih"] == Tag(
        "pemutakhiran-data-pemilih", "Pemutakhiran Data Pemilih", "topic", 1.0, "vocabulary"
    )


def test_matching_is_case_and_accent_insensitive() -> None:
    assert "sirekap" in _slugs(_tags("", "penggunaan SÍREKAP dan sirekap mobile"), "topic")


def test_no_match_inside_a_longer_word() -> None:
    assert _slugs(_tags("", "Para pemilihpemula dan TPSnya; PDPBX."), "topic") == set()


def test_place_names_need_their_capitals() -> None:
    def places(title: str, text: str) -> set[str]:
        return _slugs(tag_report(title=title, text=text, language="id", region="35.07"), "place")

    assert places("", "Nasib malang menimpa warga") == set()
    assert places("KPU Malang", "Di Malang, KPU rapat") == {"kabupaten-malang"}


def test_longer_term_hides_the_one_inside_it() -> None:
    places = _slugs(_tags("Polres Kota Pasuruan", "Polres Kota Pasuruan hadir."), "place")
    assert places == {"kota-pasuruan"}


def test_a_term_named_once_in_passing_is_not_a_tag() -> None:
    lead = "KPU menggelar rapat sirekap. " * 3
    text = lead + "\n\n" + "Kata pengisi. " * 40 + "Disinggung pula soal kampanye."
    assert "kampanye" not in _slugs(_tags("Rapat Sirekap", text), "topic")


def test_an_organisation_named_once_in_passing_is_a_tag_ranked_low() -> None:
    lead = "KPU menggelar rapat sirekap. " * 3
    text = lead + "\n\n" + "Kata pengisi. " * 40 + "Hadir pula perwakilan Bawaslu."
    tags = _tags("Rapat Sirekap", text)

    bawaslu = next(tag for tag in tags if tag.slug == "bawaslu")
    assert bawaslu.kind == "organisation"
    assert bawaslu.score < next(tag for tag in tags if tag.slug == "sirekap").score


def test_office_tag_equal_to_a_vocabulary_term_becomes_one_office_tag() -> None:
    tags = _tags("Rapat PDPB", "Rapat PDPB digelar.", office_tags=("pdpb", " Rapat  Rutin ", ""))

    matching = [tag for tag in tags if tag.slug == "pemutakhiran-data-pemilih"]
    assert matching == [
        Tag("pemutakhiran-data-pemilih", "Pemutakhiran Data Pemilih", "topic", 1.0, "office")
    ]
    assert Tag("rapat-rutin", "Rapat Rutin", "topic", 1.0, "office") in tags


def test_keywords_are_kept_apart_from_vocabulary_tags(samples: dict[str, dict[str, Any]]) -> None:
    sample = samples["kab-pasuruan-3"]
    report = normalise_report(title=sample["title"], body=sample["body"])
    tags = tag_report(title=report.title, text=report.text, language="id")

    keywords = [tag for tag in tags if tag.source == "keyword"]
    assert keywords
    assert all(tag.kind == "keyword" for tag in keywords)
    vocabulary_slugs = {tag.slug for tag in tags if tag.source != "keyword"}
    assert not vocabulary_slugs & {tag.slug for tag in keywords}
    assert "sirekap" not in {tag.slug for tag in keywords}
    assert "rapat-koordinasi" in {tag.slug for tag in keywords}


def test_ordering_is_score_then_slug_and_scores_are_bounded(
    samples: dict[str, dict[str, Any]],
) -> None:
    sample = samples["kab-pasuruan-1"]
    report = normalise_report(title=sample["title"], body=sample["body"])
    tags = tag_report(title=report.title, text=report.text, language="id", office_tags=["Webinar"])

    assert tags == sorted(tags, key=lambda tag: (-tag.score, tag.slug))
    assert all(0.0 <= tag.score <= 1.0 for tag in tags)
    assert all(tag.kind in {"topic", "organisation", "place", "person", "keyword"} for tag in tags)
    assert all(tag.source in {"office", "vocabulary", "keyword"} for tag in tags)
    assert len({tag.slug for tag in tags}) == len(tags)


@given(
    title=st.text(max_size=100),
    text=st.text(max_size=400),
    language=st.sampled_from(["id", "en", "xx"]),
    office_tags=st.lists(st.text(max_size=20), max_size=4),
)
def test_tag_report_is_total(title: str, text: str, language: str, office_tags: list[str]) -> None:
    tags = tag_report(title=title, text=text, language=language, office_tags=office_tags)

    assert len({tag.slug for tag in tags}) == len(tags)
    assert all(tag.slug for tag in tags)


def test_keywords_hold_no_dates_codes_places_or_vocabulary_spelled_otherwise() -> None:
    text = (
        "Sidoarjo – KPU Kabupaten Sidoarjo membentuk badan ad hoc pada tanggal 5 Nopember."
        " Pendaftaran Badan Adhok dibuka sampai tanggal 12 Nopember dengan formulir PL-02-SD."
        " Formulir PL-02-SD diserahkan ke sekretariat. Badan Adhok bertugas sampai tanggal 30"
        " Nopember. Seleksi Badan Adhok melibatkan warga Sidoarjo dan warga Sidoarjo lainnya."
        " Keputusan Nomor 12 menetapkan seleksi. Keputusan Nomor 13 menetapkan jadwal seleksi."
        " Seleksi wawancara dilaksanakan di aula. Seleksi wawancara diikuti warga."
    )

    tags = tag_report(title="Pembentukan Badan Adhok", text=text, language="id", region="35.15")

    keywords = {tag.slug for tag in tags if tag.kind == "keyword"}
    assert "badan-ad-hoc" in {tag.slug for tag in tags if tag.kind == "topic"}
    assert keywords, "the report still has keywords of its own"
    for slug in keywords:
        words = set(slug.split("-"))
        assert not words & {"tanggal", "nopember", "nomor", "pl", "sd", "02"}, slug
        assert slug not in {"badan-adhok", "adhok", "sidoarjo", "badan"}, slug


def test_the_dateline_names_the_office_s_home_not_a_place_of_the_report() -> None:
    text = (
        "Surabaya, jatim.kpu.go.id – KPU Provinsi Jawa Timur memantau pelipatan surat suara di"
        " gudang KPU Kabupaten Lumajang. KPU Jatim meminta petugas teliti."
    )

    places = _slugs(tag_report(title="Pelipatan", text=text, language="id", region="35"), "place")

    assert places == {"jawa-timur", "kabupaten-lumajang"}


def test_the_lead_is_counted_after_a_caption_and_the_dateline() -> None:
    caption = "Operator mengikuti bimtek keamanan siber di aula. (Foto: Humas KPU)"
    lead = "Sidoarjo – KPU Kabupaten Sidoarjo menggelar bimtek keamanan siber bagi operator."
    text = f"{caption}\n\n{lead}\n\n" + "Kata pengisi. " * 40 + "Operator di Sidoarjo hadir."

    places = _slugs(tag_report(title="Bimtek", text=text, language="id", region="35.15"), "place")

    assert places == {"kabupaten-sidoarjo"}
