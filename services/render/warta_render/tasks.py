"""The render worker (queue `render`): snippets per revision, and the latest-news listing."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session, contains_eager

from warta.celery_app import app
from warta.db import session_scope
from warta.documents import prune_documents, store_document, strong_etag
from warta.messages import PUBLISH, RENDER, RENDER_LISTINGS
from warta.models import Article, Revision, Snippet
from warta.settings import get_settings
from warta.stages import STAGE_TASK_OPTIONS, run_stage
from warta_render.pages import (
    LISTING_PAGE_SIZE,
    article_view,
    render_listing_page,
    render_snippets,
)

# The listing pages cover the newest articles; older ones stay reachable through the feeds'
# archives and the sitemaps.
LISTING_MAX_PAGES = 50
HTML = "text/html; charset=utf-8"


@app.task(name=RENDER, **STAGE_TASK_OPTIONS)
def render(article_id: int, revision: int) -> None:
    run_stage("rendered", article_id, revision, _render, _store_snippets, next_task=PUBLISH)


def _render(revision: Revision) -> dict[str, str]:
    settings = get_settings()
    return render_snippets(article_view(revision.article, revision, settings), settings)


def _store_snippets(session: Session, revision: Revision, snippets: dict[str, str]) -> None:
    for kind, html in snippets.items():
        session.merge(
            Snippet(
                article_id=revision.article_id,
                revision=revision.number,
                kind=kind,
                html=html,
                etag=strong_etag(html.encode()),
            )
        )


@app.task(name=RENDER_LISTINGS, **STAGE_TASK_OPTIONS)
def render_listings() -> None:
    """Re-render `/berita/` from the live articles, newest first (asked for by each rebuild)."""
    settings = get_settings()
    limit = LISTING_PAGE_SIZE * LISTING_MAX_PAGES
    with session_scope(settings.database_url) as session:
        live = session.execute(
            select(Article, Revision)
            .join(
                Revision,
                (Revision.article_id == Article.id) & (Revision.number == Article.live_revision),
            )
            .join(Article.office)
            .options(contains_eager(Article.office))
            .where(Article.retracted_at.is_(None))
            .order_by(Article.published_at.desc(), Article.id.desc())
            .limit(limit)
        ).all()
        views = [article_view(article, revision, settings) for article, revision in live]
        pages = max(1, -(-len(views) // LISTING_PAGE_SIZE))
        paths = set()
        for page in range(1, pages + 1):
            chunk = views[(page - 1) * LISTING_PAGE_SIZE : page * LISTING_PAGE_SIZE]
            html = render_listing_page(chunk, page, pages, settings)
            path = f"berita/{page}"
            store_document(session, path, HTML, html.encode())
            paths.add(path)
        prune_documents(session, "berita/", paths)
