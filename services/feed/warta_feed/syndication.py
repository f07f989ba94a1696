"""Feeds, sitemaps and robots.txt, for aggregators and search engines."""

from __future__ import annotations

from flask import Blueprint, Response
from flask.typing import ResponseReturnValue

from warta_feed.responses import serve_document, settings

syndication = Blueprint("syndication", __name__)


@syndication.get("/feed.rss")
def feed_rss() -> ResponseReturnValue:
    return serve_document("feed.rss")


@syndication.get("/feed.atom")
def feed_atom() -> ResponseReturnValue:
    return serve_document("feed.atom")


@syndication.get("/sitemap.xml")
def sitemap_index() -> ResponseReturnValue:
    return serve_document("sitemap.xml")


@syndication.get("/sitemaps/<name>.xml")
def sitemap(name: str) -> ResponseReturnValue:
    return serve_document(f"sitemaps/{name}.xml")


@syndication.get("/robots.txt")
def robots() -> ResponseReturnValue:
    body = f"User-agent: *\nAllow: /\nSitemap: {settings().public_base_url}/sitemap.xml\n"
    return Response(body, content_type="text/plain; charset=utf-8")
