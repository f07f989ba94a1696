"""Scheduled publishing: a future `published_at` holds the report as `scheduled`; the relay's
sweep releases it on time from the database, so it survives a restart of every process."""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import requests
from sqlalchemy import select

from tests.conftest import RedisServer, RunningSystem, eventually, new_office
from warta.db import session_scope
from warta.models import Article, OutboxMessage, Revision
from warta.pipeline import PUBLISH, Status
from warta.schedule import release_due


def scheduled_revision(database_url: str, office_slug: str, publish_at: datetime, **fields):  # type: ignore[no-untyped-def]
    from warta.offices import find_office

    with session_scope(database_url) as session:
        office = find_office(session, office_slug)
        assert office is not None
        article = Article(office=office, current_revision=1, **fields)
        session.add(article)
        session.add(
            Revision(
                article=article,
                number=1,
                status=Status.SCHEDULED,
                submission={"title": "t", "body": "b"},
                publish_at=publish_at,
            )
        )
        session.flush()
        return article.id


def test_the_sweep_releases_only_due_current_unretracted_revisions(database_url: str) -> None:
    slug, _ = new_office(database_url)
    now = datetime.now(UTC)
    due = scheduled_revision(database_url, slug, now - timedelta(seconds=1))
    later = scheduled_revision(database_url, slug, now + timedelta(hours=1))
    retracted = scheduled_revision(database_url, slug, now - timedelta(seconds=1), retracted_at=now)

    assert release_due(database_url) == 1
    assert release_due(database_url) == 0  # released once: it is no longer `scheduled`
    with session_scope(database_url) as session:
        messages = [(m.task, m.payload) for m in session.scalars(select(OutboxMessage))]
        statuses = dict(session.execute(select(Revision.article_id, Revision.status)).all())
    assert messages == [(PUBLISH, {"article_id": due, "revision": 1})]
    assert statuses == {due: "rendered", later: Status.SCHEDULED, retracted: Status.SCHEDULED}


def test_a_scheduled_report_is_published_after_every_process_and_redis_restarted(
    tmp_path: Path, database_url: str
) -> None:
    redis_server = RedisServer(tmp_path / "redis")
    redis_server.start()
    system = RunningSystem(database_url, redis_server.url)
    system.start()
    try:
        _, key = new_office(database_url)
        auth = {"Authorization": f"Bearer {key}"}
        publish_at = datetime.now(UTC) + timedelta(seconds=45)
        answer = requests.post(
            f"{system.ingest_url}/v1/articles",
            json={
                "title": "Jadwal Rapat Pleno Terbuka",
                "body": "Pasuruan - KPU menggelar rapat pleno terbuka.",
                "published_at": publish_at.isoformat(),
            },
            headers=auth,
            timeout=10,
        )
        assert answer.status_code == 202, answer.text
        state_url = f"{system.ingest_url}{answer.json()['links']['self']}"

        def status() -> str:
            return str(requests.get(state_url, headers=auth, timeout=5).json()["status"])

        eventually(lambda: status() == Status.SCHEDULED, timeout=40)
        # Every process stops, Redis too; it comes back empty, as after losing its data.
        system.stop()
        redis_server.stop()
        time.sleep(max(0.0, (publish_at - datetime.now(UTC)).total_seconds()) + 1)
        redis_server = RedisServer(tmp_path / "redis-new", port=redis_server.port)
        redis_server.start()
        system = RunningSystem(database_url, redis_server.url)
        system.start()
        state_url = state_url.replace(state_url.split("/v1")[0], system.ingest_url)
        eventually(lambda: status() == "published", timeout=60)
        with session_scope(database_url) as session:
            article = session.get(Article, answer.json()["id"])
            assert article is not None and article.published_at == publish_at
    finally:
        system.stop()
        redis_server.stop()
