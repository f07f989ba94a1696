"""Push a burst of reports through the whole running system and measure it.

    .venv/bin/python bench/pipeline.py --reports 1000

Starts its own Redis and database (SQLite in a temporary folder, or a fresh PostgreSQL
database with --postgres), the ingest and feed services, the relay and the workers; submits
the reports over HTTP from several threads, then watches the article sitemap (rebuilt with the
feeds, and listing every live article where a feed lists only the newest) until every report
is there. Prints accepted submissions/s, the p50/p99 time from submit to appearance, and the
reports lost or duplicated."""

from __future__ import annotations

import argparse
import concurrent.futures
import os
import re
import statistics
import sys
import tempfile
import time
import uuid
from pathlib import Path

import requests
from sqlalchemy import create_engine, func, select, text
from sqlalchemy.engine import make_url

from warta.db import session_scope
from warta.embedded_redis import free_port, redis_server_argv
from warta.local_run import start_services, wait_for_http, wait_for_redis
from warta.messages import QUEUES
from warta.models import Article, Revision
from warta.offices import add_office
from warta.processes import Supervisor
from warta.schema import upgrade_database
from warta.settings import Settings

POSTGRES_ADMIN = "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
BODY = (Path(__file__).with_name("report.txt")).read_text(encoding="utf-8")


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reports", type=int, default=1000)
    parser.add_argument("--clients", type=int, default=8, help="submitting threads")
    parser.add_argument(
        "--workers-per-stage",
        type=int,
        default=0,
        help="0: one worker on every queue (as `warta up`); N: N per queue",
    )
    parser.add_argument("--concurrency", type=int, default=2, help="processes per worker")
    parser.add_argument("--postgres", action="store_true", help="PostgreSQL instead of SQLite")
    parser.add_argument("--timeout", type=float, default=600)
    args = parser.parse_args()

    tmp = Path(tempfile.mkdtemp(prefix="warta-bench-"))
    if args.postgres:
        name = f"warta_bench_{uuid.uuid4().hex[:8]}"
        admin = create_engine(POSTGRES_ADMIN, isolation_level="AUTOCOMMIT")
        with admin.connect() as connection:
            connection.execute(text(f'CREATE DATABASE "{name}"'))
        database_url = make_url(POSTGRES_ADMIN).set(database=name).render_as_string(False)
    else:
        database_url = f"sqlite:///{tmp / 'warta.db'}"
    redis_port, ingest_port, feed_port = free_port(0), free_port(0), free_port(0)
    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "REDIS_URL": f"redis://127.0.0.1:{redis_port}/0",
        "INGEST_PORT": str(ingest_port),
        "FEED_PORT": str(feed_port),
        "PUBLIC_BASE_URL": f"http://127.0.0.1:{feed_port}",
        "LOG_LEVEL": os.environ.get("LOG_LEVEL", "WARNING"),
    }
    settings = Settings.from_env(env)
    supervisor = Supervisor(env=env)
    try:
        supervisor.start("redis", redis_server_argv(redis_port, tmp / "redis", append_only=True))
        wait_for_redis(settings.redis_url)
        upgrade_database(database_url)
        if args.workers_per_stage:
            workers = [
                (f"{queue}{n}", queue, args.concurrency)
                for queue in QUEUES
                for n in range(args.workers_per_stage)
            ]
        else:
            workers = [("worker", ",".join(QUEUES), args.concurrency)]
        start_services(supervisor, settings, workers)
        ingest = f"http://127.0.0.1:{ingest_port}"
        wait_for_http(f"{ingest}/readyz")
        wait_for_http(f"http://127.0.0.1:{feed_port}/healthz")
        with session_scope(database_url) as session:
            key = add_office(session, "bench", "KPU Bench")
        result = run(args, ingest, f"http://127.0.0.1:{feed_port}", key, database_url)
    finally:
        supervisor.stop_all()
        if args.postgres:
            from warta.db import get_engine

            get_engine(database_url).dispose()
            admin = create_engine(POSTGRES_ADMIN, isolation_level="AUTOCOMMIT")
            with admin.connect() as connection:
                connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    return result


def run(args: argparse.Namespace, ingest: str, feed: str, key: str, database_url: str) -> int:
    session = requests.Session()
    session.headers["Authorization"] = f"Bearer {key}"
    submitted: dict[int, float] = {}

    def submit(n: int) -> tuple[int, float]:
        started = time.monotonic()
        response = session.post(
            f"{ingest}/v1/articles",
            json={
                "title": f"Rapat Koordinasi Pemutakhiran Data Pemilih ke-{n}",
                "body": BODY,
                "external_id": f"bench-{n}",
            },
            timeout=30,
        )
        response.raise_for_status()
        return response.json()["id"], started

    began = time.monotonic()
    with concurrent.futures.ThreadPoolExecutor(args.clients) as pool:
        for article_id, started in pool.map(submit, range(args.reports)):
            submitted[article_id] = started
    accept_seconds = time.monotonic() - began

    seen: dict[int, float] = {}
    pattern = re.compile(r"/berita/(\d+)-")
    deadline = time.monotonic() + args.timeout
    while len(seen) < len(submitted) and time.monotonic() < deadline:
        response = requests.get(f"{feed}/sitemaps/articles-1.xml", timeout=30)
        now = time.monotonic()
        if response.status_code == 200:
            for match in pattern.finditer(response.text):
                seen.setdefault(int(match.group(1)), now)
        time.sleep(0.1)
    drained = time.monotonic() - began

    latencies = [seen[i] - submitted[i] for i in submitted if i in seen]
    with session_scope(database_url, writer=False) as db:
        articles = db.scalar(select(func.count()).select_from(Article)) or 0
        revisions = db.scalar(select(func.count()).select_from(Revision)) or 0
    lost = len(submitted) - len(latencies)
    duplicated = (articles - len(submitted)) + (revisions - articles)
    print(
        f"reports            {args.reports} "
        f"(workers: {args.workers_per_stage or 'one for all queues'} x{args.concurrency})"
    )
    print(
        f"accepted           {args.reports / accept_seconds:.0f} submissions/s "
        f"({accept_seconds:.1f} s, {args.clients} clients)"
    )
    print(
        f"end to end         {len(latencies) / drained:.1f} reports/s published "
        f"({drained:.1f} s for all)"
    )
    if latencies:
        print(
            f"submit -> visible  p50 {statistics.median(latencies):.2f} s, "
            f"p99 {percentile(latencies, 0.99):.2f} s, max {max(latencies):.2f} s"
        )
    print(f"lost {lost}, duplicated {duplicated}")
    return 0 if lost == 0 and duplicated == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
