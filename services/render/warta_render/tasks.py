"""The render worker (queue `render`): a revision's snippets, and the listings composed of
their cards (warta_render.snippets, warta_render.listings)."""

from __future__ import annotations

import logging
from typing import Any

from celery import current_task
from sqlalchemy import delete, select

from warta import document_paths as paths
from warta.celery_app import app
from warta.coalescing import LISTINGS_RENDER, note_listing_change
from warta.db import in_batches, session_scope
from warta.messages import RENDER_LISTINGS, RERENDER
from warta.models import LISTING_CHANGES, Article, Revision
from warta.pages import article_view, render_snippets
from warta.pipeline import RENDER, STAGE_OF_TASK
from warta.redis_client import get_redis
from warta.settings import get_settings
from warta.stages import STAGE_TASK_OPTIONS, load_revision, run_stage
from warta_render.listings import compose_pages, store_composed
from warta_render.snippets import add_snippets, store_snippets

log = logging.getLogger(__name__)

REPROCESS_TTL = 24 * 3600


@app.task(name=RENDER, **STAGE_TASK_OPTIONS)
def render(**message: Any) -> None:
    run_stage(STAGE_OF_TASK[RENDER], message, _render, add_snippets)


def _render(revision: Revision) -> dict[str, str]:
    settings = get_settings()
    return render_snippets(article_view(revision.article, revision, settings), settings)


@app.task(name=RERENDER, **STAGE_TASK_OPTIONS)
def rerender(article_id: int, run: str | None = None, total: int = 0) -> None:
    """Render an article's live revision again (templates or configuration changed).

    The old snippets stay in place, and are served, until the new ones replace them in one
    commit. The last article of a `warta reprocess` run asks for the pages to be composed again.
    """
    settings = get_settings()
    with session_scope(settings.database_url, writer=False) as session:
        article = session.get(Article, article_id)
        number = article.live_revision if article is not None else None
        revision = load_revision(session, article_id, number) if number is not None else None
        snippets = None
        if revision is not None and revision.article.retracted_at is None:
            snippets = render_snippets(article_view(revision.article, revision, settings), settings)
    if revision is not None and snippets is not None:
        with session_scope(settings.database_url) as session:
            store_snippets(session, revision, snippets)
    if run is not None:
        redis = get_redis(settings.redis_url)
        key = paths.REPROCESS_KEY.format(run=run)
        pipe = redis.pipeline()
        pipe.incr(key)
        pipe.expire(key, REPROCESS_TTL)
        done, _ = pipe.execute()
        if done == total:
            with session_scope(settings.database_url) as session:
                note_listing_change(session, "rerender")


@app.task(name=RENDER_LISTINGS, **STAGE_TASK_OPTIONS)
def render_listings() -> None:
    """Compose the pages from the live articles' cards: `/berita/`, each tag's and each office's
    page, the latest-news and most-read blocks. Asked for by each rebuild and each views flush,
    so the view counts on the cards stay fresh without a request ever rendering anything."""
    settings = get_settings()
    with LISTINGS_RENDER.run(
        get_redis(settings.redis_url), owner=current_task.request.id
    ) as going_ahead:
        if not going_ahead:
            return
        with session_scope(settings.database_url, writer=False) as session:
            # The requests read now are answered by this composition; later ones wait.
            answered = session.scalars(select(LISTING_CHANGES.c.id).limit(10_000)).all()
            composed = compose_pages(session, settings)
        with session_scope(settings.database_url) as session:
            changed = store_composed(session, composed)
            for chunk in in_batches(list(answered)):
                session.execute(delete(LISTING_CHANGES).where(LISTING_CHANGES.c.id.in_(chunk)))
    log.info("composed %d documents; %d changed", len(composed.documents), changed)
