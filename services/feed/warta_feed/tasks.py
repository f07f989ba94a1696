"""The feed service's workers: publish (queue `publish`) and the rebuilds (queue `feeds`)."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from typing import Any

from celery import current_task
from sqlalchemy import Table, select
from sqlalchemy.orm import Session, object_session

from warta.celery_app import app
from warta.coalescing import FEED_REBUILD, LISTINGS_RENDER, TAGS_AND_ARCHIVES, CoalescedJob
from warta.db import session_scope
from warta.media import lead_photo_status
from warta.messages import REBUILD_FEEDS, REBUILD_TAGS_AND_ARCHIVES, RETRACT
from warta.models import ARCHIVE_CHANGES, FEED_CHANGES, MEDIA_READY, TAG_CHANGES, Revision
from warta.pipeline import PUBLISH, STAGE_OF_TASK, Status
from warta.redis_client import get_redis
from warta.settings import get_settings
from warta.stages import STAGE_TASK_OPTIONS, run_stage
from warta_feed.publishing import (
    REBUILD_COUNT_KEY,
    go_live,
    rebuild_documents,
    rebuild_tag_feeds_and_archives,
)

log = logging.getLogger(__name__)


@app.task(name=PUBLISH, **STAGE_TASK_OPTIONS)
def publish(**message: Any) -> None:
    if run_stage(STAGE_OF_TASK[PUBLISH], message, _photo_ready, _go_live):
        request_rebuild()


def _photo_ready(revision: Revision) -> bool:
    """Whether the revision's uploaded photo, if it has one, has its renditions."""
    status = lead_photo_status(_session_of(revision), revision)
    return status is None or status == MEDIA_READY


def _go_live(session: Session, revision: Revision, photo_ready: bool) -> str | None:
    if not photo_ready:
        # It waits as `rendered`: the rendition job sends it on once the photo is ready (or,
        # should that message be lost, the relay's sweep of stalled revisions does).
        return Status.RENDERED
    # A future revision stays `scheduled`; the relay's sweep (warta.schedule) queues it again
    # when its time comes. No ETA message: the broker may lose it, the database keeps it.
    return go_live(session, revision)


def _session_of(revision: Revision) -> Session:
    session = object_session(revision)
    assert session is not None, "a stage's revision is loaded in the stage's session"
    return session


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
    """The site's and the offices' feeds and the sitemaps; then the tags' feeds and the
    archives, and the listing pages, each a job of its own, follow."""
    redis = get_redis(get_settings().redis_url)
    if _run(FEED_REBUILD, rebuild_documents, FEED_CHANGES):
        redis.incr(REBUILD_COUNT_KEY)
        TAGS_AND_ARCHIVES.request(redis, app)
        LISTINGS_RENDER.request(redis, app)


@app.task(name=REBUILD_TAGS_AND_ARCHIVES, **STAGE_TASK_OPTIONS)
def rebuild_tags_and_archives() -> None:
    _run(TAGS_AND_ARCHIVES, rebuild_tag_feeds_and_archives, TAG_CHANGES, ARCHIVE_CHANGES)


def _run(job: CoalescedJob, rebuild: Callable[..., list[str]], *changes: Table) -> bool:
    """One run of a rebuild `job`, which reads and deletes rows of the `changes` tables; False
    if another run held the lock (this one comes back later)."""
    settings = get_settings()
    redis = get_redis(settings.redis_url)
    with job.run(redis, app, owner=current_task.request.id) as going_ahead:
        if not going_ahead:
            return False
        began = time.monotonic()
        with session_scope(settings.database_url) as session:
            changed = rebuild(session, settings)
        seconds = time.monotonic() - began
        with session_scope(settings.database_url, writer=False) as session:
            # Changes left (more than one run takes, or new ones): ask for the next run.
            left = any(session.scalar(select(table.c.id).limit(1)) is not None for table in changes)
    if left:
        job.request(redis, app)
    shown = ", ".join(changed[:5]) + (f" and {len(changed) - 5} more" if len(changed) > 5 else "")
    log.info("%s in %.2fs; %d changed: %s", job.name, seconds, len(changed), shown or "none")
    return True
