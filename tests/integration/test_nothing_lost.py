"""Nothing accepted is lost: submissions accepted while Redis is down are all published,
exactly once, when it is back; while the database is down, the API answers 503 with
Retry-After and keeps nothing half-written."""

from __future__ import annotations

import glob
import os
import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from pathlib import Path

import feedparser
import pytest
import requests
from sqlalchemy import func, select

from tests.conftest import RedisServer, RunningSystem, eventually, make_settings, new_office
from warta.db import session_scope
from warta.embedded_redis import free_port
from warta.models import Article, OutboxMessage, Revision
from warta.schema import upgrade_database
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

        eventually(lambda: set(titles) <= set(feed_titles()), timeout=90)
        assert sorted(feed_titles()) == sorted(titles)  # each exactly once
        with session_scope(sqlite_url) as session:
            revisions = session.execute(select(Revision.number, Revision.status)).all()
            assert sorted(revisions) == [(1, "published")] * 8
            assert session.scalar(select(func.count()).select_from(OutboxMessage)) == 0
    finally:
        system.stop()
        redis_server.stop()


class PostgresServer:
    """A PostgreSQL of the test's own, from the machine's binaries, which it may stop."""

    def __init__(self) -> None:
        binaries = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"))
        if not binaries or shutil.which("runuser") is None:
            pytest.fail("this test needs the PostgreSQL server binaries and runuser (CI has them)")
        self.bin = Path(binaries[-1]).parent
        # Owned by the `postgres` user: the server refuses to run as root.
        self.dir = Path(tempfile.mkdtemp(prefix="warta-pg-"))
        shutil.chown(self.dir, "postgres")
        self.port = free_port(0)
        self.url = f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/warta"
        self._run("initdb", "-D", str(self.dir / "data"), "-A", "trust", "-U", "postgres")

    def _run(self, tool: str, *args: str) -> None:
        command = ["runuser", "-u", "postgres", "--", str(self.bin / tool), *args]
        subprocess.run(command, check=True, capture_output=True, cwd=self.dir)

    def start(self) -> None:
        options = f"-p {self.port} -k {self.dir} -c listen_addresses=127.0.0.1"
        data, log = str(self.dir / "data"), str(self.dir / "log")
        self._run("pg_ctl", "start", "-w", "-D", data, "-l", log, "-o", options)

    def stop(self) -> None:
        # Immediate: as if the server crashed or the network went away.
        self._run("pg_ctl", "stop", "-m", "immediate", "-D", str(self.dir / "data"))

    def remove(self) -> None:
        subprocess.run(
            [
                "runuser",
                "-u",
                "postgres",
                "--",
                str(self.bin / "pg_ctl"),
                "stop",
                "-m",
                "immediate",
                "-D",
                str(self.dir / "data"),
            ],
            capture_output=True,
        )
        shutil.rmtree(self.dir, ignore_errors=True)


@pytest.fixture
def postgres_server() -> Iterator[PostgresServer]:
    if os.geteuid() != 0:
        pytest.fail("starting a PostgreSQL as its own user needs root (CI runs as root)")
    server = PostgresServer()
    server.start()
    server._run("createdb", "-h", "127.0.0.1", "-p", str(server.port), "-U", "postgres", "warta")
    upgrade_database(server.url)
    yield server
    from warta.db import get_engine

    get_engine(server.url).dispose()
    get_engine(server.url, writer=False).dispose()
    server.remove()


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
