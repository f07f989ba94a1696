"""The public read side: stored bytes with strong ETags, Last-Modified and 304s.

No request builds a document: feeds, sitemaps and listing pages were precomputed by the workers,
article pages by the render worker."""

from __future__ import annotations

from datetime import datetime

from flask import Blueprint, Response, abort, current_app, redirect, request
from flask.typing import ResponseReturnValue
from warta.db import session_scope
from warta.documents import find_document
from warta.models import Article, Revision, Snippet
from warta.settings import Settings
from warta.urls import article_path

public = Blueprint("public", __name__)


def settings() -> Settings:
    settings: Settings = current_app.config["WARTA_SETTINGS"]
    return settings


def stored(body: bytes, content_type: str, etag: str, last_modified: datetime) -> Response:
    response = Response(body, content_type=content_type)
    response.set_etag(etag.strip('"'))
    response.last_modified = last_modified
    response.cache_control.public = True
    response.cache_control.max_age = 60
    return response.make_conditional(request)


def serve_document(path: str) -> Response:
    with session_scope(settings().database_url, writer=False) as session:
        document = find_document(session, path)
        if document is None:
            abort(404)
        return stored(document.body, document.content_type, document.etag, document.updated_at)


@public.get("/feed.rss")
def feed_rss() -> ResponseReturnValue:
    return serve_document("feed.rss")


@public.get("/feed.atom")
def feed_atom() -> ResponseReturnValue:
    return serve_document("feed.atom")


@public.get("/sitemap.xml")
def sitemap_index() -> ResponseReturnValue:
    return serve_document("sitemap.xml")


@public.get("/sitemaps/<name>.xml")
def sitemap(name: str) -> ResponseReturnValue:
    return serve_document(f"sitemaps/{name}.xml")


@public.get("/robots.txt")
def robots() -> ResponseReturnValue:
    body = f"User-agent: *\nAllow: /\nSitemap: {settings().public_base_url}/sitemap.xml\n"
    return Response(body, content_type="text/plain; charset=utf-8")


@public.get("/")
def home() -> ResponseReturnValue:
    return redirect("/berita/", code=302)


@public.get("/berita/")
def listing() -> ResponseReturnValue:
    page = request.args.get("page", "1")
    if not page.isdigit() or int(page) < 1:
        abort(404)
    return serve_document(f"berita/{int(page)}")


@public.get("/berita/<int:article_id>-<slug>")
def article_page(article_id: int, slug: str) -> ResponseReturnValue:
    with session_scope(settings().database_url, writer=False) as session:
        article = session.get(Article, article_id)
        if article is None or article.live_revision is None:
            abort(404)
        if article.retracted_at is not None:
            abort(410)
        live = session.get(Snippet, (article.id, article.live_revision, "page"))
        revision_slug = (
            session.query(Revision.slug)
            .filter_by(article_id=article.id, number=article.live_revision)
            .scalar()
        )
        if live is None:
            abort(404)
        if slug != revision_slug:
            return redirect(article_path(article.id, revision_slug), code=301)
        last_modified = article.updated_at or live.created_at
        return stored(live.html.encode(), "text/html; charset=utf-8", live.etag, last_modified)
