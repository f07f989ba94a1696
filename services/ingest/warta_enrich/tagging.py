"""The tag stage: vocabulary tags, the office's own tags and statistical keywords for a report.

Pure functions only; the Celery task calls ``tag_report`` and stores what it returns.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache, lru_cache
from typing import Any

import ahocorasick

from warta.regions import Region, regions
from warta_enrich.datelines import extract_dateline
from warta_enrich.folding import fold
from warta_enrich.gazetteer import Gazetteer, load_gazetteer
from warta_enrich.keywords import extract_keywords
from warta_enrich.languages import DEFAULT_LANGUAGE, LANGUAGES
from warta_enrich.plain_text import clean_text
from warta_enrich.slugs import make_slug
from warta_enrich.vocabulary import Match, Vocabulary, load_vocabulary

KINDS = ("topic", "organisation", "place", "person", "keyword")
SOURCES = ("office", "vocabulary", "keyword")

OFFICE_SCORE = 1.0
# Weights of a vocabulary tag's score: named in the title, named in the lead, how often named.
# Tuned on tests/gold/reports.yaml (bench/quality.py); F1 is flat around these values.
TITLE_WEIGHT = 0.5
LEAD_WEIGHT = 0.2
FREQUENCY_WEIGHT = 0.5
MIN_VOCABULARY_SCORE = 0.3
# The lead is the report proper's first paragraph (after any caption and the dateline), at most
# this long.
LEAD_CHARS = 400
# Kinds tagged wherever they are named; topics and places must be prominent enough. On the
# tuning reports (bench/quality.py) this lifts organisation F1 from 0.86 to 0.95; doing the
# same for places lowers their F1 (0.92 to 0.90: speakers' home regencies named in a list).
NAMED_KINDS = frozenset({"organisation", "person"})
KEYWORD_LIMIT = 5
KEYWORD_TOP_SCORE = 0.5
_TAG_SLUG_LENGTH = 60


class _Terms:
    """The vocabulary's terms and the gazetteer's names in one automaton: reading a report's
    text is the costliest part of finding them, so it is read once for both."""

    def __init__(self, vocabulary: Vocabulary, gazetteer: Gazetteer) -> None:
        self.vocabulary, self.gazetteer = vocabulary, gazetteer
        values: dict[str, list[Any]] = {}
        for key, candidates in vocabulary.terms.items():
            if key:
                values[key] = [candidates, None]
        for key, term in gazetteer.terms.items():
            values.setdefault(key, [None, None])[1] = term
        self._automaton = ahocorasick.Automaton()
        for key, (candidates, term) in values.items():
            self._automaton.add_word(key, (len(key), (candidates, term)))
        self._automaton.make_automaton()

    def find(self, text: str, home: Region | None) -> tuple[list[Match], list[Match]]:
        """The vocabulary's matches and the places named in ``text``."""
        words, places = [], []
        folded = fold(text)
        size = len(folded)
        # whole_words, inline: this loop runs for every hit of every report.
        for end_index, (length, (candidates, term)) in self._automaton.iter(folded):
            start = end_index - length + 1
            if start and (folded[start - 1].isalnum() or folded[start - 1] == "_"):
                continue
            end = end_index + 1
            if end < size and (folded[end].isalnum() or folded[end] == "_"):
                continue
            if candidates:
                words.append((start, end, candidates))
            if term is not None:
                places.append((start, end, term))
        return self.vocabulary.read(text, words), self.gazetteer.read(text, places, home)


@cache
def _terms() -> _Terms:
    return _Terms(load_vocabulary(), load_gazetteer())


@dataclass(frozen=True)
class Tag:
    slug: str
    label: str
    kind: str
    score: float
    source: str


def _vocabulary_tags(
    title_matches: list[Match], text: str, lead_start: int, matches: list[Match]
) -> dict[str, Tag]:
    in_title = {match.entry.slug for match in title_matches}
    entries = {match.entry.slug: match.entry for match in [*title_matches, *matches]}
    counts: dict[str, int] = {}
    first: dict[str, int] = {}
    for match in matches:
        counts[match.entry.slug] = counts.get(match.entry.slug, 0) + 1
        first.setdefault(match.entry.slug, match.start)
    # The lead is the report proper's first paragraph, after any caption and the dateline.
    paragraph_end = text.find("\n\n", lead_start)
    lead_end = min(lead_start + LEAD_CHARS, len(text) if paragraph_end < 0 else paragraph_end)
    tags = {}
    for slug in in_title | set(counts):
        entry = entries[slug]
        titled = slug in in_title
        in_lead = first.get(slug, lead_end) < lead_end
        count = counts.get(slug, 0) + titled
        score = (
            TITLE_WEIGHT * titled
            + LEAD_WEIGHT * in_lead
            + FREQUENCY_WEIGHT * (1.0 - math.exp(-count / 3.0))
        )
        score = round(min(1.0, score), 3)
        if entry.kind in NAMED_KINDS:
            # An editor tags every body that took part, however briefly named (the guests
            # listed after the lead): readers follow them. The score still ranks them.
            tags[slug] = Tag(slug, entry.label, entry.kind, score, "vocabulary")
            continue
        # A topic named once in passing after the lead is not what the report is about.
        named_once_in_passing = not (titled or in_lead) and count < 2
        if score >= MIN_VOCABULARY_SCORE and not named_once_in_passing:
            tags[slug] = Tag(slug, entry.label, entry.kind, score, "vocabulary")
    return tags


def _office_tags(
    office_tags: Sequence[str], found: dict[str, Tag], home: Region | None
) -> dict[str, Tag]:
    vocabulary, gazetteer = load_vocabulary(), load_gazetteer()
    tags: dict[str, Tag] = {}
    for raw in office_tags:
        label = clean_text(raw)
        if not label:
            continue
        entry = vocabulary.lookup(label) or gazetteer.lookup(label, home)
        if entry is not None:
            # The office's word for a vocabulary term: one tag, labelled as the vocabulary does.
            tags[entry.slug] = Tag(entry.slug, entry.label, entry.kind, OFFICE_SCORE, "office")
            continue
        slug = make_slug(label, max_length=_TAG_SLUG_LENGTH)
        if slug and slug not in tags and slug not in found:
            # Free-form office tags group the office's articles, like a topic does.
            tags[slug] = Tag(slug, label, "topic", OFFICE_SCORE, "office")
    return tags


def _without_spans(text: str, matches: list[Match]) -> str:
    """``text`` with vocabulary matches replaced by a break, so keywords cover the rest."""
    pieces: list[str] = []
    position = 0
    for match in sorted(matches, key=lambda match: match.start):
        if match.start >= position:
            pieces.append(text[position : match.start])
            pieces.append(" | ")
            position = match.end
        else:
            position = max(position, match.end)
    pieces.append(text[position:])
    return "".join(pieces)


@lru_cache(maxsize=4096)
def _words(label: str) -> frozenset[str]:
    return frozenset(make_slug(label, max_length=_TAG_SLUG_LENGTH).split("-"))


def _is_junk(label: str, chosen: list[frozenset[str]]) -> bool:
    """A keyword that only repeats another tag: a vocabulary term spelled otherwise ("Badan
    Adhok" beside "Badan Ad Hoc"), part of a tag's label ("Rekapitulasi" beside "Rekapitulasi
    Suara"), or a place (the gazetteer's, tagged as such where it is settled)."""
    words = _words(label)
    return (
        any(words <= taken for taken in chosen)
        or load_gazetteer().knows(label)
        or load_vocabulary().resembles(label)
    )


def _keyword_tags(
    text: str, language: str, matches: list[Match], tags: dict[str, Tag]
) -> list[Tag]:
    keywords = extract_keywords(_without_spans(text, matches), language, limit=KEYWORD_LIMIT * 2)
    if not keywords:
        return []
    best = keywords[0].score
    taken = set(tags)
    chosen = [_words(tag.label) for tag in tags.values()]
    found = []
    for keyword in keywords:
        slug = make_slug(keyword.label, max_length=_TAG_SLUG_LENGTH)
        if not slug or slug in taken or _is_junk(keyword.label, chosen):
            continue
        taken.add(slug)
        chosen.append(_words(keyword.label))
        # YAKE scores run the other way (lower is better) and have no upper bound.
        score = KEYWORD_TOP_SCORE * (best / keyword.score) if keyword.score > 0 else 0.0
        found.append(Tag(slug, keyword.label, "keyword", round(score, 3), "keyword"))
        if len(found) == KEYWORD_LIMIT:
            break
    return found


def tag_report(
    *,
    title: str,
    text: str,
    language: str,
    office_tags: Sequence[str] = (),
    region: str | None = None,
) -> list[Tag]:
    """Tags for a normalised report, most relevant first (score descending, then slug).

    ``region`` is the office's own (a Kemendagri code, "35.14"): it settles a place name that
    several regions share ("Pasuruan"). An unknown code counts as none.
    """
    if language not in LANGUAGES:
        language = DEFAULT_LANGUAGE
    home = regions().get(region) if region else None
    terms = _terms()
    # The dateline names the office's home, not what the report is about: its place is no
    # mention of a place, and nothing before the report proper is offered as a keyword.
    _, lead_start = extract_dateline(text)
    words, places = terms.find(text, home)
    matches = [*words, *(match for match in places if match.start >= lead_start)]
    title_matches = [match for found in terms.find(title, home) for match in found]
    found = _vocabulary_tags(title_matches, text, lead_start, matches)
    office = _office_tags(office_tags, found, home)
    tags = {**found, **office}
    body_matches = [
        Match(match.entry, match.start - lead_start, match.end - lead_start)
        for match in matches
        if match.start >= lead_start
    ]
    keywords = _keyword_tags(text[lead_start:], language, body_matches, tags)
    result = [*tags.values(), *keywords]
    return sorted(result, key=lambda tag: (-tag.score, tag.slug))
