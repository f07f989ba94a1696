"""Report bodies as safe HTML fragments and as plain-text paragraphs."""

from __future__ import annotations

import copy
import html
import re
from collections.abc import Iterator

import lxml.html
import nh3
from lxml.etree import ParserError
from markdown_it import MarkdownIt

from warta_ingest.plain_text import (
    clean_text,
    remove_debris,
    remove_illegal_characters,
    repair_mojibake,
)

ALLOWED_TAGS = frozenset(
    [
        "a",
        "abbr",
        "b",
        "blockquote",
        "br",
        "caption",
        "cite",
        "code",
        "em",
        "figcaption",
        "figure",
        "h2",
        "h3",
        "h4",
        "h5",
        "h6",
        "hr",
        "i",
        "img",
        "li",
        "ol",
        "p",
        "pre",
        "q",
        "s",
        "small",
        "strong",
        "sub",
        "sup",
        "table",
        "tbody",
        "td",
        "tfoot",
        "th",
        "thead",
        "tr",
        "u",
        "ul",
    ]
)
ALLOWED_ATTRIBUTES = {
    "a": {"href", "title"},
    "abbr": {"title"},
    "img": {"src", "alt", "title", "width", "height"},
    "td": {"colspan", "rowspan"},
    "th": {"colspan", "rowspan", "scope"},
}
URL_SCHEMES = frozenset({"http", "https", "mailto"})
EXTERNAL_LINK_REL = "nofollow noopener"

# Block elements whose children are themselves paragraphs of text.
_CONTAINERS = frozenset({"blockquote", "ol", "ul", "table", "thead", "tbody", "tfoot", "figure"})
_BLOCKS = frozenset(
    {
        "p",
        "h2",
        "h3",
        "h4",
        "h5",
        "h6",
        "blockquote",
        "ol",
        "ul",
        "li",
        "pre",
        "hr",
        "figure",
        "table",
        "thead",
        "tbody",
        "tfoot",
        "tr",
        "caption",
        "figcaption",
    }
)
_SPACE_RUN = re.compile(r"\s+")
_URL = re.compile(r"https?://[^\s<>\"“”‘’]+[^\s<>\"“”‘’.,;:!?)\]]")
_markdown = MarkdownIt("commonmark", {"html": True}).enable(["table", "strikethrough"])


def _is_external(href: str) -> bool:
    return href.startswith(("http://", "https://", "//"))


def _fold_inline(value: str | None) -> str | None:
    # Inside HTML a run of spaces, newlines or no-break spaces is one space; keep one so that
    # "<b>KPU</b> Jatim" keeps its word break.
    if value is None:
        return None
    return _SPACE_RUN.sub(" ", remove_debris(value))


def _wrap_loose_inline(root: lxml.html.HtmlElement) -> None:
    """Put text and inline elements that sit between blocks into paragraphs of their own."""
    loose: list[lxml.html.HtmlElement | str] = []
    result: list[lxml.html.HtmlElement] = []

    def flush() -> None:
        if not loose:
            return
        paragraph = lxml.html.Element("p")
        for item in loose:
            if isinstance(item, str):
                if len(paragraph):
                    paragraph[-1].tail = (paragraph[-1].tail or "") + item
                else:
                    paragraph.text = (paragraph.text or "") + item
            else:
                paragraph.append(item)
        loose.clear()
        if paragraph.text_content().strip() or paragraph.find(".//img") is not None:
            result.append(paragraph)

    if root.text:
        loose.append(root.text)
        root.text = None
    for child in list(root):
        tail, child.tail = child.tail, None
        root.remove(child)
        if child.tag in _BLOCKS:
            flush()
            result.append(child)
        else:
            loose.append(child)
        if tail:
            loose.append(tail)
    flush()
    for element in result:
        root.append(element)


def _text_blocks(element: lxml.html.HtmlElement) -> Iterator[str]:
    """Plain text of each paragraph-like block, in reading order."""
    if element.tag in _CONTAINERS or (element.tag == "li" and element.find("p") is not None):
        if element.text and element.text.strip():
            yield element.text
        for child in element:
            yield from _text_blocks(child)
            if child.tail and child.tail.strip():
                yield child.tail
        return
    if element.tag == "tr":
        yield " | ".join(cell.text_content() for cell in element)
        return
    yield element.text_content()


def sanitise_html(fragment: str) -> tuple[str, list[str]]:
    """An HTML fragment cut down to the allowlist, with its plain-text paragraphs.

    No scripts, styles, iframes, event handlers or ``javascript:`` URLs survive; external links
    get ``rel="nofollow noopener"``; loose text is wrapped in ``<p>``.
    """
    fragment = repair_mojibake(remove_illegal_characters(fragment))
    cleaned = nh3.clean(
        fragment,
        tags=set(ALLOWED_TAGS),
        attributes={tag: set(names) for tag, names in ALLOWED_ATTRIBUTES.items()},
        url_schemes=set(URL_SCHEMES),
        link_rel=None,
        strip_comments=True,
    )
    if not cleaned.strip():
        return "", []
    try:
        root = lxml.html.fragment_fromstring(cleaned, create_parent="div")
    except (ParserError, ValueError):
        return "", []
    for element in root.iter():
        element.text = _fold_inline(element.text)
        element.tail = _fold_inline(element.tail)
    for link in root.iter("a"):
        if _is_external(link.get("href", "")):
            link.set("rel", EXTERNAL_LINK_REL)
    _wrap_loose_inline(root)
    for element in list(root):
        empty = not element.text_content().strip() and element.find(".//img") is None
        if element.tag == "p" and empty:
            root.remove(element)
    body_html = "".join(lxml.html.tostring(child, encoding="unicode") for child in root)

    # Line breaks read as spaces in the plain text; done on a copy so the HTML keeps them.
    text_root = copy.deepcopy(root)
    for br in text_root.iter("br"):
        br.tail = " " + (br.tail or "")
    paragraphs = [clean_text(block) for child in text_root for block in _text_blocks(child)]
    return body_html, [paragraph for paragraph in paragraphs if paragraph]


def markdown_to_html(source: str) -> str:
    return str(_markdown.render(source))


def _linked(paragraph: str) -> str:
    """A paragraph of plain text as HTML, its bare URLs made into links."""
    parts: list[str] = []
    position = 0
    for match in _URL.finditer(paragraph):
        url = match.group()
        parts.append(html.escape(paragraph[position : match.start()], quote=False))
        parts.append(
            f'<a href="{html.escape(url)}" rel="{EXTERNAL_LINK_REL}">'
            f"{html.escape(url, quote=False)}</a>"
        )
        position = match.end()
    parts.append(html.escape(paragraph[position:], quote=False))
    return "".join(parts)


def paragraphs_to_html(paragraphs: list[str]) -> str:
    return "".join(f"<p>{_linked(paragraph)}</p>" for paragraph in paragraphs)
