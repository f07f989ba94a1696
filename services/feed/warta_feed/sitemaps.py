"""Sitemaps (sitemaps.org 0.9) with the image extension, the sitemap index, and the Google
News sitemap. Article sitemaps hold fixed ranges of 1,000 article ids (the protocol allows
50,000), so a change touches one small sitemap: a stream of new reports rewrites only the
newest, whatever the size of the archive, and a million articles need no more memory than one
sitemap's bytes."""

from __future__ import annotations

import functools
import io
import urllib.parse
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from xml.sax.saxutils import escape

from warta.xmlchars import strip_xml_illegal

SITEMAP_SIZE = 1_000  # article ids per article sitemap
MAX_NEWS_URLS = 1_000
SITEMAP_NS = "http://www.sitemaps.org/schemas/sitemap/0.9"
IMAGE_NS = "http://www.google.com/schemas/sitemap-image/1.1"
NEWS_NS = "http://www.google.com/schemas/sitemap-news/0.9"
HEAD = '<?xml version="1.0" encoding="UTF-8"?>\n'


@dataclass(frozen=True)
class SitemapUrl:
    loc: str
    lastmod: datetime
    image_url: str | None = None


@dataclass(frozen=True)
class NewsUrl:
    loc: str
    title: str
    language: str
    published: datetime


def sitemap_number(article_id: int) -> int:
    """The article sitemap that lists this article: ids 1–1,000 in the first, and so on."""
    return (article_id - 1) // SITEMAP_SIZE + 1


def id_range(number: int) -> tuple[int, int]:
    return (number - 1) * SITEMAP_SIZE + 1, number * SITEMAP_SIZE


def w3c_datetime(value: datetime) -> str:
    return value.isoformat(timespec="seconds").replace("+00:00", "Z")


def _text(value: str) -> str:
    return escape(strip_xml_illegal(value))


def _loc(url: str) -> str:
    """A URL as the sitemap's anyURI wants it: anything outside URI characters %-encoded."""
    return escape(urllib.parse.quote(strip_xml_illegal(url), safe=":/?@!$&'()*+,;=%~"))


# Every rebuild writes the newest article sitemap and the news sitemap again, a thousand URLs
# each, and few of them changed since the last: each element is written once per process, by
# what it shows (escaping them again was half of a rebuild's sitemaps).
ELEMENTS_KEPT = 4 * SITEMAP_SIZE


def build_urlset(urls: Iterable[SitemapUrl]) -> bytes:
    head = f'{HEAD}<urlset xmlns="{SITEMAP_NS}" xmlns:image="{IMAGE_NS}">\n'
    return "".join((head, *map(_url_element, urls), "</urlset>\n")).encode()


@functools.lru_cache(maxsize=ELEMENTS_KEPT)
def _url_element(url: SitemapUrl) -> str:
    image = ""
    if url.image_url:
        image = f"<image:image><image:loc>{_loc(url.image_url)}</image:loc></image:image>"
    return (
        f"<url><loc>{_loc(url.loc)}</loc><lastmod>{w3c_datetime(url.lastmod)}</lastmod>"
        f"{image}</url>\n"
    )


def build_index(sitemaps: Iterable[SitemapUrl]) -> bytes:
    out = io.StringIO()
    out.write(f'{HEAD}<sitemapindex xmlns="{SITEMAP_NS}">\n')
    for sitemap in sitemaps:
        out.write(
            f"<sitemap><loc>{_loc(sitemap.loc)}</loc>"
            f"<lastmod>{w3c_datetime(sitemap.lastmod)}</lastmod></sitemap>\n"
        )
    out.write("</sitemapindex>\n")
    return out.getvalue().encode()


def build_news_sitemap(urls: Iterable[NewsUrl], publication: str) -> bytes:
    """Google News: the articles of the last two days, at most 1,000 (the caller picks them)."""
    head = f'{HEAD}<urlset xmlns="{SITEMAP_NS}" xmlns:news="{NEWS_NS}">\n'
    elements = (_news_element(url, publication) for url in urls)
    return "".join((head, *elements, "</urlset>\n")).encode()


@functools.lru_cache(maxsize=ELEMENTS_KEPT)
def _news_element(url: NewsUrl, publication: str) -> str:
    return (
        f"<url><loc>{_loc(url.loc)}</loc><news:news><news:publication>"
        f"<news:name>{_text(publication)}</news:name>"
        f"<news:language>{_text(url.language)}</news:language></news:publication>"
        f"<news:publication_date>{w3c_datetime(url.published)}</news:publication_date>"
        f"<news:title>{_text(url.title)}</news:title></news:news></url>\n"
    )
