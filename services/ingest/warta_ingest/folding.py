"""Case- and accent-folding that keeps every character in its place.

Matching runs on folded text and reports offsets into the original, so a fold must map each
character to exactly one character: "É" -> "e", "İ" -> "i", never to two.
"""

from __future__ import annotations

import unicodedata
from functools import cache


@cache
def _table() -> dict[int, str]:
    table: dict[int, str] = {}
    for code in range(0x41, 0x2B0):  # ASCII capitals through Latin Extended-B
        char = chr(code)
        base = "".join(
            part for part in unicodedata.normalize("NFKD", char) if not unicodedata.combining(part)
        ).lower()
        if len(base) == 1 and base != char:
            table[code] = base
    for quote in "‘’`´":
        table[ord(quote)] = "'"
    return table


def fold(value: str) -> str:
    """``value`` lowercased and without accents, the same length as ``value``."""
    return value.translate(_table())
