"""Which language a report is written in, by counting function words."""

from __future__ import annotations

import re
from functools import cache
from importlib import resources

import yaml

LANGUAGES = ("id", "en")
DEFAULT_LANGUAGE = "id"
_WORD = re.compile(r"[^\W\d_]+")
_SAMPLE_WORDS = 400
# Enough characters for that many words of news prose, and a bound on the work for a long body.
_CHARS_PER_WORD = 12


@cache
def stopwords(language: str) -> frozenset[str]:
    """The function words of ``language`` ("id" or "en"), lowercase."""
    text = resources.files("warta_enrich").joinpath("stopwords.yaml").read_text(encoding="utf-8")
    lists: dict[str, str] = yaml.safe_load(text)
    return frozenset(lists.get(language, "").split())


def detect_language(text: str) -> str:
    """``"en"`` when English function words outnumber Indonesian ones, else ``"id"``.

    Ties (and text with no words) go to Indonesian, the language of the offices.
    """
    # The first words are enough, and lowercasing the sample once beats a word at a time.
    words = _WORD.findall(text[: _SAMPLE_WORDS * _CHARS_PER_WORD].lower())[:_SAMPLE_WORDS]
    indonesian, english = stopwords("id"), stopwords("en")
    id_score = len([word for word in words if word in indonesian])
    en_score = len([word for word in words if word in english])
    return "en" if en_score > id_score else "id"


def normalise_language(language: str | None) -> str | None:
    """ "id", "en" from what an office sent ("ID", "id-ID", "en_GB"), or None when unusable."""
    if not language:
        return None
    code = language.strip().lower().replace("_", "-").split("-")[0]
    return code if code in LANGUAGES else None
