"""Report bodies as safe HTML fragments and as plain-text paragraphs."""

from __future__ import annotations

import copy
import html
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from urllib.parse import urljoin, urlsplit

import lxml.html
import nh3
from lxml.etree import ParserError
from markdown_it import MarkdownIt

from warta_enrich.plain_text import (
    clean_text,
    remove_debris,
    remove_illegal_characters,
    repair_mojibake,
)
from warta_enrich.report_warnings import (
    ReportWarning,
    image_dropped,
    link_dropped,
    markup_dropped,
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
# Elements dropped with what they hold (not merely unwrapped, as <div> or <span> are): the office
# is told, since a reader will not see that embed, video or form.
_DROPPED_WITH_CONTENT = (
    "script|style|iframe|object|embed|video|audio|form|input|button|select|textarea|svg|canvas"
    "|noscript|frame|frameset|applet|template|math"
)
_DROPPED_TAG = re.compile(rf"<\s*({_DROPPED_WITH_CONTENT})\b", re.IGNORECASE)

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


@dataclass
class SanitisedHtml:
    body_html: str
    paragraphs: list[str]
    warnings: list[ReportWarning] = field(default_factory=list)


def _absolute(url: str, base_url: str | None) -> str | None:
    """``url`` as an absolute http(s) or mailto URL, or None when it is relative and there is no
    base to read it against: feeds and other sites cannot resolve it."""
    url = url.strip()
    if url.startswith("//"):
        return f"https:{url}"
    if urlsplit(url).scheme.lower() in URL_SCHEMES:
        return url
    if base_url is None:
        return None
    joined = urljoin(base_url, url)
    return joined if urlsplit(joined).scheme.lower() in ("http", "https") else None


def _absolute_urls(root: lxml.html.HtmlElement, base_url: str | None) -> list[ReportWarning]:
    """Make every link and image URL absolute; drop those that cannot be (a link keeps its
    text)."""
    warnings: list[ReportWarning] = []
    seen: set[str] = set()
    for element in list(root.iter("a", "img")):
        attribute = "href" if element.tag == "a" else "src"
        written = element.get(attribute)
        if written is None:
            if element.tag == "img":  # an image without a source shows nothing
                element.drop_tree()
            continue
        url = _absolute(written, base_url)
        if url is not None:
            element.set(attribute, url)
            continue
        if written not in seen:
            seen.add(written)
            warnings.append(link_dropped(written) if element.tag == "a" else image_dropped(written))
        if element.tag == "a":
            element.drop_tag()
        else:
            element.drop_tree()
    return warnings


def sanitise_html(fragment: str, base_url: str | None = None) -> SanitisedHtml:
    """An HTML fragment cut down to the allowlist, with its plain-text paragraphs and what the
    office should be told about what was dropped.

    No scripts, styles, iframes, event handlers or ``javascript:`` URLs survive; external links
    get ``rel="nofollow noopener"``; loose text is wrapped in ``<p>``. Relative link and image
    URLs are read against ``base_url``, or dropped without one: a feed reader cannot open them.
    """
    fragment = repair_mojibake(remove_illegal_characters(fragment))
    dropped = dict.fromkeys(name.lower() for name in _DROPPED_TAG.findall(fragment))
    warnings = [markup_dropped(list(dropped))] if dropped else []
    cleaned = nh3.clean(
        fragment,
        tags=set(ALLOWED_TAGS),
        attributes={tag: set(names) for tag, names in ALLOWED_ATTRIBUTES.items()},
        url_schemes=set(URL_SCHEMES),
        link_rel=None,
        strip_comments=True,
    )
    if not cleaned.strip():
        return SanitisedHtml("", [], warnings)
    try:
        root = lxml.html.fragment_fromstring(cleaned, create_parent="div")
    except (ParserError, ValueError):
        return SanitisedHtml("", [], warnings)
    warnings += _absolute_urls(root, base_url)
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
    return SanitisedHtml(body_html, [paragraph for paragraph in paragraphs if paragraph], warnings)


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
