"""Validation of every document kind, shared by the unit and integration tests: RSS and Atom
through feedparser (no bozo, the required elements present), JSON Feed against its JSON
Schema, sitemaps against the sitemaps.org and Google XSDs (tests/schemas/, SOURCES.txt)."""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path
from typing import Any

import feedparser
import jsonschema
from lxml import etree
from referencing import Registry, Resource

SCHEMAS = Path(__file__).parents[2] / "schemas"
OWN_SCHEMAS = Path(__file__).parent / "schemas"


def valid_rss(body: bytes) -> Any:
    feed = feedparser.parse(body)
    assert not feed.bozo, feed.bozo_exception
    assert feed.version == "rss20"
    for field in ("title", "link", "description"):
        assert field in feed.feed, field
    for entry in feed.entries:
        for field in ("title", "link", "id", "published", "summary", "content"):
            assert field in entry, field
    return feed


def valid_atom(body: bytes) -> Any:
    feed = feedparser.parse(body)
    assert not feed.bozo, feed.bozo_exception
    assert feed.version == "atom10"
    for field in ("id", "title", "updated"):
        assert field in feed.feed, field
    assert any(link.rel == "self" for link in feed.feed.links)
    for entry in feed.entries:
        for field in ("id", "title", "updated", "published", "author", "content"):
            assert field in entry, field
    return feed


@cache
def _json_feed_validator() -> jsonschema.Draft4Validator:
    schemas = {
        name: json.loads((SCHEMAS / "jsonfeed" / f"{name}.json").read_text())
        for name in ("feed", "feed-1")
    }
    registry: Registry[Any] = Registry().with_resources(
        (name, Resource.from_contents(schema)) for name, schema in schemas.items()
    )
    return jsonschema.Draft4Validator(schemas["feed"], registry=registry)


def valid_json_feed(body: bytes) -> dict[str, Any]:
    feed: dict[str, Any] = json.loads(body)
    _json_feed_validator().validate(feed)
    assert feed["version"] == "https://jsonfeed.org/version/1.1"
    return feed


@cache
def _xsd(path: Path) -> etree.XMLSchema:
    return etree.XMLSchema(etree.parse(str(path)))


def _valid_xml(body: bytes, schema: Path) -> etree._Element:
    document = etree.fromstring(body)
    xsd = _xsd(schema)
    assert xsd.validate(document), xsd.error_log
    return document


def valid_sitemap(body: bytes) -> etree._Element:
    return _valid_xml(body, OWN_SCHEMAS / "sitemap+image.xsd")


def valid_sitemap_index(body: bytes) -> etree._Element:
    return _valid_xml(body, SCHEMAS / "siteindex.xsd")


def valid_news_sitemap(body: bytes) -> etree._Element:
    return _valid_xml(body, SCHEMAS / "sitemap+news.xsd")
