"""Feeds, sitemaps and robots.txt, for aggregators and search engines: every one a document
that the feeds worker precomputed."""

from __future__ import annotations

import re

from flask import Blueprint, Response, abort
from flask.blueprints import BlueprintSetupState
from flask.typing import ResponseReturnValue

from warta import document_paths as paths
from warta.settings import Settings
from warta_feed.responses import DocumentServer, serve_document, settings

syndication = Blueprint("syndication", __name__)

# The routes below, as one pattern for the WSGI fast path (which must agree with them).
DOCUMENT_PATHS = re.compile(
    r"/((?:feed|offices/[^/]+/feed|tags/[^/]+/feed|archives/[0-9]+)\.(?:rss|atom|json)"
    r"|sitemap\.xml|sitemap-news\.xml|sitemaps/[^/]+\.xml)"
)


def document_path(url_path: str) -> str | None:
    """The stored document that a request path names, if it names one."""
    match = DOCUMENT_PATHS.fullmatch(url_path)
    return match.group(1) if match else None


@syndication.record_once
def _serve_documents_directly(state: BlueprintSetupState) -> None:
    app = state.app
    app_settings: Settings = app.config["WARTA_SETTINGS"]
    app.wsgi_app = DocumentServer(app.wsgi_app, app_settings, document_path)  # type: ignore[attr-defined]


def _feed(path: str, kind: str) -> ResponseReturnValue:
    if kind not in paths.FEED_KINDS:
        abort(404)
    return serve_document(paths.feed_document(path, kind))


@syndication.get("/feed.<kind>")
def feed(kind: str) -> ResponseReturnValue:
    return _feed(paths.SITE_FEED, kind)


@syndication.get("/offices/<office>/feed.<kind>")
def office_feed(office: str, kind: str) -> ResponseReturnValue:
    return _feed(paths.office_feed(office), kind)


@syndication.get("/tags/<tag>/feed.<kind>")
def tag_feed(tag: str, kind: str) -> ResponseReturnValue:
    return _feed(paths.tag_feed(tag), kind)


@syndication.get("/archives/<int:block>.<kind>")
def archive(block: int, kind: str) -> ResponseReturnValue:
    """RFC 5005 archived feeds, linked from the feeds by `prev-archive`."""
    return _feed(paths.archive_feed(block), kind)


@syndication.get("/sitemap.xml")
def sitemap_index() -> ResponseReturnValue:
    return serve_document(paths.SITEMAP_INDEX)


@syndication.get("/sitemap-news.xml")
def news_sitemap() -> ResponseReturnValue:
    return serve_document(paths.NEWS_SITEMAP)


@syndication.get("/sitemaps/<name>.xml")
def sitemap(name: str) -> ResponseReturnValue:
    return serve_document(paths.sitemap(name))


@syndication.get("/robots.txt")
def robots() -> ResponseReturnValue:
    base = settings().public_base_url
    body = f"User-agent: *\nAllow: /\n\nSitemap: {base}/sitemap.xml\n"
    response = Response(body, content_type="text/plain; charset=utf-8")
    response.cache_control.public = True
    response.cache_control.max_age = 3600
    return response
