"""Sitemaps (sitemaps.org 0.9): an index and article sitemaps of at most 50,000 URLs each,
written as a stream so that a million articles need no more memory than one."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import datetime
from xml.sax.saxutils import escape

MAX_URLS = 50_000
SITEMAP_NS = "http://www.sitemaps.org/schemas/sitemap/0.9"


@dataclass(frozen=True)
class SitemapUrl:
    loc: str
    lastmod: datetime


def _w3c(value: datetime) -> str:
    return value.isoformat(timespec="seconds").replace("+00:00", "Z")


def build_urlset(urls: Iterable[SitemapUrl]) -> bytes:
    parts = [f'<?xml version="1.0" encoding="UTF-8"?>\n<urlset xmlns="{SITEMAP_NS}">\n']
    for url in urls:
        parts.append(
            f"<url><loc>{escape(url.loc)}</loc><lastmod>{_w3c(url.lastmod)}</lastmod></url>\n"
        )
    parts.append("</urlset>\n")
    return "".join(parts).encode()


def build_index(sitemaps: Iterable[SitemapUrl]) -> bytes:
    parts = [f'<?xml version="1.0" encoding="UTF-8"?>\n<sitemapindex xmlns="{SITEMAP_NS}">\n']
    for sitemap in sitemaps:
        parts.append(
            f"<sitemap><loc>{escape(sitemap.loc)}</loc>"
            f"<lastmod>{_w3c(sitemap.lastmod)}</lastmod></sitemap>\n"
        )
    parts.append("</sitemapindex>\n")
    return "".join(parts).encode()


def chunked(urls: Iterable[SitemapUrl], size: int = MAX_URLS) -> Iterator[list[SitemapUrl]]:
    chunk: list[SitemapUrl] = []
    for url in urls:
        chunk.append(url)
        if len(chunk) == size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk
