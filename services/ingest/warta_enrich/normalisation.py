"""The normalise stage: a submitted report as clean, safe, measured text.

Pure functions only; the Celery task calls ``normalise_report`` and stores what it returns.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from datetime import datetime

from warta_enrich.datelines import Dateline, extract_dateline
from warta_enrich.event_dates import DEFAULT_TIMEZONE, read_event_date
from warta_enrich.languages import detect_language, normalise_language
from warta_enrich.markup import SanitisedHtml, markdown_to_html, paragraphs_to_html, sanitise_html
from warta_enrich.plain_text import clean_text, clean_title, holds_markup
from warta_enrich.report_warnings import ReportWarning, title_cleaned
from warta_enrich.sentences import split_sentences
from warta_enrich.slugs import make_slug

__all__ = ["Dateline", "NormalisedReport", "clean_text", "clean_title", "normalise_report"]

BODY_FORMATS = ("text", "html", "markdown")
SLUG_MAX_LENGTH = 80
SLUG_FALLBACK = "berita"
EXCERPT_MAX_LENGTH = 300
_EXCERPT_READ_FACTOR = 4
WORDS_PER_MINUTE = 200

# A paragraph break lost on the way from the office's CMS survives as a no-break space or a
# double space after the end of a sentence ("… masyarakat.\xa0 “Dalam …"); mid-sentence ("saran\xa0
# kepada") it is only a space. Blank lines, and line breaks after a sentence, are breaks too.
_LOST_BREAK = re.compile(r"(?<=[.!?…:\"”’])[ \t]*(?:\xa0[ \t\xa0]*|[ \t]{2,})(?=\S)")
_BLANK_LINE = re.compile(r"\r\n?|\n")
_SENTENCE_END = re.compile(r"[.!?…:\"”’)]\s*$")
_LETTER_OR_DIGIT = re.compile(r"[^\W_]")
_ELLIPSIS = "…"


@dataclass(frozen=True)
class NormalisedReport:
    title: str
    slug: str
    language: str
    body_html: str
    text: str
    excerpt: str
    word_count: int
    reading_minutes: int
    dateline: Dateline
    event_at: datetime | None
    # What the office is told it should check: the doubts and changes above.
    warnings: list[ReportWarning]


def split_paragraphs(body: str) -> list[str]:
    """Paragraphs of a plain-text body, each cleaned, empty ones dropped."""
    paragraphs: list[str] = []
    current: list[str] = []
    for line in _BLANK_LINE.split(body):
        if not line.strip():
            if current:
                paragraphs.append(" ".join(current))
                current = []
            continue
        current.append(line)
        # One line per paragraph is how most CMS exports look; a hard-wrapped line that stops
        # mid-sentence carries on in the next one.
        if _SENTENCE_END.search(line):
            paragraphs.append(" ".join(current))
            current = []
    if current:
        paragraphs.append(" ".join(current))
    parts = (part for paragraph in paragraphs for part in _LOST_BREAK.split(paragraph))
    cleaned = (clean_text(part) for part in parts)
    return [paragraph for paragraph in cleaned if paragraph]


def make_title_slug(title: str) -> str:
    """The article's slug: at most 80 characters, cut at a word; "berita" if nothing is left."""
    return make_slug(title, max_length=SLUG_MAX_LENGTH, fallback=SLUG_FALLBACK)


def make_excerpt(text: str, max_length: int = EXCERPT_MAX_LENGTH) -> str:
    """Whole sentences from the start of ``text``, at most ``max_length`` characters.

    If even the first sentence is longer, it is cut at a word and ends with an ellipsis.
    """
    # Only the start can be in the excerpt: folding the whole of a long report costs more.
    head = text[: max_length * _EXCERPT_READ_FACTOR]
    flat = " ".join(head.split())
    if len(flat) <= max_length and len(head) < len(text):
        flat = " ".join(text.split())
    excerpt = ""
    for sentence in split_sentences(flat):
        candidate = f"{excerpt} {sentence}" if excerpt else sentence
        if len(candidate) > max_length:
            break
        excerpt = candidate
    if excerpt or not flat:
        return excerpt
    cut = flat[: max_length - len(_ELLIPSIS) + 1].rsplit(" ", 1)[0]
    cut = cut[: max_length - len(_ELLIPSIS)].rstrip(" ,;:–—-")
    return cut + _ELLIPSIS if cut else ""


def count_words(text: str) -> int:
    """Whitespace-separated tokens that hold a letter or digit ("–" and "—" are not words)."""
    tokens = text.split()
    # Only a token that is not all letters and digits needs the (slower) regular expression.
    return len(tokens) - len(
        [t for t in tokens if not t.isalnum() and not _LETTER_OR_DIGIT.search(t)]
    )


def reading_minutes(word_count: int) -> int:
    return max(1, math.floor(word_count / WORDS_PER_MINUTE + 0.5))


def _body(body: str, body_format: str, base_url: str | None) -> SanitisedHtml:
    if body_format == "html":
        return sanitise_html(body, base_url)
    if body_format == "markdown":
        return sanitise_html(markdown_to_html(body), base_url)
    paragraphs = split_paragraphs(body)
    return SanitisedHtml(paragraphs_to_html(paragraphs), paragraphs)


def normalise_report(
    *,
    title: str,
    body: str,
    body_format: str = "text",
    language: str | None = None,
    timezone: str = DEFAULT_TIMEZONE,
    published_at: datetime | None = None,
    base_url: str | None = None,
) -> NormalisedReport:
    """Normalise one submitted report. Total: any strings give a result, none raises.

    An unknown ``body_format`` is read as plain text. ``title`` may come back empty when it held
    only junk or markup; rejecting that is the caller's decision. ``published_at`` dates what the
    report writes without a year ("Rabu (29/12)") or relative to the day it appears ("hari
    ini"). ``base_url``, where the office's own pages are known, makes relative links and images
    in the body absolute; without it they are dropped (and the office told).
    """
    plain_title = clean_title(title)
    warnings = [title_cleaned(plain_title)] if holds_markup(title) else []
    sanitised = _body(body, body_format, base_url)
    warnings += sanitised.warnings
    body_html, paragraphs = sanitised.body_html, sanitised.paragraphs
    text = "\n\n".join(paragraphs)
    dateline, lead_start = extract_dateline(text)
    words = count_words(text)
    event = read_event_date(
        text,
        head_end=lead_start,
        title=plain_title,
        timezone_name=timezone,
        published_at=published_at,
    )
    return NormalisedReport(
        title=plain_title,
        slug=make_title_slug(plain_title),
        language=normalise_language(language) or detect_language(f"{plain_title}\n{text}"),
        body_html=body_html,
        text=text,
        excerpt=make_excerpt(text[lead_start:]),
        word_count=words,
        reading_minutes=reading_minutes(words),
        dateline=dateline,
        event_at=event.at,
        warnings=[*warnings, *event.warnings],
    )
