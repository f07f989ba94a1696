"""Warta's controlled vocabulary and the matcher that finds its terms in a report (places are
the gazetteer's, see gazetteer.py)."""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any

import ahocorasick
import yaml

from warta_enrich.folding import fold

KINDS = ("topic", "organisation", "person")
# Spellings of one sound that offices mix ("adhoc"/"adhok", "djadwal"/"jadwal"), made one.
_SOUNDS = (("dj", "j"), ("tj", "c"), ("oe", "u"), ("ph", "f"), ("q", "k"), ("c", "k"))
_NOT_LETTER = re.compile(r"[^a-z0-9]")
_DOUBLED = re.compile(r"(.)\1+")
# Shorter skeletons are acronyms ("DPT", "DPS", "DPK"): one letter apart, they are other terms.
_NEAR_LENGTH = 6


@dataclass(frozen=True)
class Entry:
    slug: str
    label: str
    kind: str


@dataclass(frozen=True)
class Match:
    entry: Entry
    start: int
    end: int


@dataclass(frozen=True)
class _Term:
    entry: Entry
    written: str | None  # for cased terms: the exact spelling required


class Vocabulary:
    """All terms in one Aho-Corasick automaton over folded text: one pass per report."""

    def __init__(self, entries: list[tuple[Entry, list[str], list[str]]]) -> None:
        self.entries = {entry.slug: entry for entry, _, _ in entries}
        terms: dict[str, list[_Term]] = {}
        for entry, loose, cased in entries:
            for term in [entry.label, *loose]:
                if term in cased:
                    continue
                terms.setdefault(_key(term), []).append(_Term(entry, None))
            for term in cased:
                terms.setdefault(_key(term), []).append(_Term(entry, " ".join(term.split())))
        self._automaton = ahocorasick.Automaton()
        for key, candidates in terms.items():
            if key:
                self._automaton.add_word(key, (len(key), candidates))
        self._automaton.make_automaton()
        self._by_key = terms
        self._skeletons, self._one_off = _near_index(
            term for entry, loose, cased in entries for term in (entry.label, *loose, *cased)
        )

    def resembles(self, phrase: str) -> bool:
        """Whether ``phrase`` is a vocabulary term written another way: spaced or hyphenated
        otherwise ("Badan Adhok", "Si Rekap"), or one letter off ("Pantarlik")."""
        skeleton = _skeleton(phrase)
        if skeleton in self._skeletons:
            return True
        if len(skeleton) < _NEAR_LENGTH:
            return False
        if skeleton in self._one_off:
            return True
        shorter = list(_one_deleted(skeleton))
        return not (self._skeletons.isdisjoint(shorter) and self._one_off.isdisjoint(shorter))

    def lookup(self, phrase: str) -> Entry | None:
        """The entry whose term is exactly ``phrase`` (folded), e.g. an office's own tag."""
        for term in self._by_key.get(_key(phrase), []):
            if term.written is None or term.written == " ".join(phrase.split()):
                return term.entry
        return None

    @property
    def terms(self) -> dict[str, list[_Term]]:
        """Every term by its key (folded), for a reader that shares one automaton."""
        return self._by_key

    def find(self, text: str) -> list[Match]:
        """Whole-word matches in ``text``, in order; within a kind, none inside another.

        Kinds may overlap: "Sirekap KPU" holds a topic and an organisation.
        """
        folded = fold(text)
        hits = list(whole_words(self._automaton, folded))
        return self.read(text, hits)

    def read(self, text: str, hits: Iterable[tuple[int, int, list[_Term]]]) -> list[Match]:
        """The matches that whole-word hits of this vocabulary's terms in ``text`` make."""
        found: list[Match] = []
        for start, end, candidates in hits:
            for term in candidates:
                if term.written is None or text[start:end] == term.written:
                    found.append(Match(term.entry, start, end))
        return sorted(_outermost(found), key=lambda match: match.start)


def _key(term: str) -> str:
    return fold(" ".join(term.split()))


def _skeleton(term: str) -> str:
    """``term`` folded to letters and digits, spelling variants of one sound made one."""
    skeleton = _NOT_LETTER.sub("", fold(term))
    for written, sound in _SOUNDS:
        skeleton = skeleton.replace(written, sound)
    return _DOUBLED.sub(r"\1", skeleton)


def _one_deleted(skeleton: str) -> Iterator[str]:
    return (skeleton[:i] + skeleton[i + 1 :] for i in range(len(skeleton)))


def _near_index(terms: Iterable[str]) -> tuple[frozenset[str], frozenset[str]]:
    """The terms' skeletons, and those of their long ones with one letter deleted: a skeleton
    one edit from a term's is in the second set or has a deletion in either."""
    skeletons = {_skeleton(term) for term in terms}
    one_off = {
        shorter
        for skeleton in skeletons
        if len(skeleton) >= _NEAR_LENGTH
        for shorter in _one_deleted(skeleton)
    }
    return frozenset(skeletons), frozenset(one_off)


def whole_words(automaton: ahocorasick.Automaton, folded: str) -> Iterator[tuple[int, int, Any]]:
    """(start, end, value) of each hit of ``automaton`` in ``folded`` that is a whole word; the
    automaton's values are (length of the key, value)."""
    for end_index, (length, value) in automaton.iter(folded):
        start = end_index - length + 1
        # Most hits are inside a longer word ("tps" in "tpsnya"): told apart first, inline.
        if start and (folded[start - 1].isalnum() or folded[start - 1] == "_"):
            continue
        end = end_index + 1
        if is_whole_word(folded, start, end):
            yield start, end, value


def is_whole_word(text: str, start: int, end: int) -> bool:
    before = text[start - 1] if start > 0 else " "
    after = text[end] if end < len(text) else " "
    # Letters and digits continue a word ("Sipolnya" is not "Sipol"); punctuation, hyphens
    # included, ends one ("KPU-RI", "PPK/PPS").
    return not (before.isalnum() or before == "_") and not (after.isalnum() or after == "_")


def _outermost(matches: list[Match]) -> Iterator[Match]:
    """Matches not inside a longer match of the same kind.

    "KPU Kabupaten" hides the "KPU" within it; "Tahapan Pemilu" and "Pemilu 2024", which
    only overlap, are both kept.
    """
    by_kind: dict[str, list[Match]] = {}
    for match in matches:
        by_kind.setdefault(match.entry.kind, []).append(match)
    for kind_matches in by_kind.values():
        kind_matches.sort(key=lambda match: (match.start, match.start - match.end))
        reached = -1
        for match in kind_matches:
            if match.end > reached:
                reached = match.end
                yield match


def _entries(document: dict[str, Any]) -> list[tuple[Entry, list[str], list[str]]]:
    entries = []
    for kind in KINDS:
        for item in document.get(kind) or []:
            entry = Entry(slug=item["slug"], label=item["label"], kind=kind)
            entries.append((entry, list(item.get("terms") or []), list(item.get("cased") or [])))
    return entries


@cache
def load_vocabulary() -> Vocabulary:
    """The vocabulary shipped with the package (``vocabulary.yaml``), built once per process."""
    text = resources.files("warta_enrich").joinpath("vocabulary.yaml").read_text(encoding="utf-8")
    return Vocabulary(_entries(yaml.safe_load(text)))
