"""Nothing accepted is lost: submissions accepted while Redis is down are all published,
exactly once, when it is back; while the database is down, the API answers 503 with
Retry-After and keeps nothing half-written."""

from __future__ import annotations

from pathlib import Path

import feedparser
import requests
from sqlalchemy import func, select

from tests.conftest import (
    PostgresServer,
    RedisServer,
    RunningSystem,
    eventually,
    make_settings,
    new_office,
)
from warta.db import session_scope
from warta.models import Article, OutboxMessage, Revision
from warta_ingest.app import create_app


def test_reports_accepted_while_redis_is_down_are_published_exactly_once(
    tmp_path: Path, sqlite_url: str
) -> None:
    redis_server = RedisServer(tmp_path / "redis")
    redis_server.start()
    system = RunningSystem(sqlite_url, redis_server.url)
    system.start()
    try:
        _, key = new_office(sqlite_url)
        auth = {"Authorization": f"Bearer {key}"}
        redis_server.stop()
        titles = [f"Laporan saat Redis mati nomor {n}" for n in range(8)]
        for title in titles:
            answer = requests.post(
                f"{system.ingest_url}/v1/articles",
                json={"title": title, "body": f"Pasuruan - {title}."},
                headers=auth,
                timeout=10,
            )
            assert answer.status_code == 202, answer.text
        with session_scope(sqlite_url) as session:
            assert session.scalar(select(func.count()).select_from(OutboxMessage)) == 8
        redis_server.start()

        def feed_titles() -> list[str]:
            response = requests.get(f"{system.feed_url}/feed.rss", timeout=5)
            if response.status_code != 200:
                return []
            return [entry.title for entry in feedparser.parse(response.content).entries]

        # The feed that showed them all (a second request could reach the other feed process,
        # whose copy may be a moment older).
        seen = eventually(
            lambda: (found := feed_titles()) and set(titles) <= set(found) and found, timeout=90
        )
        assert sorted(seen) == sorted(titles)  # each exactly once
        with session_scope(sqlite_url) as session:
            revisions = session.execute(select(Revision.number, Revision.status)).all()
            assert sorted(revisions) == [(1, "published")] * 8
            assert session.scalar(select(func.count()).select_from(OutboxMessage)) == 0
    finally:
        system.stop()
        redis_server.stop()


REPORT = {"title": "Rapat Pleno", "body": "Pasuruan - KPU menggelar rapat pleno."}


def test_a_database_outage_is_503_with_retry_after_and_nothing_half_written(
    postgres_server: PostgresServer,
) -> None:
    url = postgres_server.url
    _, key = new_office(url)
    auth = {"Authorization": f"Bearer {key}"}
    client = create_app(make_settings(url, "redis://127.0.0.1:1/0")).test_client()
    assert client.post("/v1/articles", json=REPORT, headers=auth).status_code == 202

    postgres_server.stop()
    fresh = create_app(make_settings(url, "redis://127.0.0.1:1/0")).test_client()
    answers = [
        client.post("/v1/articles", json=REPORT, headers=auth),  # key cached: fails on write
        client.post("/v1/articles", json={**REPORT, "external_id": "x"}, headers=auth),
        fresh.post("/v1/articles", json=REPORT, headers=auth),  # fails already on the key
        client.get("/v1/articles", headers=auth),
    ]
    for answer in answers:
        assert answer.status_code == 503, answer.data
        assert answer.content_type == "application/problem+json"
        assert int(answer.headers["Retry-After"]) > 0
        assert "Traceback" not in answer.get_data(as_text=True)

    postgres_server.start()
    accepted = eventually(
        lambda: (
            (r := client.post("/v1/articles", json=REPORT, headers=auth)).status_code == 202 and r
        )
    )
    assert accepted.json["revision"] == 1
    with session_scope(url) as session:
        # Exactly the two accepted reports, each whole: article, revision and outbox message.
        assert session.scalar(select(func.count()).select_from(Article)) == 2
        assert session.scalar(select(func.count()).select_from(Revision)) == 2
        assert session.scalar(select(func.count()).select_from(OutboxMessage)) == 2
