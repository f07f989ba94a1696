"""A stage message the broker lost (a worker killed between taking it and recording it, a
Redis crash within its AOF's last second) costs a delay, not a report: the relay's sweep finds
revisions that stopped moving and sends them on again."""

from __future__ import annotations

from datetime import timedelta

import requests
from sqlalchemy import select

from tests.conftest import RunningSystem, eventually, new_office
from warta.db import session_scope
from warta.models import Article, Office, OutboxMessage, Revision, utcnow
from warta.pipeline import ENRICH, RENDER
from warta.recovery import resend_stalled

STALLED_AFTER = 360.0  # the production visibility timeout (300 s) and the margin


def stored_revision(database_url: str, office_slug: str, status: str, idle: timedelta) -> int:
    """A revision in `status` whose message is gone: no outbox row, nothing in the broker."""
    with session_scope(database_url) as session:
        office_id = session.scalar(select(Office.id).where(Office.slug == office_slug))
        article = Article(office_id=office_id, current_revision=1)
        session.add(article)
        session.flush()
        session.add(
            Revision(
                article_id=article.id,
                number=1,
                status=status,
                submission={"title": "Rapat pleno", "body": "Sidoarjo - Rapat pleno terbuka."},
                publish_at=utcnow() - idle,
                progressed_at=utcnow() - idle,
            )
        )
        return article.id


def test_the_sweep_resends_only_revisions_that_stopped_moving(database_url: str) -> None:
    slug, _ = new_office(database_url)
    stalled = stored_revision(database_url, slug, "received", timedelta(seconds=STALLED_AFTER + 5))
    stalled_later = stored_revision(database_url, slug, "tagged", timedelta(hours=2))
    moving = stored_revision(database_url, slug, "received", timedelta(seconds=STALLED_AFTER - 30))
    done = stored_revision(database_url, slug, "published", timedelta(hours=2))
    failed = stored_revision(database_url, slug, "failed", timedelta(hours=2))

    assert resend_stalled(database_url, STALLED_AFTER) == 2
    # Sent once: the next sweep waits for another full stall before sending them again.
    assert resend_stalled(database_url, STALLED_AFTER) == 0
    with session_scope(database_url, writer=False) as session:
        messages = sorted(
            (m.payload["article_id"], m.task) for m in session.scalars(select(OutboxMessage))
        )
    assert messages == [(stalled, ENRICH), (stalled_later, RENDER)]
    assert {moving, done, failed}.isdisjoint(article_id for article_id, _ in messages)


def test_a_report_whose_message_was_lost_is_published(system: RunningSystem) -> None:
    slug, _ = new_office(system.database_url)
    lost = stored_revision(system.database_url, slug, "received", timedelta(hours=1))

    def status() -> str | None:
        with session_scope(system.database_url, writer=False) as session:
            return session.scalar(select(Revision.status).where(Revision.article_id == lost))

    # The sweep runs every 10 s; the stages then take it through in a second or two.
    eventually(lambda: status() == "published", timeout=60)
    eventually(
        lambda: f"/berita/{lost}-" in requests.get(f"{system.feed_url}/feed.rss", timeout=5).text
    )
