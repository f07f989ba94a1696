"""RSS 2.0 and Atom 1.0 documents, built with feedgen from the live articles.

Every date is set explicitly (feedgen would stamp "now", changing the bytes and so the ETag on
every build) and entries are appended in the order given (feedgen prepends by default).

A report appears in several feeds (the site's, its office's, each of its tags', an archive)
and in every rebuild until it drops off them, so feedgen builds and lxml writes each entry once
per process (`entry_bytes`), in a frame indented as a document is; a document is feedgen's
channel, indented, with those bytes inserted before its closing tag. For RSS that is
what feedgen itself writes, byte for byte (tests/unit/feed/test_documents.py compares them),
at a fraction of the cost; Atom differs only in the entry links feedgen gets wrong."""

from __future__ import annotations

import functools
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, NamedTuple

from feedgen.entry import FeedEntry as FeedgenEntry
from feedgen.ext.base import BaseEntryExtension, BaseExtension
from feedgen.feed import FeedGenerator
from lxml import etree
from markupsafe import escape

from warta.xmlchars import strip_xml_illegal

ATOM_NS = "http://www.w3.org/2005/Atom"
HISTORY_NS = "http://purl.org/syndication/history/1.0"  # RFC 5005
# An empty feed still needs a stable date, not feedgen's "now".
EPOCH = datetime(2000, 1, 1, tzinfo=UTC)


@dataclass(frozen=True)
class Channel:
    title: str
    description: str
    site_url: str  # the HTML page the feed mirrors
    feed_url: str  # this feed's own URL, without the extension
    language: str
    hub_url: str | None = None
    # RFC 5005 archived feeds: the neighbours of this document, without the extension.
    current_url: str | None = None  # set on an archive document: the subscription feed
    prev_archive_url: str | None = None
    next_archive_url: str | None = None

    @property
    def is_archive(self) -> bool:
        return self.current_url is not None


@dataclass(frozen=True)
class LeadImage:
    """The image an entry carries: an uploaded photo's article-width JPEG (everything known),
    or an office's own image (what its server said, if anything)."""

    url: str
    caption: str = ""
    credit: str = ""
    length: int | None = None  # bytes, when known
    media_type: str | None = None  # image/jpeg, ... when known
    alt: str = ""
    width: int | None = None
    height: int | None = None


@dataclass(frozen=True)
class FeedEntry:
    guid: str
    url: str
    title: str
    summary: str
    content_html: str
    author: str
    published: datetime
    updated: datetime
    language: str | None = None
    categories: tuple[tuple[str, str], ...] = ()  # (slug, label)
    image: LeadImage | None = None

    @property
    def full_html(self) -> str:
        """The body with its lead image on top, as a reader without the page should see it."""
        if self.image is None:
            return self.content_html
        image = self.image
        caption = " — ".join(part for part in (image.caption, image.credit) if part)
        size = f' width="{image.width}" height="{image.height}"' if image.width else ""
        alt = escape(image.alt or image.caption)
        figure = f'<figure><img src="{escape(image.url)}"{size} alt="{alt}">'
        if caption:
            figure += f"<figcaption>{escape(caption)}</figcaption>"
        return figure + "</figure>\n" + self.content_html


def build_rss(channel: Channel, entries: list[FeedEntry]) -> bytes:
    document = _channel(channel, entries, "rss").rss_str(pretty=True)
    return _inserted(document, b"</channel>", [entry_bytes(entry).rss for entry in entries])


def build_atom(channel: Channel, entries: list[FeedEntry]) -> bytes:
    document = _channel(channel, entries, "atom").atom_str(pretty=True)
    return _inserted(document, b"</feed>", [entry_bytes(entry).atom for entry in entries])


# feedgen's channel comes back as bytes; read without blank text, it is indented anew.
_PARSER = etree.XMLParser(remove_blank_text=True)


def _with_entry(xml: bytes, entry: Any) -> bytes:
    """The document with `entry` appended to its list of entries, indented as feedgen does."""
    root = etree.fromstring(xml, _PARSER)
    parent = root.find("channel") if root.tag == "rss" else root
    assert parent is not None, "feedgen writes an RSS channel"
    parent.append(entry)
    body: bytes = etree.tostring(
        root.getroottree(), pretty_print=True, encoding="UTF-8", xml_declaration=True
    )
    return body


def _inserted(document: bytes, closing: bytes, entries: list[bytes]) -> bytes:
    at = _end_of_entries(document, closing)
    return document[:at] + b"".join(entries) + document[at:]


def _end_of_entries(document: bytes, closing: bytes) -> int:
    """Where the line begins that closes the list of entries (`closing` is its tag)."""
    return document.rindex(b"\n", 0, document.rindex(closing)) + 1


class EntryBytes(NamedTuple):
    rss: bytes  # an <item>, indented and namespaced as in every RSS document
    atom: bytes  # an <entry>


@functools.lru_cache(maxsize=4096)  # a few feeds' worth beyond the largest rebuild
def entry_bytes(entry: FeedEntry) -> EntryBytes:
    """The entry as feedgen builds it and lxml writes it in each format. Keyed by the entry's
    whole value, so a revision, a new office name or a probed image length is a new entry."""
    item = feedgen_entry(entry)
    rss, atom = _frames()
    return EntryBytes(rss.written(item.rss_entry()), atom.written(item.atom_entry()))


class _Frame(NamedTuple):
    """A document without entries, in which an entry is written as it is in every document:
    each declares the same prefixes (dc, atom, content) at its root."""

    xml: bytes  # as feedgen gives it
    head: bytes  # indented, up to where entries go
    tail: bytes

    def written(self, entry: Any) -> bytes:
        document = _with_entry(self.xml, entry)
        assert document.startswith(self.head) and document.endswith(self.tail)
        return document[len(self.head) : len(document) - len(self.tail)]


@functools.cache
def _frames() -> tuple[_Frame, _Frame]:
    channel = Channel("-", "-", "-", "-", "-")
    frames = []
    rss, atom = _channel(channel, [], "rss"), _channel(channel, [], "atom")
    for xml, empty, closing in (
        (rss.rss_str(), rss.rss_str(pretty=True), b"</channel>"),
        (atom.atom_str(), atom.atom_str(pretty=True), b"</feed>"),
    ):
        at = _end_of_entries(empty, closing)
        frames.append(_Frame(xml, empty[:at], empty[at:]))
    return frames[0], frames[1]


class _ChannelLinks(BaseExtension):
    """What feedgen leaves out: RSS gets only the self atom:link, and neither format gets
    RFC 5005's <fh:archive/> marker."""

    def __init__(self) -> None:
        self.links: list[tuple[str, str]] = []  # (rel, href) for RSS
        self.archive = False

    def extend_ns(self) -> dict[str, str]:
        return {"fh": HISTORY_NS} if self.archive else {}

    def extend_rss(self, feed: Any) -> Any:
        channel = feed[0]
        for rel, href in self.links:
            etree.SubElement(channel, f"{{{ATOM_NS}}}link", href=href, rel=rel)
        if self.archive:
            etree.SubElement(channel, f"{{{HISTORY_NS}}}archive")
        return feed

    def extend_atom(self, feed: Any) -> Any:
        if self.archive:
            etree.SubElement(feed, f"{{{HISTORY_NS}}}archive")
        return feed


class _EntryLinks(BaseEntryExtension):
    """feedgen 1.0.0 writes an Atom entry's links without their rel, type and length (a
    shadowed variable); this writes them again, whole, in place of feedgen's. (feedgen's
    elements carry no namespace; the document's default one is theirs once serialised.)"""

    def __init__(self) -> None:
        self.links: list[dict[str, str]] = []

    def extend_atom(self, entry: Any) -> Any:
        for link in entry.findall("link"):
            entry.remove(link)
        for attributes in self.links:
            etree.SubElement(entry, f"{{{ATOM_NS}}}link", attributes)
        return entry


def _channel(channel: Channel, entries: list[FeedEntry], kind: str) -> FeedGenerator:
    """The feed without its entries (their newest update dates it)."""
    clean = strip_xml_illegal
    feed = FeedGenerator()
    feed.load_extension("dc")
    feed.register_extension("warta", _ChannelLinks)
    extra: _ChannelLinks = feed.warta
    extra.archive = channel.is_archive
    feed.id(f"{channel.feed_url}.{kind}" if channel.is_archive else channel.site_url)
    feed.title(clean(channel.title))
    # RSS readers take a <description> for HTML; Atom's subtitle is plain text.
    description = escape(channel.description) if kind == "rss" else channel.description
    feed.description(clean(description))
    # feedgen writes the last non-self link as RSS's <link>: self first, alternate last.
    feed.link(href=f"{channel.feed_url}.{kind}", rel="self")
    for rel, url in (
        ("hub", channel.hub_url),
        ("current", channel.current_url and f"{channel.current_url}.{kind}"),
        ("prev-archive", channel.prev_archive_url and f"{channel.prev_archive_url}.{kind}"),
        ("next-archive", channel.next_archive_url and f"{channel.next_archive_url}.{kind}"),
    ):
        if url:
            feed.link(href=url, rel=rel)
            extra.links.append((rel, url))
    feed.link(href=channel.site_url, rel="alternate")
    feed.language(channel.language)
    feed.generator("Warta")
    newest = max((entry.updated for entry in entries), default=EPOCH)
    feed.updated(newest)
    feed.lastBuildDate(newest)
    return feed


def feedgen_entry(entry: FeedEntry) -> FeedgenEntry:
    """A feedgen entry on its own, with the extensions a feed would give it."""
    clean = strip_xml_illegal
    item = FeedgenEntry()
    item.load_extension("dc")
    item.register_extension("warta", _EntryLinks)
    item.id(entry.guid)
    item.guid(entry.guid, permalink=False)
    item.title(clean(entry.title) or entry.url)
    links: list[dict[str, str]] = item.warta.links
    links.append({"href": entry.url, "rel": "alternate"})
    item.link(href=entry.url, rel="alternate")
    # The summary is plain text, and RSS readers take a <description> for HTML: it goes in
    # escaped for HTML, and Atom is told so (feedgen writes one value for both).
    item.summary(clean(escape(entry.summary)) or None, type="html")
    # Escaped rather than CDATA: a body holding "]]>" cannot be written as CDATA.
    item.content(clean(entry.full_html), type="html")
    item.author(name=clean(entry.author))  # Atom's author; RSS's needs an e-mail...
    item.dc.dc_creator(clean(entry.author))  # ...so RSS names the office as dc:creator
    item.published(entry.published)
    item.updated(entry.updated)
    if entry.categories:
        # In one call: feedgen maps every category to RSS again on each call.
        item.category(
            [{"term": slug, "label": clean(label) or slug} for slug, label in entry.categories]
        )
    image = entry.image
    if image is not None and image.media_type:
        # Unknown length: Atom leaves it out; feedgen writes RSS's required length as 0,
        # which is the RSS Advisory Board's advice for a size that cannot be known.
        length = {} if image.length is None else {"length": str(image.length)}
        item.link(href=image.url, rel="enclosure", type=image.media_type, **length)
        links.append({"href": image.url, "rel": "enclosure", "type": image.media_type, **length})
    return item
