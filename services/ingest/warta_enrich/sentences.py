"""Sentences of Indonesian and English news prose."""

from __future__ import annotations

import re
from collections.abc import Iterator

# A full stop after one of these does not end a sentence ("Plt. Kasubbag", "S.Kom, SH").
ABBREVIATIONS = frozenset(
    [
        "a.n",
        "adm",
        "bpk",
        "dll",
        "dkk",
        "dr",
        "dra",
        "drs",
        "dsb",
        "dst",
        "hj",
        "ib",
        "ibu",
        "ir",
        "jl",
        "jln",
        "kab",
        "kec",
        "kel",
        "kep",
        "kh",
        "kol",
        "mr",
        "mrs",
        "ms",
        "no",
        "nomor",
        "pk",
        "plt",
        "pol",
        "prof",
        "prov",
        "pt",
        "s.d",
        "sdr",
        "sekr",
        "st",
        "tbk",
        "tgl",
        "tn",
        "vs",
        "u.p",
        "yth",
        "st.",
    ]
)

# A candidate boundary: end punctuation (and closing quotes), whitespace, then something that can
# open a sentence.
_BOUNDARY = re.compile(r"[.!?…]+[\"”’')\]]*\s+(?=[\"“‘'(\[]?[A-Z0-9À-Þ])")


def _ends_with_abbreviation(head: str) -> bool:
    # The last word, read from the end (a pattern anchored at the end is tried at every offset).
    words = head.rsplit(None, 1)
    if not words:
        return False
    token = words[-1].lstrip("(\"“'").rstrip(".").lower()
    # Single letters are initials ("Abdul K. Hakim") or list markers.
    return len(token) <= 1 or token in ABBREVIATIONS or "." in token


def sentence_spans(text: str) -> Iterator[tuple[int, int]]:
    """(start, end) of each sentence of one paragraph, whitespace around it left out; never
    splits inside an abbreviation."""
    start = 0
    for match in _BOUNDARY.finditer(text):
        if match.group().startswith(".") and _ends_with_abbreviation(text[start : match.start()]):
            continue
        yield from _stripped(text, start, match.end())
        start = match.end()
    yield from _stripped(text, start, len(text))


def _stripped(text: str, start: int, end: int) -> Iterator[tuple[int, int]]:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    if start < end:
        yield start, end


def split_sentences(text: str) -> Iterator[str]:
    """The sentences of one paragraph, each stripped; never splits inside an abbreviation."""
    for start, end in sentence_spans(text):
        yield text[start:end]
