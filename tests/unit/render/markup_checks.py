"""What every page and snippet must be: well-formed HTML5 (html5lib's strict parser raises on
any parse error), with alt text, unique ids, headings in order, and nothing that runs script."""

from __future__ import annotations

import itertools
import json
import re
from typing import Any
from xml.etree.ElementTree import Element

import html5lib

NS = "{http://www.w3.org/1999/xhtml}"


def parse_page(html: str) -> Element:
    """A whole document; raises html5lib.html5parser.ParseError on any parse error."""
    root: Element = html5lib.HTMLParser(strict=True).parse(html)
    check_markup(root)
    return root


def parse_fragment(html: str) -> Element:
    """A snippet on its own, as an office's page embeds it (inside a <div>)."""
    root: Element = html5lib.HTMLParser(strict=True).parseFragment(html, container="div")
    check_markup(root)
    return root


def elements(root: Element, tag: str) -> list[Element]:
    return list(root.iter(NS + tag))


def text(element: Element) -> str:
    return " ".join("".join(element.itertext()).split())


def check_markup(root: Element) -> None:
    for image in elements(root, "img"):
        assert image.get("alt") is not None, "an image without alt text"
    ids = [element.get("id") for element in root.iter() if element.get("id")]
    assert len(ids) == len(set(ids)), f"duplicate ids: {ids}"
    levels = [int(e.tag[-1]) for e in root.iter() if re.fullmatch(NS + "h[1-6]", str(e.tag))]
    for previous, level in itertools.pairwise(levels):
        assert level <= previous + 1, f"heading levels skip: {levels}"
    assert_no_script(root)


def assert_no_script(root: Element) -> None:
    for element in root.iter():
        tag = str(element.tag).removeprefix(NS)
        if tag == "script":
            assert element.get("type") == "application/ld+json", "a script element"
            json.loads(element.text or "")
        assert tag not in {"iframe", "object", "embed", "style", "base", "form"}, tag
        for name, value in element.attrib.items():
            assert not name.lower().startswith("on"), f"event handler {name}={value!r}"
            assert name.lower() != "style", "inline style"
            if name.lower() in {"href", "src", "action", "formaction", "poster", "srcset"}:
                assert not value.strip().lower().startswith(("javascript:", "data:", "vbscript:"))


def json_ld(root: Element) -> dict[str, Any]:
    scripts = [s for s in elements(root, "script") if s.get("type") == "application/ld+json"]
    assert len(scripts) == 1
    data: dict[str, Any] = json.loads(scripts[0].text or "")
    return data


def head_links(root: Element, rel: str) -> list[dict[str, str]]:
    return [dict(link.attrib) for link in elements(root, "link") if link.get("rel") == rel]


def meta_property(root: Element, name: str) -> str | None:
    for meta in elements(root, "meta"):
        if meta.get("property") == name:
            return meta.get("content")
    return None
