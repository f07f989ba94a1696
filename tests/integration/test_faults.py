"""Faults in the middle of a batch: a worker killed, Redis killed, the whole stack killed, the
database gone for a moment. Each costs seconds or retries, never a report: every report is
published exactly once, and every page, listing, tag feed, archive and sitemap is current within
a minute of the lost part coming back (the recovery times they print are in docs/benchmarks.md:
seconds, with the visibility timeout of 5 s that the workers' renewals allow)."""

from __future__ import annotations

import contextlib
import os
import re
import signal
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import psutil
import pytest
import requests
from sqlalchemy import func, select

from tests.conftest import (
    PostgresServer,
    RedisServer,
    RunningSystem,
    create_postgres_database,
    drop_postgres_database,
    eventually,
    new_office,
)
from warta.celery_app import WORKER_OPTIONS, create_celery
from warta.db import session_scope
from warta.messages import EVERY_QUEUE, revision_message
from warta.models import Article, Revision, Snippet
from warta.pipeline import ENRICH, Status
from warta.schema import upgrade_database

BATCH = 300
# Generous: the recovery measured here takes seconds (docs/benchmarks.md).
RECOVERY_DEADLINE = 60.0
ARCHIVE_SIZE = 100  # warta_feed.publishing


@pytest.fixture(autouse=True)
def fault_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    # RunningSystem hands the environment to every process it starts.
    monkeypatch.setenv("RATE_LIMIT", "100000/minute")


@pytest.fixture
def database(postgres_available: bool) -> Iterator[str]:
    """A PostgreSQL database of the test's own."""
    url = create_postgres_database()
    upgrade_database(url)
    yield url
    drop_postgres_database(url)


@pytest.fixture
def redis_server(tmp_path: Path) -> Iterator[RedisServer]:
    server = RedisServer(tmp_path / "redis")
    server.start()
    yield server
    server.stop()


@pytest.fixture
def running(database: str, redis_server: RedisServer, tmp_path: Path) -> Iterator[RunningSystem]:
    system = RunningSystem(database, redis_server.url, tmp_path / "metrics")
    system.start()
    yield system
    system.stop()


class Batch:
    """BATCH reports submitted from a background thread, as an office's system would: a 503
    is retried after a moment with the same Idempotency-Key, so a retry never adds a report."""

    def __init__(self, system: RunningSystem, key: str) -> None:
        self.system, self.key = system, key
        self.ids: list[int] = []
        self.errors: list[str] = []
        self.thread = threading.Thread(target=self._submit_all, daemon=True)
        self.thread.start()

    def _submit_all(self) -> None:
        session = requests.Session()
        session.headers["Authorization"] = f"Bearer {self.key}"
        for n in range(BATCH):
            body = {
                "title": f"Rapat Pleno Rekapitulasi Suara nomor {n}",
                "body": f"Pasuruan - KPU menggelar rapat pleno ke-{n}. Isi berita.",
                "external_id": f"pleno-{n}",
            }
            headers = {"Idempotency-Key": f"pleno-{n}"}
            for _ in range(120):
                try:
                    answer = session.post(
                        f"{self.system.ingest_url}/v1/articles",
                        json=body,
                        headers=headers,
                        timeout=10,
                    )
                except (requests.ConnectionError, requests.Timeout):  # the server died under it
                    time.sleep(0.5)
                    continue
                if answer.status_code == 503:
                    time.sleep(0.5)
                    continue
                if answer.status_code != 202:
                    self.errors.append(f"{answer.status_code}: {answer.text}")
                else:
                    self.ids.append(answer.json()["id"])
                break
            else:
                self.errors.append(f"report {n} never accepted")

    def wait_submitted(self) -> list[int]:
        self.thread.join(120)
        assert not self.thread.is_alive(), "the submissions did not finish"
        assert self.errors == []
        assert len(self.ids) == BATCH
        return self.ids


def published(database_url: str) -> int:
    with session_scope(database_url, writer=False) as session:
        return (
            session.scalar(
                select(func.count()).select_from(Revision).where(Revision.status == "published")
            )
            or 0
        )


def wait_until_mid_batch(database_url: str) -> int:
    """Wait until a good part of the batch (but not all of it) is published."""
    count = eventually(lambda: (n := published(database_url)) >= BATCH // 5 and n, timeout=120)
    assert count < BATCH, "the batch was over before the fault: nothing was tested"
    return int(count)


def stale_parts(system: RunningSystem, key: str, ids: list[int]) -> list[str]:
    """What a reader or an aggregator would still find out of date: the sitemap, the site's
    feed, the latest-news page, the newest report's office and tag feeds, and the archives."""
    pattern = re.compile(r"/berita/(\d+)-")

    def listed(path: str) -> set[int]:
        answer = requests.get(f"{system.feed_url}{path}", timeout=10)
        return {int(found) for found in pattern.findall(answer.text)}

    newest = max(ids)
    article = requests.get(
        f"{system.ingest_url}/v1/articles/{newest}",
        headers={"Authorization": f"Bearer {key}"},
        timeout=10,
    ).json()
    stale = []
    if set(ids) - listed("/sitemaps/articles-1.xml"):
        stale.append("sitemap")
    for path in ("/feed.rss", "/berita/", f"/offices/{article['office']}/feed.rss"):
        if newest not in listed(path):
            stale.append(path)
    tags = [tag["slug"] for tag in article.get("tags", []) if tag["source"] != "keyword"]
    tag_feeds = [f"/tags/{slug}/feed.rss" for slug in tags]
    tag_feeds = [path for path in tag_feeds if listed(path)]  # those that have a feed
    if not tag_feeds or any(newest not in listed(path) for path in tag_feeds):
        stale.append(f"tag feeds {tag_feeds}")
    for block in sorted({(article_id - 1) // ARCHIVE_SIZE + 1 for article_id in ids}):
        wanted = {i for i in ids if (i - 1) // ARCHIVE_SIZE + 1 == block}
        if wanted - listed(f"/archives/{block}.rss"):
            stale.append(f"archive {block}")
    return stale


def wait_until_current(system: RunningSystem, key: str, ids: list[int], since: float) -> float:
    """Seconds from `since` (the lost part came back) until every report is published and
    every public document is current."""
    deadline = since + RECOVERY_DEADLINE
    while True:
        stale = ["reports"] if published(system.database_url) < len(ids) else []
        stale = stale or stale_parts(system, key, ids)
        if not stale:
            return time.monotonic() - since
        with session_scope(system.database_url, writer=False) as db:
            waiting = db.execute(
                select(Revision.article_id, Revision.status).where(Revision.status != "published")
            ).all()
        assert time.monotonic() < deadline, f"stale after {RECOVERY_DEADLINE}s: {stale} {waiting}"
        time.sleep(0.5)


def assert_published_exactly_once(system: RunningSystem, key: str, ids: list[int]) -> None:
    # What a search engine sees: every report in the article sitemap, each exactly once.
    pattern = re.compile(r"/berita/(\d+)-")
    answer = requests.get(f"{system.feed_url}/sitemaps/articles-1.xml", timeout=10)
    assert sorted(int(found) for found in pattern.findall(answer.text)) == sorted(ids)

    # What the office sees.
    session = requests.Session()
    session.headers["Authorization"] = f"Bearer {key}"
    for article_id in ids:
        answer = session.get(f"{system.ingest_url}/v1/articles/{article_id}", timeout=10)
        assert answer.status_code == 200, answer.text
        assert answer.json()["status"] == "published", answer.json()
        assert answer.json()["revision"] == 1

    # What the database holds: one revision each, live, with its three snippets.
    with session_scope(system.database_url, writer=False) as db:
        articles = db.execute(select(Article.id, Article.live_revision)).all()
        assert sorted(articles) == [(article_id, 1) for article_id in sorted(ids)]
        revisions = db.execute(select(Revision.article_id, Revision.number, Revision.status)).all()
        assert sorted(revisions) == [(article_id, 1, "published") for article_id in sorted(ids)]
        assert db.scalar(select(func.count()).where(Revision.status == Status.FAILED)) == 0
        snippets = db.execute(
            select(Snippet.article_id, Snippet.revision, func.count()).group_by(
                Snippet.article_id, Snippet.revision
            )
        ).all()
        assert sorted(snippets) == [(article_id, 1, 3) for article_id in sorted(ids)]


def recovered(system: RunningSystem, key: str, batch: Batch, since: float, fault: str) -> None:
    """Every accepted report published exactly once and everything current; prints how long
    after `since` that took."""
    ids = batch.wait_submitted()
    accepted = time.monotonic() - since
    seconds = wait_until_current(system, key, ids, since)
    print(
        f"\n{fault}: everything current {seconds:.1f} s after the lost part came back "
        f"({seconds - accepted:.1f} s after the last report was accepted)"
    )
    assert_published_exactly_once(system, key, ids)


def start_worker(system: RunningSystem, name: str) -> None:
    """Another worker on every queue, started as the local run starts its own."""
    argv = [sys.executable, "-m", "celery", "-A", "warta.celery_app", "worker"]
    argv += ["--queues", ",".join(EVERY_QUEUE), "--concurrency", "2", "--loglevel", "WARNING"]
    argv += WORKER_OPTIONS
    system.supervisor.start(name, [*argv, "--hostname", f"{name}@%h"])


def kill_group(pid: int) -> None:
    """kill -9 a process and its children (each runs in a session of its own)."""
    process = psutil.Process(pid)
    doomed = [process, *process.children(recursive=True)]
    os.killpg(pid, signal.SIGKILL)
    _, alive = psutil.wait_procs(doomed, timeout=10)
    assert alive == []


def test_a_worker_killed_mid_batch_loses_and_repeats_nothing(
    running: RunningSystem,
) -> None:
    _, key = new_office(running.database_url)
    batch = Batch(running, key)
    wait_until_mid_batch(running.database_url)

    worker = psutil.Process(running.supervisor.running["worker0"].pid)
    assert len(worker.children(recursive=True)) >= 2  # the main process and its pool children
    kill_group(worker.pid)
    stranded = published(running.database_url)

    start_worker(running, "worker1")
    recovered(running, key, batch, time.monotonic(), "worker killed")
    assert stranded < BATCH


def test_redis_killed_mid_batch_loses_and_repeats_nothing(
    running: RunningSystem, redis_server: RedisServer
) -> None:
    _, key = new_office(running.database_url)
    batch = Batch(running, key)
    wait_until_mid_batch(running.database_url)

    redis_server.kill()
    time.sleep(2)
    redis_server.start()  # the same port; queued and unacknowledged messages kept in its AOF
    recovered(running, key, batch, time.monotonic(), "Redis killed")


def test_the_whole_stack_killed_mid_batch_loses_and_repeats_nothing(
    running: RunningSystem, redis_server: RedisServer
) -> None:
    _, key = new_office(running.database_url)
    batch = Batch(running, key)
    wait_until_mid_batch(running.database_url)

    # As a lost machine: every process at once, with no chance to finish or hand anything back.
    for process in running.supervisor.running.values():
        with contextlib.suppress(psutil.NoSuchProcess):
            kill_group(process.pid)
        process.wait()
        if process.stdout is not None:
            process.stdout.close()
    redis_server.kill()
    running.supervisor.running.clear()
    time.sleep(2)
    redis_server.start()
    running.start()
    recovered(running, key, batch, time.monotonic(), "whole stack killed")


def retried_tasks(system: RunningSystem) -> float:
    metrics = requests.get(f"http://127.0.0.1:{system.worker_metrics_port}/metrics", timeout=5)
    pattern = re.compile(r'^warta_tasks_total\{outcome="retried",[^}]*\} (\S+)$', re.M)
    return sum(float(value) for value in pattern.findall(metrics.text))


def test_a_database_outage_mid_batch_costs_retries_not_reports(
    postgres_server: PostgresServer, redis_server: RedisServer, tmp_path: Path
) -> None:
    system = RunningSystem(postgres_server.url, redis_server.url, tmp_path / "metrics")
    system.start()
    try:
        _, key = new_office(system.database_url)
        batch = Batch(system, key)
        wait_until_mid_batch(system.database_url)
        assert retried_tasks(system) == 0

        postgres_server.stop()
        # A stage message delivered during the outage (another delivery of a report already
        # through: harmless), so that a task meets the outage whatever the batch's timing.
        create_celery(system.redis_url).send_task(ENRICH, kwargs=revision_message(batch.ids[0], 1))
        time.sleep(3)
        postgres_server.start()

        recovered(system, key, batch, time.monotonic(), "database stopped")
        assert retried_tasks(system) > 0
    finally:
        system.stop()
