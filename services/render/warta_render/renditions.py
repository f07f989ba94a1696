"""The media worker (queue `media`): a photo's renditions, then the reports that waited for them.

The job reads the upload from the media store, makes every rendition (warta.photos), writes
their bytes to the store, and only then, in one transaction, records them, marks the photo
ready and sends on to publish the revisions that waited for it. Safe to run twice: a photo
found ready is left alone, and rewriting a rendition writes the same key."""

from __future__ import annotations

import logging
from typing import Any

from sqlalchemy import delete, select

from warta.celery_app import app
from warta.db import session_scope
from warta.documents import strong_etag
from warta.failures import record_failure
from warta.media_store import media_store, rendition_key
from warta.messages import MAKE_RENDITIONS, revision_message
from warta.models import (
    MEDIA_FAILED,
    MEDIA_READY,
    Media,
    MediaRendition,
    MediaUse,
    Revision,
    utcnow,
)
from warta.outbox import add_message
from warta.photos import make_renditions as render_photo
from warta.pipeline import PUBLISH, Status
from warta.settings import get_settings
from warta.stages import STAGE_TASK_OPTIONS, RecordedTask

log = logging.getLogger(__name__)


class RenditionTask(RecordedTask):
    """A job that fails for good is recorded for replay (`warta failed replay`), and its photo
    shows `failed` with the reason; the reports that use it wait for the replay."""

    def on_failure(
        self, exc: BaseException, task_id: str, args: Any, kwargs: Any, einfo: Any
    ) -> None:
        error = f"{type(exc).__name__}: {exc}"
        media_id = (kwargs or {}).get("media_id")
        try:
            with session_scope(get_settings().database_url) as session:
                record_failure(session, self.name, dict(kwargs or {}), error)
                media = session.get(Media, media_id) if media_id is not None else None
                if media is not None and media.status != MEDIA_READY:
                    media.status, media.error = MEDIA_FAILED, error
        except Exception:  # the database itself may be what failed; the log keeps it
            log.exception("could not record the failure of photo %s: %s", media_id, error)


@app.task(name=MAKE_RENDITIONS, **{**STAGE_TASK_OPTIONS, "base": RenditionTask})
def make_renditions(media_id: int) -> None:
    settings = get_settings()
    with session_scope(settings.database_url, writer=False) as session:
        media = session.get(Media, media_id)
        if media is None or media.status == MEDIA_READY:
            return
        key = media.original_key
    store = media_store(settings)
    original = store.get(key)
    if original is None:
        raise LookupError(f"the upload of photo {media_id} is not in the media store ({key})")
    made = render_photo(original)
    for rendition in made:
        store.put(rendition_key(media_id, rendition.name, rendition.extension), rendition.body)
    with session_scope(settings.database_url) as session:
        # Locked first: a publish deciding meanwhile whether this photo is ready commits
        # before the revisions waiting for it are read below (warta.media.lead_photo_status).
        media = session.scalar(select(Media).where(Media.id == media_id).with_for_update())
        if media is None or media.status == MEDIA_READY:
            return
        session.execute(delete(MediaRendition).where(MediaRendition.media_id == media_id))
        session.add_all(
            MediaRendition(
                media_id=media_id,
                name=rendition.name,
                extension=rendition.extension,
                media_type=rendition.media_type,
                width=rendition.width,
                height=rendition.height,
                length=len(rendition.body),
                etag=strong_etag(rendition.body),
            )
            for rendition in made
        )
        media.status, media.error = MEDIA_READY, None
        media.ready_at = media.progressed_at = utcnow()
        waiting = session.execute(
            select(Revision.article_id, Revision.number)
            .join(
                MediaUse,
                (MediaUse.article_id == Revision.article_id)
                & (MediaUse.revision == Revision.number),
            )
            .where(MediaUse.media_id == media_id, Revision.status == Status.RENDERED)
        ).all()
        for article_id, number in waiting:
            add_message(session, PUBLISH, revision_message(article_id, number))
    log.info(
        "photo %s: %d renditions made; %d revision(s) sent on to publish",
        media_id,
        len(made),
        len(waiting),
    )
