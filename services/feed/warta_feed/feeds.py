"""RSS 2.0 and Atom 1.0 documents, built with feedgen from the live articles.

Every date is set explicitly (feedgen would stamp "now", changing the bytes and so the ETag on
every build) and entries are appended in the order given (feedgen prepends by default)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from feedgen.feed import FeedGenerator

from warta.xmlchars import strip_xml_illegal


@dataclass(frozen=True)
class Channel:
    title: str
    description: str
    site_url: str  # the HTML page the feed mirrors
    feed_url: str  # this feed's own URL, without the extension
    language: str
    hub_url: str | None = None


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
    categories: list[tuple[str, str]] = field(default_factory=list)  # (slug, label)


def build_rss(channel: Channel, entries: list[FeedEntry]) -> bytes:
    feed = _generator(channel, entries, "rss")
    rss: bytes = feed.rss_str(pretty=True)
    return rss


def build_atom(channel: Channel, entries: list[FeedEntry]) -> bytes:
    feed = _generator(channel, entries, "atom")
    atom: bytes = feed.atom_str(pretty=True)
    return atom


def _generator(channel: Channel, entries: list[FeedEntry], kind: str) -> FeedGenerator:
    clean = strip_xml_illegal
    feed = FeedGenerator()
    feed.id(channel.site_url)
    feed.title(clean(channel.title))
    feed.description(clean(channel.description))
    # feedgen writes the last non-self link as RSS's <link>: self first, alternate last.
    feed.link(href=f"{channel.feed_url}.{kind}", rel="self")
    if channel.hub_url:
        feed.link(href=channel.hub_url, rel="hub")
    feed.link(href=channel.site_url, rel="alternate")
    feed.language(channel.language)
    feed.generator("Warta")
    newest = max((entry.updated for entry in entries), default=None)
    if newest is not None:
        feed.updated(newest)
        feed.lastBuildDate(newest)
    for entry in entries:
        item = feed.add_entry(order="append")
        item.id(entry.guid)
        item.guid(entry.guid, permalink=False)
        item.title(clean(entry.title))
        item.link(href=entry.url)
        item.summary(clean(entry.summary))
        # RSS carries the HTML as content:encoded in CDATA; Atom as escaped type="html".
        item.content(clean(entry.content_html), type="CDATA" if kind == "rss" else "html")
        item.author(name=clean(entry.author))  # RSS shows it only with an e-mail; Atom always
        item.published(entry.published)
        item.updated(entry.updated)
        for slug, label in entry.categories:
            item.category(term=slug, label=clean(label))
    if newest is None:
        # An empty feed still needs a stable date, not feedgen's "now".
        epoch = datetime.fromisoformat("2000-01-01T00:00:00+00:00")
        feed.updated(epoch)
        feed.lastBuildDate(epoch)
    return feed
