"""Plain Unicode text that every later stage (lxml, feedgen, JSON) can carry safely."""

from __future__ import annotations

import html
import re
import unicodedata

import ftfy
import nh3

# ftfy's own defaults would straighten typographic quotes and unescape HTML entities: the first
# changes what the office wrote, the second makes cleaning not idempotent ("&amp;lt;" -> "<").
_FTFY_CONFIG = ftfy.TextFixerConfig(
    unescape_html=False,
    uncurl_quotes=False,
    fix_character_width=False,
    normalization="NFC",
    explain=False,
)

# UTF-8 read as Latin-1/cp1252 always shows a C1 control or a lead byte in \xc2-\xf4; text without
# one cannot hold that mojibake, so the (slow, ~8 ms per report) repair is skipped for it.
_MOJIBAKE_HINT = re.compile("[\x80-\x9f\xc2-\xf4\u0192\u02c6\u2020\u2021\u2030\u20ac\u2122]")

# Everything XML 1.0 forbids: C0 controls but tab/LF/CR, surrogates, U+FFFE and U+FFFF.
_XML_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
# Allowed by XML but only ever copy-paste debris: C1 controls, soft hyphens, zero-width spaces,
# byte-order marks. Removed only after the mojibake repair, which needs the C1 controls
# ("â€\x9d" is a closing quote).
_DEBRIS = re.compile("[\x7f-\x9f\u00ad\u200b\u2060\ufeff]")
# Both at once, for text with nothing to repair.
_JUNK = re.compile(
    "[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u00ad\u200b\u2060\ud800-\udfff\ufeff\ufffe\uffff]"
)
_WHITESPACE = re.compile(r"\s+")
# Bidi embeddings, overrides, isolates and marks: invisible, and able to make a title read
# backwards where it is shown (U+202E); an Indonesian title needs none of them.
_BIDI_CONTROLS = re.compile("[\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]")
_MAX_PASSES = 4
# A tag HTML knows ("<b>", "</span>", "<br/>", "<a href=…>"), the sign that a CMS pasted markup
# into a title. "<17 tahun" or "<Pemilu>" are not markup and stay as written.
_HTML_TAG = re.compile(
    r"</?(?:a|abbr|b|big|blockquote|br|center|cite|code|del|div|em|font|h[1-6]|hr|i|img|ins|kbd"
    r"|mark|p|q|s|small|span|strike|strong|sub|sup|tt|u|script|style|iframe|object|embed|svg"
    r"|video|audio|link|meta|title)\b[^<>]*>",
    re.IGNORECASE,
)


def remove_illegal_characters(value: str) -> str:
    """The value without the characters that XML 1.0 forbids."""
    return _XML_ILLEGAL.sub("", value)


def remove_debris(value: str) -> str:
    """The value without invisible characters that carry no meaning (and no XML-illegal ones)."""
    return _DEBRIS.sub("", _XML_ILLEGAL.sub("", value))


def repair_mojibake(value: str) -> str:
    if not _MOJIBAKE_HINT.search(value):
        return value
    return ftfy.fix_text(value, _FTFY_CONFIG)


def _clean_once(value: str) -> str:
    value = remove_illegal_characters(value)
    value = repair_mojibake(value)
    value = unicodedata.normalize("NFC", value)
    value = remove_debris(value)
    return _WHITESPACE.sub(" ", value).strip()


def clean_text(value: str) -> str:
    """One line of clean text: mojibake repaired, NFC, XML-safe, whitespace folded to single spaces.

    Total and idempotent. One repair can uncover another (a removed control character joins two
    halves of a mojibake sequence), so the steps repeat until nothing changes.
    """
    if not _MOJIBAKE_HINT.search(value):
        # The usual report: nothing to repair, so one pass of each step leaves it settled, unless
        # composing formed a hint ("A" and a combining circumflex are "Â").
        value = unicodedata.normalize("NFC", _JUNK.sub("", value))
        value = _WHITESPACE.sub(" ", value).strip()
        if not _MOJIBAKE_HINT.search(value):
            return value
    for _ in range(_MAX_PASSES):
        cleaned = _clean_once(value)
        # Without a mojibake hint and in NFC, another pass would change nothing: stop here
        # rather than pay for that pass (the usual case).
        if cleaned == value or _is_settled(cleaned):
            return cleaned
        value = cleaned
    return value


def _is_settled(value: str) -> bool:
    return not _MOJIBAKE_HINT.search(value) and unicodedata.is_normalized("NFC", value)


def holds_markup(value: str) -> bool:
    """Whether a title holds an HTML tag, which ``clean_title`` takes out."""
    return _HTML_TAG.search(value) is not None


def clean_title(value: str) -> str:
    """A title as plain text: ``clean_text`` without bidi controls, and any markup a CMS left
    in it taken out; "" when nothing visible is left.

    "Bimbingan Teknis <b>Keamanan Siber</b>" is "Bimbingan Teknis Keamanan Siber"; once a title
    holds markup its entities are markup too ("&amp;" is "&"), and a script's text is dropped
    with it. The API judges submitted titles with this very function and normalise stores what
    it returns, so a title the API accepts is never found empty later.
    """
    value = clean_text(_BIDI_CONTROLS.sub("", value))
    for _ in range(_MAX_PASSES):
        if not _HTML_TAG.search(value):
            break
        # nh3 takes every tag out and escapes what it leaves; one unescape gives plain text
        # (which, if it was escaped markup, holds tags again: hence the passes).
        value = clean_text(html.unescape(nh3.clean(value, tags=set())))
    return value if any(unicodedata.category(c)[0] not in "CZ" for c in value) else ""
