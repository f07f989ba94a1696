"""The feed service's workers: publish (queue `publish`) and the rebuilds (queue `feeds`)."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from typing import Any

from celery import current_task
from sqlalchemy.orm import Session, object_session

from warta.articles import go_live
from warta.celery_app import app
from warta.coalescing import (
    FEED_REBUILD,
    TAGS_AND_ARCHIVES,
    CoalescedJob,
    note_listing_change,
)
from warta.db import session_scope
from warta.media import lead_photo_status
from warta.messages import REBUILD_FEEDS, REBUILD_TAGS_AND_ARCHIVES, RETRACT
from warta.models import MEDIA_READY, Revision
from warta.pipeline import PUBLISH, STAGE_OF_TASK, Status
from warta.redis_client import get_redis
from warta.settings import Settings, get_settings
from warta.stages import STAGE_TASK_OPTIONS, run_stage
from warta_feed.rebuilds import (
    REBUILD_COUNT_KEY,
    rebuild_documents,
    rebuild_tag_feeds_and_archives,
)

log = logging.getLogger(__name__)


@app.task(name=PUBLISH, **STAGE_TASK_OPTIONS)
def publish(**message: Any) -> None:
    # Going live records a feed change with it; the relay sends the rebuild (warta.coalescing).
    run_stage(STAGE_OF_TASK[PUBLISH], message, _photo_ready, _go_live)


def _photo_ready(revision: Revision) -> bool:
    """Whether the revision's uploaded photo, if it has one, has its renditions."""
    status = lead_photo_status(_session_of(revision), revision)
    return status is None or status == MEDIA_READY


def _go_live(session: Session, revision: Revision, photo_ready: bool) -> str | None:
    if not photo_ready:
        # It waits as `rendered`: the rendition job sends it on once the photo is ready (or,
        # should that message be lost, the relay's sweep of lost work asks for it again).
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
    """The article was marked retracted (by ingest), with a feed change that the next rebuild
    reads: it leaves the article out."""
    log.info("article %s retracted", article_id)


@app.task(name=REBUILD_FEEDS, **STAGE_TASK_OPTIONS)
def rebuild_feeds() -> None:
    """The site's and the offices' feeds and the sitemaps; the tags' feeds and the archives,
    and the listing pages, each a job of its own, follow (their changes are recorded here)."""
    if _run(FEED_REBUILD, _rebuild_and_note_listings):
        get_redis(get_settings().redis_url).incr(REBUILD_COUNT_KEY)


def _rebuild_and_note_listings(session: Session, settings: Settings) -> list[str]:
    changed = rebuild_documents(session, settings)
    note_listing_change(session, "feeds")
    return changed


@app.task(name=REBUILD_TAGS_AND_ARCHIVES, **STAGE_TASK_OPTIONS)
def rebuild_tags_and_archives() -> None:
    _run(TAGS_AND_ARCHIVES, rebuild_tag_feeds_and_archives)


def _run(job: CoalescedJob, rebuild: Callable[..., list[str]]) -> bool:
    """One run of a rebuild `job`, which reads and deletes rows of its change tables; False if
    another run held the lock (the relay sends this job again while rows wait)."""
    settings = get_settings()
    redis = get_redis(settings.redis_url)
    with job.run(redis, owner=current_task.request.id) as going_ahead:
        if not going_ahead:
            return False
        began = time.monotonic()
        with session_scope(settings.database_url) as session:
            changed = rebuild(session, settings)
        seconds = time.monotonic() - began
    shown = ", ".join(changed[:5]) + (f" and {len(changed) - 5} more" if len(changed) > 5 else "")
    log.info("%s in %.2fs; %d changed: %s", job.name, seconds, len(changed), shown or "none")
    return True
