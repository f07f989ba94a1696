"""The desk speaks Indonesian: every word in its code and templates has a translation in the
`id` catalogue, and the compiled catalogue it loads is the one the .po says (`make
translations` remakes both)."""

from __future__ import annotations

import io
from pathlib import Path

from babel.messages.extract import extract_from_dir
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

import warta_ingest.desk

DESK = Path(warta_ingest.desk.__file__).parent
CATALOGUE = DESK / "translations" / "id" / "LC_MESSAGES"
METHODS = [("**.py", "python"), ("templates/**.html", "jinja2")]
KEYWORDS = {"_": None, "_l": None, "gettext": None, "ngettext": (1, 2), "lazy_gettext": None}


def catalogue() -> dict[object, object]:
    with (CATALOGUE / "messages.po").open("rb") as po:
        return {message.id: message.string for message in read_po(po) if message.id}


def test_every_word_of_the_desk_is_translated() -> None:
    translated = catalogue()
    found = {
        message[2]
        for message in extract_from_dir(str(DESK), METHODS, keywords=KEYWORDS)  # type: ignore[arg-type]
    }
    assert found, "nothing extracted: the extraction is broken, not the catalogue"
    missing = [
        message
        for message in found
        if not translated.get(message if isinstance(message, str) else message[0])
        and not translated.get(message)
    ]
    assert missing == []


def test_the_compiled_catalogue_is_the_po_file() -> None:
    with (CATALOGUE / "messages.po").open("rb") as po:
        compiled = io.BytesIO()
        write_mo(compiled, read_po(po))
    assert (CATALOGUE / "messages.mo").read_bytes() == compiled.getvalue()
