"""Datelines: the place (and source) a report opens with, "Pasuruan, kab-pasuruan.kpu.go.id –"."""

from __future__ import annotations

import re
from dataclasses import dataclass


@dataclass(frozen=True)
class Dateline:
    place: str | None
    source: str | None


NO_DATELINE = Dateline(place=None, source=None)

# The head ends at a dash standing alone: an en or em dash, or one or two hyphens between
# spaces ("28-12-2021" and "kab-pasuruan" are not separators).
_SEPARATOR = re.compile(r"\s*[–—]\s*|\s+-{1,2}\s+")
_HEAD_LIMIT = 160
_DOMAIN = re.compile(
    r"^(?:https?://)?(?P<domain>(?:[a-z0-9](?:[a-z0-9-]*[a-z0-9])?\.)+[a-z]{2,})/?$", re.IGNORECASE
)
_PAREN_SOURCE = re.compile(r"^(?P<place>.*?)\s*\((?P<source>[^()]{2,40})\)$")
_PLACE_WORD = re.compile(r"^(?:[A-ZÀ-Þ][\w'’.]*|[A-Z]{1,4}\.?|dan|di|de|da|van)$")
_PLACE_MAX_WORDS = 5
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
        "The",
        "In",
        "On",
        "At",
    }
)


def _place(candidate: str) -> str | None:
    words = candidate.split()
    if not 1 <= len(words) <= _PLACE_MAX_WORDS or words[0] in _NOT_PLACES:
        return None
    if not all(_PLACE_WORD.match(word) for word in words):
        return None
    if not words[0][0].isupper():
        return None
    place = " ".join(words).rstrip(",")
    # "SURABAYA" as wire services write it reads "Surabaya" everywhere else.
    if place.isupper() and len(place) > 4:
        place = place.title()
    return place


def _source(part: str) -> str | None:
    part = part.strip()
    match = _DOMAIN.match(part)
    if match:
        return match.group("domain").lower()
    return None


def extract_dateline(text: str) -> tuple[Dateline, int]:
    """The dateline at the head of ``text`` and the offset where the report proper begins.

    Returns ``(NO_DATELINE, 0)`` when the text does not open with one.
    """
    separator = _SEPARATOR.search(text, 0, _HEAD_LIMIT)
    if separator is None:
        return NO_DATELINE, 0
    head = text[: separator.start()].strip()
    if not head or "\n" in head:
        return NO_DATELINE, 0
    parts = [part.strip() for part in head.split(",")]
    place_part, rest = parts[0], parts[1:]
    source: str | None = None
    paren = _PAREN_SOURCE.match(place_part)
    if paren:
        place_part, source = paren.group("place"), paren.group("source").strip()
    place = _place(place_part)
    if place is None:
        return NO_DATELINE, 0
    for part in rest:
        found = _source(part)
        if found is not None and source is None:
            source = found
        elif found is None and not _looks_like_date(part):
            # "Pasuruan, Rabu kemarin KPU ..." is prose, not a dateline.
            return NO_DATELINE, 0
    return Dateline(place=place, source=source), separator.end()


_DATE_PART = re.compile(r"^[\w ()/.-]{1,40}$")
_DIGIT = re.compile(r"\d")


def _looks_like_date(part: str) -> bool:
    return bool(_DATE_PART.match(part) and _DIGIT.search(part))
