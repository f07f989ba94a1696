"""Datelines: the place (and source) a report opens with, "Pasuruan, kab-pasuruan.kpu.go.id –".

Offices write them in many ways; each of these is read (place, source, then where the report
proper begins):

    Pasuruan, kab-pasuruan.kpu.go.id – KPU …         Bandung, kab-bandung.kpu.go.id Dalam rangka …
    Jakarta,kpu.go.id – KPU …                        KEBUMEN-Saat ini Bawaslu …
    Pasuruan,- KPU …                                 Pasuruan; KPU …
    Malang: Komisi …                                 Gunungtua (30/9/2021). KPU …
    kab-x.kpu.go.id Pasuruan-KPU …                   Kab-jepara.kpu.go.id – Panitia …
    Jayapura (ANTARA) - KPU …                        Jakarta, Senin (3/1/2022) – KPU …
    MAKASSAR, RAKYATSULSEL - …                       JABARNEWS | BANDUNG – Badan …
    Jakarta, Mahkamah Konstitusi (MK) tuntas …

and after a photo caption ("… (Foto: Humas KPU)", "Foto: …", or a short line before one of the
forms above). A place is taken on its looks only before a dash; with any other separator it must
be a known place (the gazetteer), be written in capitals, or come with a domain or a date.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from warta_enrich.gazetteer import load_gazetteer
from warta_enrich.vocabulary import load_vocabulary


@dataclass(frozen=True)
class Dateline:
    place: str | None
    source: str | None


NO_DATELINE = Dateline(place=None, source=None)

_HEAD_LIMIT = 160
_CAPTION_LIMIT = 400
_SHORT_PARAGRAPH = 250
_PLACE_MAX_WORDS = 5

_DOMAIN = re.compile(
    r"(?:https?://)?(?P<domain>(?:[a-z0-9](?:[a-z0-9-]*[a-z0-9])?\.)+"
    r"(?:id|com|net|org|info|news|tv|co))(?:/[\w./-]*)?(?![\w])",
    re.IGNORECASE,
)
_PAREN = re.compile(r"\(\s*(?P<inner>[^()\n]{1,40}?)\s*\)")
_DAYS = r"(?:Senin|Selasa|Rabu|Kamis|Jum'?’?at|Sabtu|Minggu|Ahad)"
_MONTHS = (
    r"(?:Jan(?:uari)?|Feb(?:ruari)?|Peb(?:ruari)?|Mar(?:et)?|Apr(?:il)?|Mei|Jun(?:i)?|Jul(?:i)?"
    r"|Agu(?:stus)?|Agt|Sep(?:tember)?|Okt(?:ober)?|Nov(?:ember)?|Nop(?:ember)?|Des(?:ember)?)"
)
# "Senin (3/1/2022)", "Senin, 3 Januari 2022", "12/1/2022", "3 Januari 2022".
_DATE = re.compile(
    rf"(?:{_DAYS}\b\.?,?\s*)?\(?\s*\d{{1,2}}(?:\s*[/.-]\s*\d{{1,2}}(?:\s*[/.-]\s*\d{{2,4}})?"
    rf"|\s+{_MONTHS}\b\.?(?:\s+\d{{4}})?)\s*\)?",
    re.IGNORECASE,
)
_DIGIT = re.compile(r"\d")
_PLACE = re.compile(
    rf"[A-ZÀ-Þ][\w'’.]*(?:[ \xa0](?:[A-ZÀ-Þ][\w'’.]*|dan|di|de|da|van)){{0,{_PLACE_MAX_WORDS - 1}}}"
)
# A source written in capitals beside the place ("MAKASSAR, RAKYATSULSEL -").
_OUTLET = re.compile(r"[A-Z][A-Z0-9]{2,}(?:[ ][A-Z][A-Z0-9]+){0,2}(?![\w])")
# Where the report proper begins. A dash with a space on either side, or a long dash, is the
# classic separator; the rest need a place that is surely one.
_DASH = re.compile(r"[ \t\xa0]*[–—]+[ \t\xa0]*|[ \t\xa0]+-{1,2}[ \t\xa0]*|-{1,2}[ \t\xa0]+")
_OTHER_SEPARATOR = re.compile(
    r"[ \t\xa0]*,[ \t\xa0]*-+[ \t\xa0]*"  # "Pasuruan,- KPU"
    r"|[ \t\xa0]*;[ \t\xa0]*"  # "Pasuruan; KPU"
    r"|[ \t\xa0]*:[ \t\xa0]+"  # "Malang: Komisi"
    r"|-(?=[A-Z\"“])"  # "KEBUMEN-Saat ini"
)
_AFTER_BRACKETED_DATE = re.compile(r"\.[ \t\xa0]+(?=[A-Z\"“])")  # "Gunungtua (30/9/2021). KPU"
_PART_DELIMITER = re.compile(r"[ \t\xa0]*[,|][ \t\xa0]*")
_COMMA_THEN_SENTENCE = re.compile(r",[ \t\xa0]+(?=[A-Z\"“])")

_CAPTION_MARK = re.compile(
    r"\s*\[?\s*(?:foto|keterangan foto|ket\.? ?foto|caption|ilustrasi|gambar)\s*[:：]",
    re.IGNORECASE,
)
_CREDIT = re.compile(
    r"\(\s*(?:foto|dok|dok\.|dokumentasi|sumber foto|ist|istimewa|humas|doc)\b[^()\n]{0,60}\)"
    r"[ \t\xa0]*\.?",
    re.IGNORECASE,
)
_CREDIT_AT_END = re.compile(
    r"(?:\(\s*(?:foto|dok|dokumentasi|sumber foto|ist|istimewa|humas|doc)\b[^()\n]{0,60}\)"
    r"|\b(?:foto|dok)\s*[:.]\s*[^.\n]{1,60})\s*\.?\s*$",
    re.IGNORECASE,
)
_SENTENCE_END = re.compile(r"[.!?][\"”’)]?[ \t\xa0]+")

# Words that cannot be a place: a sentence that merely starts with a capital and a comma.
_NOT_PLACES = frozenset(
    {
        "Dalam",
        "Sementara",
        "Namun",
        "Selain",
        "Adapun",
        "Menurut",
        "Hari",
        "Pada",
        "Saat",
        "Ketika",
        "Kemudian",
        "Untuk",
        "Sebelumnya",
        "Selanjutnya",
        "Oleh",
        "Catatan",
        "Foto",
        "Sumber",
        "Baca",
        "Senin",
        "Selasa",
        "Rabu",
        "Kamis",
        "Jumat",
        "Sabtu",
        "Minggu",
        "The",
        "In",
        "On",
        "At",
    }
)


@dataclass
class _Head:
    place: str | None = None
    source: str | None = None
    dated: bool = False  # a date or a bracketed date was read
    capitals: bool = False  # the place was written in capitals ("KEBUMEN")


def extract_dateline(text: str) -> tuple[Dateline, int]:
    """The dateline at the head of ``text`` and the offset where the report proper begins:
    after the dateline, its domain and any photo caption before it.

    Returns ``(NO_DATELINE, 0)`` when the text opens with neither.
    """
    found = _read(text, 0, surely=False)
    if found is not None:
        return found
    for start, explicit in _after_caption(text):
        found = _read(text, start, surely=True)
        if found is not None:
            return found
        if explicit:
            return NO_DATELINE, start
    return NO_DATELINE, 0


def _after_caption(text: str) -> list[tuple[int, bool]]:
    """Where the report may begin after a caption, and whether that caption is surely one."""
    starts: list[tuple[int, bool]] = []
    paragraph_end = text.find("\n")
    first = text[: paragraph_end if paragraph_end >= 0 else len(text)]
    marked = bool(_CAPTION_MARK.match(first))
    if paragraph_end >= 0:
        next_start = paragraph_end
        while next_start < len(text) and text[next_start].isspace():
            next_start += 1
        credited = bool(_CREDIT_AT_END.search(first))
        if marked or credited or len(first) <= _SHORT_PARAGRAPH:
            starts.append((next_start, marked or credited))
    # A caption run into the dateline's paragraph, its credit marking its end.
    for credit in _CREDIT.finditer(first, 0, _CAPTION_LIMIT):
        starts.append((credit.end(), False))
    if marked:
        for end in _SENTENCE_END.finditer(first, 0, _CAPTION_LIMIT):
            starts.append((end.end(), False))
    return sorted(set(starts))


def _read(text: str, start: int, *, surely: bool) -> tuple[Dateline, int] | None:
    """The dateline that begins at ``start``; ``surely``: only one with a domain, a date, a
    place in capitals or a known place."""
    limit = text.find("\n", start)
    limit = min(len(text) if limit < 0 else limit, start + _HEAD_LIMIT)
    head = _Head()
    # A shorter reading that stands if the longer one fails: "Jakarta, Mahkamah Konstitusi …"
    # (a place and a comma), "kab-x.kpu.go.id Panitia …" (a domain).
    fallback: tuple[Dateline, int] | None = None
    position = _skip_spaces(text, start)
    while position < limit:
        read_domain = head.source is None and _DOMAIN.match(text, position, limit) is not None
        item_end = _read_item(text, position, limit, head)
        if item_end is None:
            break
        position = item_end
        ended = _separator(text, position, limit, head)
        if ended is not None:
            return _dateline(head, ended, surely=surely)
        delimiter = _PART_DELIMITER.match(text, position, limit)
        if delimiter is not None:
            if text[position : delimiter.end()].strip() == "," and fallback is None:
                fallback = _bare_comma(text, position, head)
            position = delimiter.end()
            continue
        if read_domain and position < limit and text[position].isspace():
            following = _skip_spaces(text, position)
            if head.place is not None:
                # "Bandung, kab-bandung.kpu.go.id Dalam rangka …": the domain ends it.
                return _dateline(head, following, surely=surely)
            # "kab-x.kpu.go.id Pasuruan-KPU …" names the place after the domain.
            fallback = Dateline(place=None, source=head.source), following
            position = following
            continue
        break
    if fallback is not None and (not surely or _sure(head)):
        return fallback
    return None


def _skip_spaces(text: str, position: int) -> int:
    while position < len(text) and text[position] in " \t\xa0":
        position += 1
    return position


def _read_item(text: str, position: int, limit: int, head: _Head) -> int | None:
    """Read one part of the head (a domain, a date, a bracket, a place, an outlet) into ``head``;
    the offset after it, or None when nothing there belongs in a dateline."""
    domain = _DOMAIN.match(text, position, limit)
    if domain is not None and head.source is None:
        head.source = domain.group("domain").lower()
        return domain.end()
    date = _DATE.match(text, position, limit)
    if date is not None and head.place is not None:
        head.dated = True
        return date.end()
    place = _PLACE.match(text, position, limit)
    if place is not None and head.place is None and _is_place(place.group()):
        written = place.group()
        after = _skip_spaces(text, place.end())
        if written.isupper() and text[after : after + 1] == "|" and head.source is None:
            # "JABARNEWS | BANDUNG –": the source, then the place.
            head.source = written
            return place.end()
        head.place = _normalised_place(written)
        head.capitals = written.isupper() and len(written) > 2
        bracket = _PAREN.match(text, after, limit)
        if bracket is None:
            return place.end()
        inner = bracket.group("inner")
        if _DIGIT.search(inner):
            head.dated = True
        elif head.source is None:
            head.source = inner
        return bracket.end()
    outlet = _OUTLET.match(text, position, limit)
    if outlet is not None and head.source is None and head.place is not None:
        # "MAKASSAR, RAKYATSULSEL -": a source in capitals beside the place.
        head.source = outlet.group()
        return outlet.end()
    if place is not None and head.place is not None and load_gazetteer().knows(place.group()):
        # A second place qualifying the first ("Surabaya, Jawa Timur –") is read and left.
        return place.end()
    return None


def _separator(text: str, position: int, limit: int, head: _Head) -> int | None:
    """Where the report begins, if a separator ending the dateline is at ``position``."""
    if head.place is None and head.source is None:
        return None
    dash = _DASH.match(text, position, limit)
    if dash is not None:
        return dash.end()
    other = _OTHER_SEPARATOR.match(text, position, limit)
    if other is not None and _sure(head):
        return other.end()
    if head.dated and text[position - 1 : position] == ")":
        after = _AFTER_BRACKETED_DATE.match(text, position, limit)
        if after is not None:
            return after.end()
    return None


def _bare_comma(text: str, position: int, head: _Head) -> tuple[Dateline, int] | None:
    """ "Jakarta, Mahkamah Konstitusi (MK) tuntas …": a surely-a-place, a comma, then a sentence
    that does not begin with another place (a list of places is not a dateline)."""
    comma = _COMMA_THEN_SENTENCE.match(text, position)
    if comma is None or head.place is None or head.source or head.dated or not _sure(head):
        return None
    following = _PLACE.match(text, comma.end())
    gazetteer = load_gazetteer()
    if following is not None and any(
        gazetteer.knows(" ".join(following.group().split()[:n])) for n in range(1, 4)
    ):
        return None
    return Dateline(place=head.place, source=None), comma.end()


def _dateline(head: _Head, end: int, *, surely: bool) -> tuple[Dateline, int] | None:
    if surely and not _sure(head):
        return None
    return Dateline(place=head.place, source=head.source), end


def _sure(head: _Head) -> bool:
    """Whether the head is surely a dateline whatever its separator."""
    if head.source is not None or head.dated or head.capitals:
        return True
    return head.place is not None and load_gazetteer().knows(head.place)


def _is_place(candidate: str) -> bool:
    words = candidate.split()
    if not 1 <= len(words) <= _PLACE_MAX_WORDS or words[0].rstrip(".,") in _NOT_PLACES:
        return False
    # An organisation ("KPU", "Bawaslu Kabupaten …") opens a sentence, not a dateline.
    vocabulary = load_vocabulary()
    return vocabulary.lookup(words[0]) is None and vocabulary.lookup(candidate) is None


def _normalised_place(place: str) -> str:
    place = " ".join(place.split()).rstrip(",.")
    if place.isupper() and len(place) > 4:
        # "SURABAYA" as wire services write it reads "Surabaya" everywhere else.
        return place.title()
    return place
