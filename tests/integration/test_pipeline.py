"""The pipeline through real worker processes: every stage safe to run twice, rebuilds
debounced."""

from __future__ import annotations

import redis
import requests
from sqlalchemy import func, select

from tests.conftest import RunningSystem, eventually, new_office
from warta.celery_app import create_celery
from warta.db import session_scope
from warta.messages import NORMALISE, PUBLISH, RENDER, TAG, revision_message
from warta.models import Article, Revision, Snippet
from warta_feed.publishing import REBUILD_COUNT_KEY


def submit(system: RunningSystem, key: str, title: str, **fields: str) -> int:
    response = requests.post(
        f"{system.ingest_url}/v1/articles",
        json={"title": title, "body": f"Surabaya - {title}. Isi berita.", **fields},
        headers={"Authorization": f"Bearer {key}"},
        timeout=10,
    )
    assert response.status_code == 202, response.text
    article_id: int = response.json()["id"]
    return article_id


def statuses(database_url: str, ids: list[int]) -> list[str]:
    with session_scope(database_url, writer=False) as session:
        return list(session.scalars(select(Revision.status).where(Revision.article_id.in_(ids))))


def rebuilds(system: RunningSystem) -> int:
    return int(redis.Redis.from_url(system.redis_url).get(REBUILD_COUNT_KEY) or 0)


def test_duplicated_messages_change_nothing_twice(system: RunningSystem) -> None:
    _, key = new_office(system.database_url)
    article_id = submit(system, key, "Rapat Pleno Rekapitulasi DPT")
    eventually(lambda: statuses(system.database_url, [article_id]) == ["published"])
    eventually(
        lambda: (
            "Rapat Pleno Rekapitulasi DPT"
            in requests.get(f"{system.feed_url}/feed.rss", timeout=5).text
        )
    )
    with session_scope(system.database_url, writer=False) as session:
        before = session.get(Article, article_id)
        assert before is not None
        before_state = (before.live_revision, before.published_at, before.updated_at)
        snippets_before = {s.kind: s.etag for s in session.scalars(select(Snippet))}
    count = rebuilds(system)

    celery = create_celery(system.redis_url)
    for task in (NORMALISE, TAG, RENDER, PUBLISH) * 2:
        celery.send_task(task, kwargs=revision_message(article_id, 1))
    # The duplicated publish asks for a rebuild: once that ran, every duplicate was handled.
    eventually(lambda: rebuilds(system) > count)

    with session_scope(system.database_url, writer=False) as session:
        after = session.get(Article, article_id)
        assert after is not None
        assert (after.live_revision, after.published_at, after.updated_at) == before_state
        assert session.scalar(select(func.count()).select_from(Revision)) >= 1
        assert {s.kind: s.etag for s in session.scalars(select(Snippet))} == snippets_before
    feed = requests.get(f"{system.feed_url}/feed.rss", timeout=5).text
    assert feed.count("Rapat Pleno Rekapitulasi DPT</title>") == 1


def test_a_burst_of_publishes_costs_a_handful_of_rebuilds(system: RunningSystem) -> None:
    _, key = new_office(system.database_url)
    count = rebuilds(system)
    ids = [submit(system, key, f"Sosialisasi Pemilu ke-{n}") for n in range(60)]
    eventually(lambda: set(statuses(system.database_url, ids)) == {"published"}, timeout=120)
    eventually(
        lambda: (
            "Sosialisasi Pemilu ke-59"
            in requests.get(f"{system.feed_url}/feed.rss", timeout=5).text
        )
    )
    spent = rebuilds(system) - count
    print(f"{spent} rebuilds for 60 publishes")
    assert 1 <= spent <= 15, f"{spent} rebuilds for 60 publishes"
