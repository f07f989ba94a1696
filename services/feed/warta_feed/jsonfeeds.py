"""JSON Feed 1.1 documents, from the same entries and channel as the RSS and Atom feeds."""

from __future__ import annotations

import functools
import json
from datetime import datetime
from typing import Any

from warta.xmlchars import strip_xml_illegal
from warta_feed.feeds import Channel, FeedEntry

VERSION = "https://jsonfeed.org/version/1.1"


def _rfc3339(value: datetime) -> str:
    return value.isoformat(timespec="seconds").replace("+00:00", "Z")


def build_json_feed(channel: Channel, entries: list[FeedEntry]) -> bytes:
    feed: dict[str, Any] = {
        "version": VERSION,
        "title": channel.title,
        "home_page_url": channel.site_url,
        "feed_url": f"{channel.feed_url}.json",
        "description": channel.description,
        "language": channel.language,
    }
    if channel.prev_archive_url:
        # JSON Feed's paging: the next (older) page is the previous archive.
        feed["next_url"] = f"{channel.prev_archive_url}.json"
    if channel.hub_url:
        feed["hubs"] = [{"type": "WebSub", "url": channel.hub_url}]
    # Items last, each encoded once per process: the document is the channel's object with
    # the encoded items put in, the very bytes json.dumps would give for the whole.
    head = _encoded(_clean(feed))
    return f'{head[:-1]},"items":[{",".join(_item(entry) for entry in entries)}]}}'.encode()


def _encoded(value: Any) -> str:
    # Compact: Python's JSON encoder runs in C only without an indent, and no reader needs one.
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


def _clean(value: Any) -> Any:
    """Control characters are legal (escaped) in JSON, but stripped to say what the XML says;
    lone surrogates could not even be encoded as UTF-8."""
    if isinstance(value, str):
        return strip_xml_illegal(value)
    if isinstance(value, dict):
        return {key: _clean(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_clean(item) for item in value]
    return value


@functools.lru_cache(maxsize=4096)  # built once per process, as the XML entries are
def _item(entry: FeedEntry) -> str:
    item: dict[str, Any] = {
        "id": entry.guid,
        "url": entry.url,
        "title": entry.title,
        "content_html": entry.full_html,
        "summary": entry.summary,
        "date_published": _rfc3339(entry.published),
        "date_modified": _rfc3339(entry.updated),
        "authors": [{"name": entry.author}],
        "tags": [label for _, label in entry.categories],
    }
    if entry.language:
        item["language"] = entry.language
    image = entry.image
    if image is not None:
        item["image"] = image.url
        if image.media_type:
            attachment: dict[str, Any] = {"url": image.url, "mime_type": image.media_type}
            if image.caption:
                attachment["title"] = image.caption
            if image.length is not None:
                attachment["size_in_bytes"] = image.length
            item["attachments"] = [attachment]
    return _encoded(_clean(item))
