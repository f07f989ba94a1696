"""The public pages: the latest-news listing and the article pages, as rendered."""

from __future__ import annotations

from flask import Blueprint, abort, redirect, request
from flask.typing import ResponseReturnValue
from sqlalchemy import select

from warta.db import session_scope
from warta.models import Article, Revision, Snippet
from warta.urls import article_path
from warta_feed.responses import serve_document, settings, stored

pages = Blueprint("pages", __name__)


@pages.get("/")
def home() -> ResponseReturnValue:
    return redirect("/berita/", code=302)


@pages.get("/berita/")
def listing() -> ResponseReturnValue:
    page = request.args.get("page", "1")
    if not page.isdigit() or int(page) < 1:
        abort(404)
    return serve_document(f"berita/{int(page)}")


@pages.get("/berita/<int:article_id>-<slug>")
def article_page(article_id: int, slug: str) -> ResponseReturnValue:
    with session_scope(settings().database_url, writer=False) as session:
        article = session.get(Article, article_id)
        if article is None or article.live_revision is None:
            abort(404)
        if article.retracted_at is not None:
            abort(410)
        page = session.get(Snippet, (article.id, article.live_revision, "page"))
        live_slug = session.scalar(
            select(Revision.slug).where(
                Revision.article_id == article.id, Revision.number == article.live_revision
            )
        )
        if page is None or live_slug is None:
            abort(404)
        if slug != live_slug:
            # An old slug (the title changed) still leads to the article.
            return redirect(article_path(article.id, live_slug), code=301)
        last_modified = article.updated_at or page.created_at
        return stored(page.html.encode(), "text/html; charset=utf-8", page.etag, last_modified)
