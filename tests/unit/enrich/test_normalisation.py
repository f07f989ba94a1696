from __future__ import annotations

import dataclasses
import re
from datetime import datetime
from typing import Any

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from warta_enrich.normalisation import clean_text, clean_title, make_excerpt, normalise_report

XML_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def test_lost_paragraph_breaks_of_sample_2_are_restored(
    samples: dict[str, dict[str, Any]],
) -> None:
    sample = samples["kab-pasuruan-2"]
    report = normalise_report(title=sample["title"], body=sample["body"])

    paragraphs = report.text.split("\n\n")
    assert [p[:20] for p in paragraphs] == [
        "Pasuruan, kab-pasuru",
        "Adapun, sambung Faiz",
        '"Namun, lagi-lagi sa',
        '"Untuk melaporkan pe',
        "Acara lantas dilanju",
    ]
    # A no-break space in mid-sentence ("saran\xa0 kepada") is only a space.
    assert "pemberian saran kepada KPU" in report.text
    assert "\xa0" not in report.text
    assert "  " not in report.text
    assert report.body_html.count("<p>") == 5


def test_sample_3_keeps_a_mid_sentence_no_break_space_as_a_space(
    samples: dict[str, dict[str, Any]],
) -> None:
    sample = samples["kab-pasuruan-3"]
    report = normalise_report(title=sample["title"], body=sample["body"])

    assert "Van Harling berjalan lancar" in report.text
    assert report.text.split("\n\n")[1].startswith("Hadir secara virtual")


def test_sample_measures(samples: dict[str, dict[str, Any]]) -> None:
    sample = samples["kab-pasuruan-1"]
    report = normalise_report(title=sample["title"], body=sample["body"])

    assert report.language == "id"
    assert 600 <= report.word_count <= 640
    assert report.reading_minutes == 3
    assert (
        report.slug
        == "tingkatkan-efektivitas-dan-efisiensi-tahapan-pemilu-2024-kpu-perkuat-keamanan"
    )
    assert report.excerpt.startswith("Memasuki seri VIII")
    assert report.excerpt.endswith("Pemilu 2024”.")
    assert len(report.excerpt) <= 300


def test_mojibake_and_control_characters_are_repaired() -> None:
    assert clean_text("KPU â€“ Rabu â€œrapatâ€\x9d\x07 cafÃ©\u200b") == "KPU – Rabu “rapat” café"


def test_clean_text_folds_whitespace_and_composes() -> None:
    assert clean_text("  Ketua\xa0KPU\t\n  Jatim  ") == "Ketua KPU Jatim"
    assert clean_text("Cafe\u0301") == "Café"


def test_html_is_sanitised() -> None:
    body = (
        '<p onclick="steal()" style="color:red">Halo <a href="javascript:alert(1)">x</a>'
        ' <a href="https://kpu.go.id/">KPU</a> <a href="/berita/1">lokal</a></p>'
        "<script>alert(1)</script><iframe src='https://evil.example/'></iframe>"
        "<style>p{}</style>Teks lepas"
    )
    report = normalise_report(title="Judul", body=body, body_format="html")

    html = report.body_html
    for forbidden in ("script", "onclick", "style", "javascript:", "iframe", "alert"):
        assert forbidden not in html
    assert '<a href="https://kpu.go.id/" rel="nofollow noopener">KPU</a>' in html
    # A relative link cannot be followed from a feed: its text stays, the link goes.
    assert "/berita/1" not in html
    assert " lokal</p>" in html
    assert html.endswith("<p>Teks lepas</p>")
    assert report.text == "Halo x KPU lokal\n\nTeks lepas"
    codes = [(warning.code, warning.message) for warning in report.warnings]
    assert codes[0][0] == "markup-dropped"
    assert "<script>, <iframe>, <style>" in codes[0][1]
    assert codes[1][0] == "link-dropped" and "“/berita/1”" in codes[1][1]


def test_relative_images_and_links_never_reach_the_body() -> None:
    body = (
        '<p><img src="foto/rapat.jpg" alt="Rapat"> Rapat pleno <a href="#hasil">hasil</a>'
        ' <a href="//kpu.go.id/berita">berita</a> <img src="https://kpu.go.id/a.jpg" alt="a">'
        ' <img alt="tanpa sumber"> <img src="data:image/png;base64,AAAA"></p>'
    )

    report = normalise_report(title="Judul", body=body, body_format="html")

    assert 'src="foto/rapat.jpg"' not in report.body_html
    assert 'href="#hasil"' not in report.body_html
    assert '<a href="https://kpu.go.id/berita" rel="nofollow noopener">berita</a>' in (
        report.body_html
    )
    assert report.body_html.count("<img") == 1
    assert '<img src="https://kpu.go.id/a.jpg" alt="a">' in report.body_html
    assert [warning.code for warning in report.warnings] == [
        "image-dropped",
        "link-dropped",
        "no-event-date",
    ]


def test_relative_urls_are_made_absolute_against_a_known_base() -> None:
    report = normalise_report(
        title="Judul",
        body="![Rapat](foto/rapat.jpg) [berita](/berita/1)",
        body_format="markdown",
        base_url="https://kab-pasuruan.kpu.go.id/berita/2",
    )

    assert 'src="https://kab-pasuruan.kpu.go.id/berita/foto/rapat.jpg"' in report.body_html
    assert 'href="https://kab-pasuruan.kpu.go.id/berita/1"' in report.body_html
    assert [warning.code for warning in report.warnings] == ["no-event-date"]


def test_markup_in_a_title_is_taken_out_and_the_office_told() -> None:
    report = normalise_report(
        title="Bimbingan Teknis <b>Keamanan Siber</b> &amp; Data", body="Senin (3/1/2022) rapat."
    )

    assert report.title == "Bimbingan Teknis Keamanan Siber & Data"
    assert report.slug == "bimbingan-teknis-keamanan-siber-data"
    assert [warning.code for warning in report.warnings] == ["title-cleaned"]
    assert "“Bimbingan Teknis Keamanan Siber & Data”" in report.warnings[0].message
    plain = normalise_report(title="Pemilih <17 tahun & pemula", body="Senin (3/1/2022) rapat.")
    assert plain.title == "Pemilih <17 tahun & pemula"
    assert plain.warnings == []


def test_markdown_is_rendered_then_sanitised() -> None:
    body = "Kediri – KPU **Kota Kediri**.\n\n* satu\n* dua\n\n<script>x()</script>[a](javascript:x)"
    report = normalise_report(title="Judul", body=body, body_format="markdown")

    assert "<strong>Kota Kediri</strong>" in report.body_html
    assert "<li>satu</li>" in report.body_html
    assert "<script" not in report.body_html
    assert "x()" not in report.body_html
    # markdown-it refuses the link; what is left is harmless text, never an href.
    assert 'href="javascript' not in report.body_html
    assert report.text.split("\n\n")[:3] == ["Kediri – KPU Kota Kediri.", "satu", "dua"]


def test_plain_text_urls_become_nofollow_links() -> None:
    report = normalise_report(
        title="t", body="Klik link http://bit.ly/KPUKabPasuruan. Terima kasih."
    )

    assert (
        '<a href="http://bit.ly/KPUKabPasuruan" rel="nofollow noopener">'
        "http://bit.ly/KPUKabPasuruan</a>." in report.body_html
    )


def test_hard_wrapped_lines_join_and_sentence_lines_split() -> None:
    report = normalise_report(title="t", body="Baris pertama yang\nterpotong.\nParagraf kedua.")

    assert report.text == "Baris pertama yang terpotong.\n\nParagraf kedua."


def test_slug_is_ascii_bounded_and_never_empty() -> None:
    assert normalise_report(title="Pemilu Café 2024!", body="").slug == "pemilu-cafe-2024"
    assert normalise_report(title="“”—", body="").slug == "berita"
    long_slug = normalise_report(title="kata " * 40, body="").slug
    assert len(long_slug) <= 80
    assert not long_slug.endswith("-")
    assert long_slug.endswith("kata")


def test_junk_title_comes_back_empty() -> None:
    assert normalise_report(title="\x00\x07 \u200b", body="isi").title == ""


def test_bidi_controls_leave_the_title() -> None:
    # U+202E would make "Rapat pleno" read backwards wherever the title is shown.
    title = "\u202aRapat\u202c \u202epleno\u202c \u2066KPU\u2069 \u2067Jatim\u2068\u2069"
    assert normalise_report(title=title, body="isi").title == "Rapat pleno KPU Jatim"
    assert clean_title("\u202e\u2066\u200e") == ""


def test_excerpt_is_whole_sentences_or_cut_at_a_word() -> None:
    sentence = "Kalimat pendek ini berakhir. "
    excerpt = make_excerpt(sentence * 20)
    assert excerpt.endswith("berakhir.")
    assert len(excerpt) <= 300

    cut = make_excerpt("kata " * 200)
    assert cut.endswith("kata…")
    assert len(cut) <= 300


def test_abbreviations_do_not_end_excerpt_sentences() -> None:
    text = "Hadir Plt. Kasubbag Teknis dan Kasubbag Hukum. Acara selesai pukul 12.00 WIB."
    assert make_excerpt(text, max_length=50) == "Hadir Plt. Kasubbag Teknis dan Kasubbag Hukum."


def test_language_given_wins_else_detected() -> None:
    english = "The commission said that the election will be held on time and it is ready."
    assert normalise_report(title="t", body=english).language == "en"
    assert normalise_report(title="t", body=english, language="id").language == "id"
    assert (
        normalise_report(title="t", body="KPU akan menggelar rapat dengan partai").language == "id"
    )
    assert normalise_report(title="t", body=english, language="xx").language == "en"


def test_reading_minutes_at_least_one() -> None:
    report = normalise_report(title="t", body="Satu dua.")
    assert (report.word_count, report.reading_minutes) == (2, 1)


def test_unknown_body_format_is_read_as_text() -> None:
    report = normalise_report(title="t", body="<b>Isi</b>", body_format="rtf")
    assert report.body_html == "<p>&lt;b&gt;Isi&lt;/b&gt;</p>"


@pytest.mark.parametrize("external_id", [f"kab-pasuruan-{n}" for n in range(1, 5)])
def test_samples_normalise_idempotently(
    samples: dict[str, dict[str, Any]], external_id: str
) -> None:
    sample = samples[external_id]
    once = normalise_report(title=sample["title"], body=sample["body"])

    assert normalise_report(title=once.title, body=once.text) == once


_JUNK = ["Ã©", "â€œ", "Â\xa0", "\xa0 ", ".\xa0 A", "\x00", "\ud800", "&amp;lt;"]
_PIECES = [" ", "\n", "Rabu (29/12/2021)", "a.", "É"]
# Any characters at all, and strings built from the pieces that are hardest to clean.
_TEXT = st.text(alphabet=st.characters(codec=None, exclude_categories=()), max_size=300) | (
    st.sampled_from(_JUNK).flatmap(
        lambda junk: st.lists(st.sampled_from([junk, *_PIECES]), max_size=30).map("".join)
    )
)


_MARKUP = [
    "<b>",
    "</b>",
    "<i>",
    "<script>x</script>",
    "&amp;",
    "&lt;b&gt;",
    "<br/>",
    "<17",
    "<Pemilu>",
]


@given(_TEXT | st.lists(st.sampled_from([*_MARKUP, *_PIECES, "Judul"]), max_size=20).map("".join))
def test_clean_title_is_total_idempotent_and_keeps_no_markup(value: str) -> None:
    cleaned = clean_title(value)

    assert clean_title(cleaned) == cleaned
    assert not re.search(r"</?(?:b|i|br|script)\b[^<>]*>", cleaned, re.IGNORECASE)
    assert cleaned == clean_text(cleaned)


@given(_TEXT)
def test_clean_text_is_total_idempotent_and_xml_safe(value: str) -> None:
    cleaned = clean_text(value)

    assert clean_text(cleaned) == cleaned
    assert not XML_ILLEGAL.search(cleaned)
    assert cleaned == cleaned.strip()


@given(title=_TEXT, body=_TEXT, body_format=st.sampled_from(["text", "html", "markdown", "x"]))
def test_normalise_report_is_total_and_xml_safe(title: str, body: str, body_format: str) -> None:
    report = normalise_report(title=title, body=body, body_format=body_format, timezone=title)

    for field in (report.title, report.text, report.excerpt, report.body_html, report.slug):
        assert not XML_ILLEGAL.search(field)
    assert report.slug
    assert report.reading_minutes >= 1
    assert report.language in ("id", "en")
    assert len(report.excerpt) <= 300


@given(title=_TEXT, body=_TEXT)
def test_normalising_its_own_output_changes_nothing(title: str, body: str) -> None:
    once = normalise_report(title=title, body=body)
    twice = normalise_report(title=once.title, body=once.text)

    # What the first pass changed (markup out of the title) the second has no cause to say.
    assert dataclasses.replace(twice, warnings=once.warnings) == once
    assert {warning.code for warning in twice.warnings} <= {w.code for w in once.warnings}


_DATED = st.lists(
    st.sampled_from(
        [" ", "\n", "Rabu (29/12)", "Senin, 3 Januari", "hari ini", "kemarin", "Kamis lalu", "a."]
    ),
    max_size=20,
).map("".join)


@given(
    title=_TEXT,
    body=_TEXT | _DATED,
    published_at=st.none() | st.datetimes(timezones=st.none() | st.timezones()),
)
def test_normalising_its_own_output_with_a_publication_date_changes_nothing(
    title: str, body: str, published_at: datetime | None
) -> None:
    once = normalise_report(title=title, body=body, published_at=published_at)
    twice = normalise_report(title=once.title, body=once.text, published_at=published_at)

    assert twice == once


_INVISIBLE = ["\u200b", "\u00ad", "\u2060", "\u0001", "\ufeff", "\u202e", "\u2066", "\u200e"]


@given(_TEXT | st.lists(st.sampled_from([*_INVISIBLE, " ", "\n", "a", "é" * 150])).map("".join))
def test_the_api_accepts_exactly_the_titles_normalise_keeps(title: str) -> None:
    """One judgement of a title: what the submission schema accepts, normalise publishes
    (1 to 300 characters once cleaned), and what it refuses, normalise would find empty or
    too long."""
    from marshmallow import ValidationError

    from warta_ingest.schemas import MAX_TITLE_CHARS, SubmissionSchema

    # Refused for another reason: no database can store them.
    assume("\x00" not in title and not re.search("[\ud800-\udfff]", title))
    published = normalise_report(title=title, body="isi").title
    try:
        SubmissionSchema().load({"title": title, "body": "isi"})
    except ValidationError as error:
        assert "title" in error.messages
        assert not 1 <= len(published) <= MAX_TITLE_CHARS
    else:
        assert 1 <= len(published) <= MAX_TITLE_CHARS
