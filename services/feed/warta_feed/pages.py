"""The public pages and snippets, served as the render worker stored them.

Nothing here renders: each route finds stored bytes (a document or a revision's snippet) and
answers with them. The article page also counts the view, in one Redis round trip."""

from __future__ import annotations

import logging
import re

import redis.exceptions
from flask import Blueprint, Response, abort, redirect, request
from flask.typing import ResponseReturnValue
from sqlalchemy import select
from sqlalchemy.orm import Session
from werkzeug.exceptions import HTTPException

from warta import document_paths as paths
from warta.celery_app import app as celery
from warta.db import session_scope
from warta.documents import find_document
from warta.messages import FLUSH_VIEWS
from warta.models import MAX_ID, Article, Revision, Snippet, utcnow
from warta.redis_client import get_redis
from warta.urls import article_path
from warta_feed.responses import serve_document, settings, stored
from warta_feed.view_counts import count_view

log = logging.getLogger(__name__)

pages = Blueprint("pages", __name__)

HTML = "text/html; charset=utf-8"
# The article page counts its readers, so every view must reach the service: caches may keep
# the page but ask again each time (a 304 when it has not changed, still counted).
COUNTED = "public, no-cache"
# The fragments an office may embed in its own site, by the snippet kind they come from.
ARTICLE_SNIPPETS = {"card", "article"}
ARTICLE_ID = f"<int(max={MAX_ID}):article_id>"
# ASCII digits only ("²".isdigit() holds, int("²") raises), and few enough for any page.
PAGE_NUMBER = re.compile("[0-9]{1,9}")


@pages.get("/")
def home() -> ResponseReturnValue:
    return redirect("/berita/", code=302)


def _page_number() -> int:
    page = request.args.get("page", "1")
    if not PAGE_NUMBER.fullmatch(page) or int(page) < 1:
        abort(404)
    return int(page)


@pages.get("/berita/")
def listing() -> ResponseReturnValue:
    return serve_document(paths.listing_page(paths.SITE_LISTING, _page_number()))


@pages.get("/tags/<tag>/")
def tag_page(tag: str) -> ResponseReturnValue:
    return serve_document(paths.listing_page(paths.tag_listing(tag), _page_number()))


@pages.get("/offices/<office>/")
def office_page(office: str) -> ResponseReturnValue:
    return serve_document(paths.listing_page(paths.office_listing(office), _page_number()))


@pages.get("/assets/site.css")
def stylesheet() -> ResponseReturnValue:
    response = serve_document(paths.STYLESHEET)
    if request.args.get("v"):
        # The page links the stylesheet by a URL that changes with its bytes.
        response.cache_control.max_age = 365 * 24 * 3600
        response.cache_control.immutable = True
    return response


@pages.get(f"/berita/{ARTICLE_ID}-<slug>")
def article_page(article_id: int, slug: str) -> ResponseReturnValue:
    with session_scope(settings().database_url, writer=False) as session:
        article = _public_article(session, article_id)
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
        body, etag = page.html.encode(), page.etag
    _count_view(article_id)
    return stored(body, HTML, etag, last_modified, cache_control=COUNTED)


def _public_article(session: Session, article_id: int) -> Article:
    """The article the public may see: 404 if it never went live, 410 once retracted."""
    article = session.get(Article, article_id)
    if article is None or article.live_revision is None:
        abort(404)
    if article.retracted_at is not None:
        abort(410)
    return article


def _count_view(article_id: int) -> None:
    config = settings()
    try:
        if count_view(
            get_redis(config.redis_url),
            article_id,
            request.remote_addr or "",
            request.headers.get("User-Agent", ""),
            utcnow(),
        ):
            celery.send_task(FLUSH_VIEWS, countdown=config.views_flush_seconds)
    except redis.exceptions.RedisError:
        # A reader still gets the page when Redis is away; only the count is lost.
        log.warning("view of article %s not counted: Redis unavailable", article_id)


@pages.get(f"/snippets/articles/{ARTICLE_ID}/<kind>.html")
def article_snippet(article_id: int, kind: str) -> ResponseReturnValue:
    """The live revision's card or article fragment, for an office's own site."""
    if kind not in ARTICLE_SNIPPETS:
        abort(404)
    with session_scope(settings().database_url, writer=False) as session:
        article = _public_article(session, article_id)
        snippet = session.get(Snippet, (article.id, article.live_revision, kind))
        if snippet is None:
            abort(404)
        response = stored(
            snippet.html.encode(), HTML, snippet.etag, article.updated_at or snippet.created_at
        )
    return _embeddable(response)


@pages.get("/snippets/<block>.html")
def block_snippet(block: str) -> ResponseReturnValue:
    """The latest-news or the most-read block, for an office's own site."""
    if block not in paths.BLOCKS:
        abort(404)
    return _embeddable(serve_document(paths.block_snippet(block)))


def _embeddable(response: Response) -> Response:
    # Another site's page may fetch a snippet from its script.
    response.headers["Access-Control-Allow-Origin"] = "*"
    return response


@pages.app_errorhandler(404)
@pages.app_errorhandler(410)
def error_page(error: HTTPException) -> ResponseReturnValue:
    """A readable page (stored, like every page) for a missing or a retracted article."""
    status = error.code or 404
    if request.path.startswith("/berita/") or request.path.startswith(("/tags/", "/offices/")):
        with session_scope(settings().database_url, writer=False) as session:
            document = find_document(session, paths.error_page(status))
            if document is not None:
                return Response(document.body, status=status, content_type=document.content_type)
    return error
