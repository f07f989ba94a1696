"""URL slugs: ASCII, lowercase, hyphenated."""

from __future__ import annotations

import re
import unicodedata

_SEPARATORS = re.compile(r"[^a-z0-9]+")


def make_slug(value: str, *, max_length: int = 80, fallback: str = "") -> str:
    """``value`` as a slug of at most ``max_length`` characters, else ``fallback``."""
    ascii_value = unicodedata.normalize("NFKD", value).encode("ascii", "ignore").decode("ascii")
    slug = ""
    for word in _SEPARATORS.split(ascii_value.lower()):
        if not word:
            continue
        candidate = f"{slug}-{word}" if slug else word
        if len(candidate) > max_length:
            # A single word longer than the limit is cut rather than lost.
            slug = slug or word[:max_length]
            break
        slug = candidate
    return slug or fallback
