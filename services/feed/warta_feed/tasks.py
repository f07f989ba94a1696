"""The feed service's workers: publish (queue `publish`) and rebuild (queue `feeds`)."""

from __future__ import annotations

import logging
import time
from typing import Any

from celery import current_task
from sqlalchemy import select
from sqlalchemy.orm import Session

from warta.celery_app import app
from warta.coalescing import FEED_REBUILD, LISTINGS_RENDER
from warta.db import session_scope
from warta.messages import PUBLISH, REBUILD_FEEDS, RETRACT
from warta.models import FEED_CHANGES, Revision
from warta.redis_client import get_redis
from warta.settings import get_settings
from warta.stages import STAGE_TASK_OPTIONS, run_stage
from warta_feed.publishing import REBUILD_COUNT_KEY, Rebuild, go_live

log = logging.getLogger(__name__)


@app.task(name=PUBLISH, **STAGE_TASK_OPTIONS)
def publish(**message: Any) -> None:
    if run_stage("published", message, lambda _: None, _go_live):
        request_rebuild()


def _go_live(session: Session, revision: Revision, _: None) -> str | None:
    # A future revision stays `scheduled`; the relay's sweep (warta.schedule) queues it again
    # when its time comes. No ETA message: the broker may lose it, the database keeps it.
    return go_live(session, revision)


@app.task(name=RETRACT, **STAGE_TASK_OPTIONS)
def retract(article_id: int) -> None:
    """The article was marked retracted (by ingest); the next rebuild leaves it out."""
    log.info("article %s retracted; rebuilding", article_id)
    request_rebuild()


def request_rebuild() -> None:
    """Debounced: the first publish of a burst schedules the rebuild, the rest ride on it."""
    FEED_REBUILD.request(get_redis(get_settings().redis_url), app)


@app.task(name=REBUILD_FEEDS, **STAGE_TASK_OPTIONS)
def rebuild_feeds() -> None:
    settings = get_settings()
    redis = get_redis(settings.redis_url)
    with FEED_REBUILD.run(redis, app, owner=current_task.request.id) as going_ahead:
        if not going_ahead:
            return
        redis.incr(REBUILD_COUNT_KEY)
        # Two transactions: the main feeds and the sitemaps are served before the tag feeds
        # are built (publishing.Rebuild).
        began = time.monotonic()
        with session_scope(settings.database_url) as session:
            rebuild = Rebuild(session, settings)
            changed = rebuild.main_documents(session)
        main_seconds = time.monotonic() - began
        with session_scope(settings.database_url) as session:
            changed += rebuild.tag_documents(session)
        seconds = time.monotonic() - began
        with session_scope(settings.database_url, writer=False) as session:
            # Changes left (more than one rebuild takes, or new ones): ask for the next rebuild.
            left = session.scalar(select(FEED_CHANGES.c.id).limit(1)) is not None
    if left:
        request_rebuild()
    shown = ", ".join(changed[:5]) + (f" and {len(changed) - 5} more" if len(changed) > 5 else "")
    log.info(
        "rebuilt feeds and sitemaps in %.2fs (main feeds and sitemaps %.2fs); %d changed: %s",
        seconds,
        main_seconds,
        len(changed),
        shown or "none",
    )
    LISTINGS_RENDER.request(redis, app)
