"""Every document kind is valid, whatever the reports hold."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from tests.unit.feed.validators import (
    valid_atom,
    valid_json_feed,
    valid_news_sitemap,
    valid_rss,
    valid_sitemap,
    valid_sitemap_index,
)
from warta_feed.feeds import Channel, FeedEntry, LeadImage, build_atom, build_rss
from warta_feed.jsonfeeds import build_json_feed
from warta_feed.sitemaps import NewsUrl, SitemapUrl, build_index, build_news_sitemap, build_urlset

HOSTILE = [
    "Plain Pemilu 2024",
    "Control \x00\x01\x08\x0b\x0c\x1f characters",
    "CDATA end ]]> and <script>alert(1)</script> & ampersands &amp; &#0;",
    "Emoji 🗳️🇮🇩 and astral 𝕎𝕒𝕣𝕥𝕒",
    "Right-to-left \u202eعربى\u202c עברית mixed",
    "Lone surrogate \ud800 and noncharacter \ufffe",
]
BASE = "https://warta.example"
PUBLISHED = datetime(2024, 2, 14, 2, 0, tzinfo=UTC)


def channel(**links: str) -> Channel:
    return Channel(
        title="Warta ]]> & <b>",
        description="Berita \x07terbaru",
        site_url=f"{BASE}/berita/",
        feed_url=f"{BASE}/feed",
        language="id",
        hub_url="https://hub.example/",
        **links,
    )


def entries(text: str) -> list[FeedEntry]:
    return [
        FeedEntry(
            guid=f"urn:uuid:00000000-0000-4000-8000-00000000000{number}",
            url=f"{BASE}/berita/{number}-judul",
            title=f"{text} #{number}",
            summary=text,
            content_html=f"<p>{text}</p><p>]]></p>",
            author=f"KPU {text}",
            published=PUBLISHED - timedelta(hours=number),
            updated=PUBLISHED + timedelta(hours=number),
            language="id",
            categories=(("pemilu", text), ("kpu", "KPU")),
            image=LeadImage(
                f"https://img.example/{number}.jpg?a=1&b=2", text, text, 12345, "image/jpeg"
            ),
        )
        for number in range(1, 4)
    ]


@pytest.mark.parametrize("text", HOSTILE)
def test_rss_is_valid_and_complete(text: str) -> None:
    feed = valid_rss(build_rss(channel(), entries(text)))
    assert feed.feed.language == "id"
    links = {link.rel: link.href for link in feed.feed.links}
    assert links["self"] == f"{BASE}/feed.rss"
    assert links["hub"] == "https://hub.example/"
    assert feed.feed.link == f"{BASE}/berita/"
    first = feed.entries[0]
    assert first.id == "urn:uuid:00000000-0000-4000-8000-000000000001"
    assert first.guidislink is False
    assert first.author.startswith("KPU")
    assert [tag.term for tag in first.tags][1:] == ["KPU"]  # RSS categories: the labels
    enclosure = first.enclosures[0]
    assert (enclosure.href, enclosure.length, enclosure.type) == (
        "https://img.example/1.jpg?a=1&b=2",
        "12345",
        "image/jpeg",
    )
    assert "<img" in first.content[0].value and "]]>" in first.content[0].value


@pytest.mark.parametrize("text", HOSTILE)
def test_atom_is_valid_and_complete(text: str) -> None:
    feed = valid_atom(build_atom(channel(), entries(text)))
    assert feed.feed.updated_parsed[:4] == (2024, 2, 14, 5)  # the newest entry's update
    newest_first = [entry.id[-1] for entry in feed.entries]
    assert newest_first == ["1", "2", "3"]  # in the order given, not feedgen's reversed one
    first = feed.entries[0]
    assert first.published_parsed[:4] == (2024, 2, 14, 1)
    assert first.updated_parsed[:4] == (2024, 2, 14, 3)
    enclosures = [link for link in first.links if link.rel == "enclosure"]
    assert enclosures[0].length == "12345"


@pytest.mark.parametrize("text", HOSTILE)
def test_json_feed_is_valid_and_complete(text: str) -> None:
    feed = valid_json_feed(
        build_json_feed(channel(prev_archive_url=f"{BASE}/archives/3"), entries(text))
    )
    assert feed["feed_url"] == f"{BASE}/feed.json"
    assert feed["next_url"] == f"{BASE}/archives/3.json"
    assert feed["hubs"] == [{"type": "WebSub", "url": "https://hub.example/"}]
    item = feed["items"][0]
    assert item["date_published"] == "2024-02-14T01:00:00Z"
    assert item["attachments"][0]["size_in_bytes"] == 12345
    assert "\x00" not in item["title"]


def test_unknown_image_length_and_type() -> None:
    entry = entries("x")[0]
    unknown = FeedEntry(
        **{
            **entry.__dict__,
            "image": LeadImage("https://img.example/a.jpg", length=None, media_type="image/jpeg"),
        }
    )
    untyped = FeedEntry(
        **{**entry.__dict__, "image": LeadImage("https://img.example/a", media_type=None)}
    )
    rss = valid_rss(build_rss(channel(), [unknown, untyped]))
    assert rss.entries[0].enclosures[0].length == "0"  # RSS requires one: 0 means unknown
    assert rss.entries[1].enclosures == []  # no type, no enclosure; the image stays in content
    assert "img.example/a" in rss.entries[1].content[0].value
    atom = valid_atom(build_atom(channel(), [unknown]))
    assert "length" not in next(link for link in atom.entries[0].links if link.rel == "enclosure")
    item = valid_json_feed(build_json_feed(channel(), [unknown, untyped]))["items"]
    assert "size_in_bytes" not in item[0]["attachments"][0]
    assert "attachments" not in item[1] and item[1]["image"] == "https://img.example/a"


def test_empty_feeds_are_valid_and_stable() -> None:
    for build, validate in (
        (build_rss, valid_rss),
        (build_atom, valid_atom),
        (build_json_feed, valid_json_feed),
    ):
        first = build(channel(), [])
        validate(first)
        assert build(channel(), []) == first  # no "now" in the bytes


def test_an_entry_reads_the_same_in_every_feed_it_is_in() -> None:
    """Each entry is built once and copied into every feed that lists it: a feed built after
    others that shared its entries has the bytes of one built from nothing, and an entry
    written in Atom uses the document's own namespace, not a prefix of its own."""
    from warta_feed import feeds, jsonfeeds

    shared = entries("x")
    for build in (build_rss, build_atom, build_json_feed):
        feeds.entry_bytes.cache_clear()
        jsonfeeds._item.cache_clear()
        alone = build(channel(), shared[1:])
        build(channel(current_url=f"{BASE}/feed"), shared)
        build(channel(), shared[:2])
        assert build(channel(), shared[1:]) == alone
    assert b"ns0:" not in build_atom(channel(), shared)
    assert build_atom(channel(), shared).count(b'<link href="https://img.example/') == 3


@pytest.mark.parametrize("text", HOSTILE)
def test_rss_has_the_bytes_feedgen_writes(text: str) -> None:
    """A document is its channel with each entry's bytes, written once, put in: the result is
    what feedgen writes of the whole feed, byte for byte."""
    from warta_feed import feeds

    for links in ({}, {"current_url": f"{BASE}/feed", "prev_archive_url": f"{BASE}/archives/1"}):
        for shared in (entries(text), []):
            generator = feeds._channel(channel(**links), shared, "rss")
            for entry in shared:
                generator.add_entry(feeds.feedgen_entry(entry), order="append")
            assert build_rss(channel(**links), shared) == generator.rss_str(pretty=True)


def test_archive_documents_carry_rfc5005_links() -> None:
    archive = channel(
        current_url=f"{BASE}/feed",
        prev_archive_url=f"{BASE}/archives/1",
        next_archive_url=f"{BASE}/archives/3",
    )
    for build, validate, kind in ((build_rss, valid_rss, "rss"), (build_atom, valid_atom, "atom")):
        body = build(archive, entries("x"))
        feed = validate(body)
        links = {link.rel: link.href for link in feed.feed.links}
        assert links["current"] == f"{BASE}/feed.{kind}"
        assert links["prev-archive"] == f"{BASE}/archives/1.{kind}"
        assert links["next-archive"] == f"{BASE}/archives/3.{kind}"
        assert b"<fh:archive" in body and b"http://purl.org/syndication/history/1.0" in body


@pytest.mark.parametrize("text", HOSTILE)
def test_sitemaps_validate(text: str) -> None:
    urls = [
        SitemapUrl(f"{BASE}/berita/{n}-{text}&x", PUBLISHED, f"https://img.example/{n}.jpg?a&b")
        for n in range(3)
    ] + [SitemapUrl(f"{BASE}/berita/9-no-image", PUBLISHED)]
    sitemap = valid_sitemap(build_urlset(urls))
    assert len(sitemap) == 4
    valid_sitemap_index(build_index(urls))
    news = [NewsUrl(f"{BASE}/berita/{n}", text, "id", PUBLISHED) for n in range(3)]
    valid_news_sitemap(build_news_sitemap(news, f"Warta {text}"))


def test_empty_sitemaps_are_well_formed() -> None:
    # The XSDs want at least one <url>: a rebuild stores no empty article sitemap, but the news
    # sitemap of two quiet days is empty, which search engines accept.
    from lxml import etree

    for body in (build_urlset([]), build_index([]), build_news_sitemap([], "Warta")):
        assert len(etree.fromstring(body)) == 0
