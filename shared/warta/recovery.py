"""Work whose message the broker lost goes again within seconds: the database knows what waits
for a stage, and the broker what messages exist.

Celery's Redis transport can lose a message: a worker killed between taking it off the queue
and recording it as unacknowledged, a Redis crash within the last second of its AOF, a Redis
that came back empty. The relay's sweep (`LostWork`) looks every few seconds for revisions
waiting for a stage and photos waiting for their renditions that have not moved for a few
seconds, and for each asks whether any message names it: queued, held by a worker
(unacknowledged, renewed while the worker lives, see warta.workers), or waiting in the outbox.
One that none names in two looks in a row, unmoved, is sent again through the outbox. Two
looks, because a message is briefly in none of those places as it passes from one to another.
A revision that waits for its photo is not lost: its photo is what is looked for.

Stages are idempotent: a message that was only hidden costs a duplicate delivery, never a second
change. The rebuilds need no sweep: the relay sends them while their changes wait
(warta.coalescing)."""

from __future__ import annotations

import base64
import json
import logging
from collections.abc import Iterable, Iterator
from datetime import datetime, timedelta
from typing import Any

from redis import Redis
from sqlalchemy import select, tuple_
from sqlalchemy.orm import Session

from warta.db import in_batches, session_scope
from warta.media import lead_media_id
from warta.messages import EVERY_QUEUE, MAKE_RENDITIONS, revision_message
from warta.models import MEDIA_PROCESSING, MEDIA_READY, Media, OutboxMessage, Revision, utcnow
from warta.outbox import add_message
from warta.pipeline import TASK_FOR_STATUS, Status

log = logging.getLogger(__name__)

SWEEP_EVERY_SECONDS = 2.0
# Work that moved more recently than this is not looked at (most of it is on its way).
IDLE_SECONDS = 3.0
LIMIT = 2000  # revisions or photos looked at per sweep

# What a message names: ("revision", article id, number) or ("photo", media id, 0).
Name = tuple[str, int, int]


class LostWork:
    """The relay's sweep of lost work; keeps what the last look found between looks."""

    def __init__(
        self, database_url: str, redis: Redis, queues: Iterable[str] = EVERY_QUEUE
    ) -> None:
        self.database_url, self.redis, self.queues = database_url, redis, tuple(queues)
        self.suspects: dict[Name, datetime] = {}  # unnamed at the last look: when it last moved

    def sweep(self, now: datetime | None = None) -> int:
        """Look once; send again what two looks in a row found lost. Returns how many."""
        now = now or utcnow()
        with session_scope(self.database_url, writer=False) as session:
            idle = _idle_work(session, now - timedelta(seconds=IDLE_SECONDS))
            if not idle:
                self.suspects = {}
                return 0
            named = set(names_in_broker(self.redis, self.queues))
            named.update(_names_in_outbox(session))
            unnamed = {name: moved for name, moved in idle.items() if name not in named}
            unnamed = _without_revisions_waiting_for_photos(session, unnamed)
        lost = [name for name, moved in unnamed.items() if self.suspects.get(name) == moved]
        self.suspects = {name: moved for name, moved in unnamed.items() if name not in lost}
        if not lost:
            return 0
        return self._send_again(lost, idle, now)

    def _send_again(self, lost: list[Name], idle: dict[Name, datetime], now: datetime) -> int:
        sent = 0
        with session_scope(self.database_url) as session:
            keys = [(article_id, number) for kind, article_id, number in lost if kind == "revision"]
            for chunk in in_batches(keys):
                revisions = session.scalars(
                    select(Revision)
                    .where(tuple_(Revision.article_id, Revision.number).in_(chunk))
                    .with_for_update(skip_locked=True)
                )
                for revision in revisions:
                    name = ("revision", revision.article_id, revision.number)
                    if (
                        revision.status not in TASK_FOR_STATUS
                        or revision.progressed_at != idle[name]
                    ):
                        continue  # it moved meanwhile
                    task = TASK_FOR_STATUS[revision.status]
                    add_message(session, task, revision_message(*name[1:]))
                    revision.progressed_at = now
                    sent += 1
                    log.warning(
                        "revision %s/%s waited as %s with no message; sent to %s again",
                        *name[1:],
                        revision.status,
                        task,
                    )
            photo_ids = [media_id for kind, media_id, _ in lost if kind == "photo"]
            for ids in in_batches(photo_ids):
                photos = session.scalars(
                    select(Media).where(Media.id.in_(ids)).with_for_update(skip_locked=True)
                )
                for media in photos:
                    moved = idle[("photo", media.id, 0)]
                    if media.status != MEDIA_PROCESSING or media.progressed_at != moved:
                        continue
                    add_message(session, MAKE_RENDITIONS, {"media_id": media.id})
                    media.progressed_at = now
                    sent += 1
                    log.warning("photo %s waited with no rendition job; asked for again", media.id)
        return sent


def _idle_work(session: Session, before: datetime) -> dict[Name, datetime]:
    """Revisions waiting for a stage and photos waiting for renditions, unmoved since `before`."""
    idle: dict[Name, datetime] = {}
    revisions = session.execute(
        select(Revision.article_id, Revision.number, Revision.progressed_at)
        .where(Revision.status.in_(TASK_FOR_STATUS), Revision.progressed_at < before)
        .order_by(Revision.progressed_at)
        .limit(LIMIT)
    )
    for article_id, number, moved in revisions:
        idle[("revision", article_id, number)] = moved
    photos = session.execute(
        select(Media.id, Media.progressed_at)
        .where(Media.status == MEDIA_PROCESSING, Media.progressed_at < before)
        .order_by(Media.progressed_at)
        .limit(LIMIT)
    )
    for media_id, moved in photos:
        idle[("photo", media_id, 0)] = moved
    return idle


def _without_revisions_waiting_for_photos(
    session: Session, unnamed: dict[Name, datetime]
) -> dict[Name, datetime]:
    """A rendered revision whose lead photo is not ready waits for the photo, not for a message
    (the rendition job sends it on)."""
    rendered = [(article_id, number) for kind, article_id, number in unnamed if kind == "revision"]
    waiting: set[Name] = set()
    for chunk in in_batches(rendered):
        rows = session.execute(
            select(Revision.article_id, Revision.number, Revision.submission["image"]).where(
                tuple_(Revision.article_id, Revision.number).in_(chunk),
                Revision.status == Status.RENDERED,
            )
        ).all()
        photos = {row[:2]: lead_media_id(row[2]) for row in rows}
        ids = [media_id for media_id in photos.values() if media_id is not None]
        ready = set(
            session.scalars(select(Media.id).where(Media.id.in_(ids), Media.status == MEDIA_READY))
        )
        waiting.update(
            ("revision", *key)
            for key, media_id in photos.items()
            if media_id is not None and media_id not in ready
        )
    return {name: moved for name, moved in unnamed.items() if name not in waiting}


def names_in_broker(redis: Redis, queues: Iterable[str]) -> Iterator[Name]:
    """What the messages in the queues and those held by workers name."""
    for queue in queues:
        for raw in redis.lrange(queue, 0, -1):  # type: ignore[union-attr]
            yield from _names(json.loads(raw))
    for raw in redis.hvals("unacked"):  # type: ignore[union-attr]
        message, _exchange, _routing_key = json.loads(raw)
        yield from _names(message)


def _names(message: dict[str, Any]) -> Iterator[Name]:
    """What one kombu message (protocol 2, JSON, base64 body) names."""
    try:
        body = base64.b64decode(message["body"])
        _args, kwargs, _embed = json.loads(body)
    except (KeyError, ValueError, TypeError):
        return
    yield from _named_by(kwargs)


def _named_by(payload: dict[str, Any]) -> Iterator[Name]:
    if "media_id" in payload:
        yield "photo", int(payload["media_id"]), 0
    if "article_id" in payload and "revision" in payload:
        yield "revision", int(payload["article_id"]), int(payload["revision"])
    for entry in payload.get("revisions", ()):
        yield "revision", int(entry["article_id"]), int(entry["revision"])


def _names_in_outbox(session: Session) -> Iterator[Name]:
    for payload in session.scalars(select(OutboxMessage.payload)):
        yield from _named_by(payload)
