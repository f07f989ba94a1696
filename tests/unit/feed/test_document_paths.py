"""The feed service asks for the very documents that the workers write (warta.document_paths)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from flask import Flask, Response

import warta_feed.pages
import warta_feed.syndication
from warta import document_paths as paths
from warta.settings import Settings
from warta_feed.app import create_app
from warta_feed.syndication import document_path

# A URL a reader or an aggregator asks for, and the document a worker stored for it.
FEEDS_AND_SITEMAPS = {
    "/feed.rss": paths.feed_document(paths.SITE_FEED, "rss"),
    "/feed.json": paths.feed_document(paths.SITE_FEED, "json"),
    "/offices/kpu-kota-malang/feed.atom": paths.feed_document(
        paths.office_feed("kpu-kota-malang"), "atom"
    ),
    "/tags/pemilu-2024/feed.json": paths.feed_document(paths.tag_feed("pemilu-2024"), "json"),
    "/archives/7.rss": paths.feed_document(paths.archive_feed(7), "rss"),
    "/sitemap.xml": paths.SITEMAP_INDEX,
    "/sitemap-news.xml": paths.NEWS_SITEMAP,
    "/sitemaps/articles-3.xml": paths.article_sitemap(3),
}
PAGES = {
    "/berita/": paths.listing_page(paths.SITE_LISTING, 1),
    "/berita/?page=2": paths.listing_page(paths.SITE_LISTING, 2),
    "/tags/pemilu-2024/": paths.listing_page(paths.tag_listing("pemilu-2024"), 1),
    "/offices/kpu-kota-malang/?page=3": paths.listing_page(
        paths.office_listing("kpu-kota-malang"), 3
    ),
    "/assets/site.css": paths.STYLESHEET,
    "/snippets/latest.html": paths.block_snippet("latest"),
    "/snippets/most-read.html": paths.block_snippet("most-read"),
}
# Routes that serve no stored document: built per request, or rows rather than documents.
NOT_DOCUMENTS = {"pages.home", "syndication.robots", "pages.article_page", "pages.article_snippet"}


@pytest.fixture(scope="module")
def app() -> Flask:
    return create_app(Settings.from_env({"LOG_LEVEL": "WARNING"}))


@pytest.fixture
def asked(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[str]]:
    """The document paths the views ask the store for (the store itself is not reached)."""
    asked: list[str] = []

    def serve_document(path: str) -> Response:
        asked.append(path)
        return Response()

    for module in (warta_feed.pages, warta_feed.syndication):
        monkeypatch.setattr(module, "serve_document", serve_document)
    yield asked


def view_asks(app: Flask, url: str, asked: list[str]) -> list[str]:
    path, _, query = url.partition("?")
    with app.test_request_context(url):
        endpoint, arguments = app.url_map.bind("warta.test").match(path, query_args=query)
        app.view_functions[endpoint](**arguments)
    return asked


@pytest.mark.parametrize("url", [*FEEDS_AND_SITEMAPS, *PAGES])
def test_each_route_serves_the_document_written_for_it(
    app: Flask, asked: list[str], url: str
) -> None:
    assert view_asks(app, url, asked) == [{**FEEDS_AND_SITEMAPS, **PAGES}[url]]


@pytest.mark.parametrize("url", FEEDS_AND_SITEMAPS)
def test_the_fast_path_agrees_with_the_routes(url: str) -> None:
    assert document_path(url) == FEEDS_AND_SITEMAPS[url]


def test_the_fast_path_takes_nothing_the_routes_refuse() -> None:
    for url in ("/feed.xml", "/tags/a/b/feed.rss", "/archives/x.rss", "/sitemaps/a/b.xml"):
        assert document_path(url) is None


def test_every_document_route_is_checked_here(app: Flask) -> None:
    adapter = app.url_map.bind("warta.test")
    checked = {adapter.match(url.partition("?")[0])[0] for url in [*FEEDS_AND_SITEMAPS, *PAGES]}
    routes = {
        rule.endpoint
        for rule in app.url_map.iter_rules()
        if rule.endpoint.startswith(("pages.", "syndication."))
    }
    assert routes - NOT_DOCUMENTS - checked == set()
