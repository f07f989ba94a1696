"""A message the broker lost (a worker killed between taking it and recording it, a Redis crash
within its AOF's last second, a Redis that came back empty) costs seconds, not a report: the
relay's sweep finds waiting work that no queued, held or outgoing message names, twice in a
row, and sends it again."""

from __future__ import annotations

from datetime import timedelta

import redis
import requests
from sqlalchemy import select

from tests.conftest import RunningSystem, eventually, new_office
from warta.celery_app import create_celery
from warta.db import session_scope
from warta.messages import MAKE_RENDITIONS, revision_message
from warta.models import Article, Media, Office, OutboxMessage, Revision, utcnow
from warta.outbox import add_message
from warta.pipeline import ENRICH, PUBLISH, RENDER
from warta.recovery import LostWork


def stored_revision(
    database_url: str,
    office_slug: str,
    status: str,
    idle: timedelta,
    image: dict[str, object] | None = None,
) -> int:
    """A revision in `status` that last moved `idle` ago; no message is sent for it."""
    with session_scope(database_url) as session:
        office_id = session.scalar(select(Office.id).where(Office.slug == office_slug))
        article = Article(office_id=office_id, current_revision=1)
        session.add(article)
        session.flush()
        submission: dict[str, object] = {"title": "Rapat pleno", "body": "Sidoarjo - Rapat."}
        if image is not None:
            submission["image"] = image
        session.add(
            Revision(
                article_id=article.id,
                number=1,
                status=status,
                submission=submission,
                publish_at=utcnow() - idle,
                progressed_at=utcnow() - idle,
            )
        )
        return article.id


def stored_photo(database_url: str, office_slug: str, idle: timedelta) -> int:
    """A photo waiting for its renditions since `idle` ago."""
    with session_scope(database_url) as session:
        office_id = session.scalar(select(Office.id).where(Office.slug == office_slug))
        media = Media(
            office_id=office_id,
            media_type="image/jpeg",
            width=1600,
            height=1200,
            length=1000,
            original_key="originals/x",
            progressed_at=utcnow() - idle,
        )
        session.add(media)
        session.flush()
        return media.id


def held_by_a_worker(client: redis.Redis, queue: str) -> None:
    """Move the queue's oldest message into the `unacked` hash, as a worker takes it."""
    raw = client.rpop(queue)
    assert raw is not None
    client.hset("unacked", "tag-1", f'[{raw.decode()}, "", "{queue}"]')
    client.zadd("unacked_index", {"tag-1": 0})


def test_the_sweep_sends_again_only_work_no_message_names(
    database_url: str, redis_url: str
) -> None:
    slug, _ = new_office(database_url)
    hour = timedelta(hours=1)
    lost = stored_revision(database_url, slug, "received", hour)
    lost_later = stored_revision(database_url, slug, "tagged", hour)
    queued = stored_revision(database_url, slug, "received", hour)
    held = stored_revision(database_url, slug, "tagged", hour)
    outgoing = stored_revision(database_url, slug, "rendered", hour)
    moving = stored_revision(database_url, slug, "received", timedelta(seconds=1))
    done = stored_revision(database_url, slug, "published", hour)
    failed = stored_revision(database_url, slug, "failed", hour)
    photo = stored_photo(database_url, slug, hour)
    waits_for_photo = stored_revision(database_url, slug, "rendered", hour, {"media": photo})
    lost_photo = stored_photo(database_url, slug, hour)

    client, app = redis.Redis.from_url(redis_url), create_celery(redis_url)
    app.send_task(ENRICH, kwargs=revision_message(queued, 1))
    app.send_task(MAKE_RENDITIONS, kwargs={"media_id": photo})
    batch = [{"article_id": held, "revision": 1, "request_id": None}]
    app.send_task(RENDER, kwargs={"revisions": batch})
    held_by_a_worker(client, "render")
    with session_scope(database_url) as session:
        add_message(session, PUBLISH, revision_message(outgoing, 1))

    sweep = LostWork(database_url, client)
    assert sweep.sweep() == 0  # one look: it may be between two places
    assert sweep.sweep() == 2 + 1  # two looks: lost
    # Stamped as moved: the next looks leave them alone until they wait unnamed again.
    assert sweep.sweep() == 0
    with session_scope(database_url, writer=False) as session:
        messages = sorted(
            (m.task, m.payload.get("article_id") or m.payload.get("media_id"))
            for m in session.scalars(select(OutboxMessage))
            if m.payload != revision_message(outgoing, 1)
        )
    assert messages == sorted([(ENRICH, lost), (RENDER, lost_later), (MAKE_RENDITIONS, lost_photo)])
    untouched = {queued, held, outgoing, moving, done, failed, waits_for_photo}
    assert untouched.isdisjoint(article_id for _, article_id in messages)


def test_a_report_whose_message_was_lost_is_published(system: RunningSystem) -> None:
    slug, _ = new_office(system.database_url)
    lost = stored_revision(system.database_url, slug, "received", timedelta(hours=1))

    def status() -> str | None:
        with session_scope(system.database_url, writer=False) as session:
            return session.scalar(select(Revision.status).where(Revision.article_id == lost))

    # Two looks of the sweep, 2 s apart; then the stages take it through in a second or two.
    eventually(lambda: status() == "published", timeout=60)
    eventually(
        lambda: f"/berita/{lost}-" in requests.get(f"{system.feed_url}/feed.rss", timeout=5).text
    )
