"""Which tags are sections of the site, with a page and feeds of their own.

The office's own tags and the controlled vocabulary's are; the statistical keywords are not:
they describe one report well but would make thousands of thin pages and feeds."""

from collections.abc import Mapping
from typing import Any

SECTION_SOURCES = frozenset({"office", "vocabulary"})


def is_section(tag: Mapping[str, Any]) -> bool:
    return tag.get("source") in SECTION_SOURCES
