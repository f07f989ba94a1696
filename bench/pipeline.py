"""Push reports through the whole running system and measure submit -> feed.

    .venv/bin/python bench/pipeline.py --reports 5000 --workers-per-stage 1 2 --postgres
    .venv/bin/python bench/pipeline.py --rate 50 --duration 60 --workers-per-stage 2 --postgres

Starts its own Redis and database (SQLite in a temporary folder, or a fresh PostgreSQL
database with --postgres), the ingest and feed services, the relay and the workers (one worker
on every queue, as `warta up`, or N workers per queue). Submits the reports over HTTP, as a
burst from several threads or at a fixed rate, while watching the article sitemaps (rebuilt with
the feeds, and listing every live article where a feed lists only the newest) until every
report is there. Prints accepted submissions/s, reports/s published, the p50/p99 time from
submit to the sitemap, and the reports lost (never listed) or duplicated (listed twice, or a
second article or revision in the database). Then Celery's own ceiling, measured in the same
run by bench/ceiling.py unless --ceiling gives it: the most Celery allows is the ceiling over
the tasks a report costs."""

from __future__ import annotations

import argparse
import collections
import concurrent.futures
import http.client
import itertools
import json
import os
import re
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
import uuid
from datetime import UTC, datetime
from pathlib import Path

import requests
from cpu_shares import CpuShares
from sqlalchemy import create_engine, func, select, text
from sqlalchemy.engine import make_url

from warta.db import session_scope
from warta.embedded_redis import free_port, redis_server_argv
from warta.local_run import WorkerSpec, start_services, wait_for_http, wait_for_redis
from warta.messages import EVERY_QUEUE, QUEUES, worker_queues
from warta.models import Article, Revision
from warta.offices import add_office
from warta.pipeline import STAGE_OF_TASK
from warta.processes import Supervisor
from warta.schema import upgrade_database
from warta.settings import Settings

POSTGRES_ADMIN = "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
BODY = (Path(__file__).with_name("report.txt")).read_text(encoding="utf-8")


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


# The tasks each report costs on its own, one message per report and stage; a debounced
# rebuild (and the listing render it asks for) is shared by every report published within its
# second. Batched messages cost fewer: each run counts the tasks its workers ran.
TASKS_PER_REPORT = 3  # enrich, render, publish


def tasks_run(metrics_dir: Path) -> dict[str, float]:
    """Tasks that succeeded, by name, summed over every worker's Prometheus samples."""
    from prometheus_client import CollectorRegistry
    from prometheus_client.multiprocess import MultiProcessCollector

    counts: dict[str, float] = {}
    for folder in metrics_dir.iterdir():
        if folder.name in ("ingest", "feed", "relay"):
            continue
        registry = CollectorRegistry()
        MultiProcessCollector(registry, path=str(folder))  # type: ignore[no-untyped-call]
        for family in registry.collect():
            for sample in family.samples:
                if sample.name == "warta_tasks_total" and sample.labels["outcome"] == "succeeded":
                    task = sample.labels["task"]
                    counts[task] = counts.get(task, 0.0) + sample.value
    return counts


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reports", type=int, default=1000, help="the burst's size")
    parser.add_argument("--rate", type=float, default=0, help="reports/s instead of a burst")
    parser.add_argument("--duration", type=float, default=60, help="seconds at --rate")
    parser.add_argument("--clients", type=int, default=8, help="submitting threads")
    parser.add_argument(
        "--workers-per-stage",
        type=int,
        nargs="+",
        default=[0],
        help="0: one worker on every queue (as `warta up`); N: N per queue; several: one run each",
    )
    parser.add_argument("--concurrency", type=int, default=2, help="processes per worker")
    parser.add_argument("--postgres", action="store_true", help="PostgreSQL instead of SQLite")
    parser.add_argument(
        "--ceiling",
        type=float,
        help="no-op tasks/s (default: measured in this run by bench/ceiling.py; 0: skip)",
    )
    parser.add_argument(
        "--warmup",
        type=int,
        default=20,
        help="reports sent, and waited for, before the measured ones (a fresh system's first "
        "rebuild writes every document; 0: measure from cold)",
    )
    parser.add_argument("--timeout", type=float, default=900)
    parser.add_argument(
        "--latencies", type=Path, help="write 'seconds after start, submit -> sitemap' lines here"
    )
    args = parser.parse_args()
    print(f"load average before: {os.getloadavg()[0]:.1f}")
    rates, tasks = [], []
    failed = False
    for workers in args.workers_per_stage:
        rate, ok, per_report = measure(args, workers)
        rates.append(rate)
        tasks.append(per_report)
        failed |= not ok
    if len(rates) == 2 and rates[0]:
        print(f"scaling            x{rates[1] / rates[0]:.2f} from {args.workers_per_stage}")
    if args.ceiling is None:
        args.ceiling = measure_ceiling(args.concurrency)
    if args.ceiling:
        best = rates.index(max(rates))
        for label, per_report in (
            (f"{TASKS_PER_REPORT} tasks a report, one per stage", TASKS_PER_REPORT),
            (f"{tasks[best]:.2f} tasks a report, as run", tasks[best]),
        ):
            print(
                f"ceiling            {args.ceiling / per_report:.0f} reports/s "
                f"({args.ceiling:.0f} no-op tasks/s / {label}); "
                f"reached {rates[best] * per_report / args.ceiling:.2f} of it (aim 0.8)"
            )
    print(f"load average after: {os.getloadavg()[0]:.1f}")
    return 1 if failed else 0


def measure_ceiling(concurrency: int) -> float:
    """Celery's no-op ceiling with the same worker settings, on the machine as it is now."""
    script = str(Path(__file__).with_name("ceiling.py"))
    out = subprocess.run(
        [sys.executable, script, "--messages=3000", "--runs=2", f"--concurrency={concurrency}"],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    best = re.search(r"\(best (\d+)\)", out)
    assert best is not None, out
    return float(best.group(1))


def measure(args: argparse.Namespace, workers_per_stage: int) -> tuple[float, bool, float]:
    """One run: reports/s published, whether none was lost or duplicated, tasks a report."""
    tmp = Path(tempfile.mkdtemp(prefix="warta-bench-"))
    name = f"warta_bench_{uuid.uuid4().hex[:8]}"
    if args.postgres:
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
        "RATE_LIMIT": "1000000/minute",  # one office sends everything here
    }
    settings = Settings.from_env(env)
    supervisor = Supervisor(env=env)
    try:
        supervisor.start("redis", redis_server_argv(redis_port, tmp / "redis", append_only=True))
        wait_for_redis(settings.redis_url)
        upgrade_database(database_url)
        if workers_per_stage:
            workers = [
                WorkerSpec(f"{queue}{n}", worker_queues(queue), args.concurrency)
                for queue in QUEUES
                for n in range(workers_per_stage)
            ]
        else:
            workers = [WorkerSpec("worker", ",".join(EVERY_QUEUE), args.concurrency)]
        start_services(supervisor, settings, workers, tmp / "metrics")
        ingest = f"http://127.0.0.1:{ingest_port}"
        wait_for_http(f"{ingest}/readyz")
        wait_for_http(f"http://127.0.0.1:{feed_port}/healthz")
        with session_scope(database_url) as session:
            key = add_office(session, "bench", "KPU Bench")
        label = f"{workers_per_stage} per queue" if workers_per_stage else "one for all queues"
        cpu = CpuShares({name: process.pid for name, process in supervisor.running.items()})
        feed = f"http://127.0.0.1:{feed_port}"
        rate, ok = run(args, ingest, feed, key, database_url, label, cpu)
        reports = int(args.rate * args.duration) if args.rate else args.reports
        counts = tasks_run(tmp / "metrics")
        stage_tasks = sum(counts.get(task, 0.0) for task in STAGE_OF_TASK)
        print(
            f"tasks              {sum(counts.values()) / reports:.2f} a report "
            f"({stage_tasks / reports:.2f} stage tasks; "
            + ", ".join(f"{name.removeprefix('warta.')} {n:.0f}" for name, n in counts.items())
            + ")"
        )
        return rate, ok, sum(counts.values()) / reports
    finally:
        supervisor.stop_all()
        if args.postgres:
            from warta.db import get_engine

            get_engine(database_url).dispose()
            get_engine(database_url, writer=False).dispose()
            admin = create_engine(POSTGRES_ADMIN, isolation_level="AUTOCOMMIT")
            with admin.connect() as connection:
                connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


class SitemapWatch:
    """Polls the sitemaps from a thread as a search engine reads them: the index, then each
    article sitemap it lists, conditionally (only a changed one is read again). Records when
    each article first appeared, and the most times any one article was listed at once."""

    def __init__(self, feed: str) -> None:
        self.index_url = f"{feed}/sitemap.xml"
        self.seen: dict[int, float] = {}
        self.most_listed = 0
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self._poll, daemon=True)
        self.thread.start()

    def _poll(self) -> None:
        session = requests.Session()
        etags: dict[str, str] = {}
        listed: dict[str, collections.Counter[int]] = {}  # per sitemap: article id -> times
        sitemaps: list[str] = []
        while not self.stop.is_set():
            index = self._get(session, self.index_url, etags)
            if index is not None:
                sitemaps = re.findall(r"<loc>([^<]*/sitemaps/articles-\d+\.xml)</loc>", index)
            for url in sitemaps:
                body = self._get(session, url, etags)
                if body is None:
                    continue
                now = time.monotonic()
                listed[url] = collections.Counter(
                    int(match) for match in re.findall(r"/berita/(\d+)-", body)
                )
                for article_id in listed[url]:
                    self.seen.setdefault(article_id, now)
            everywhere: collections.Counter[int] = sum(listed.values(), collections.Counter())
            self.most_listed = max(self.most_listed, *everywhere.values(), 0)
            self.stop.wait(0.1)

    @staticmethod
    def _get(session: requests.Session, url: str, etags: dict[str, str]) -> str | None:
        """The document if it changed since the last read (None on 304, or not there yet)."""
        headers = {"If-None-Match": etags[url]} if url in etags else {}
        response = session.get(url, headers=headers, timeout=30)
        if response.status_code != 200:
            return None
        etags[url] = response.headers["ETag"]
        return response.text


def _seconds(moment: datetime) -> float:
    """A database time (UTC, stored without its zone) as seconds since the epoch."""
    return moment.replace(tzinfo=moment.tzinfo or UTC).timestamp()


class Submitter:
    """Posts reports over a keep-alive connection per thread with http.client: requests spent
    1.8 ms of CPU a POST here against 0.35 ms, which the benchmark took from the system it
    measures on the same cores."""

    def __init__(self, ingest: str, key: str) -> None:
        url = urllib.parse.urlsplit(ingest)
        self.host, self.port = url.hostname or "127.0.0.1", url.port
        self.headers = {"Authorization": f"Bearer {key}", "Content-Type": "application/json"}
        self.local = threading.local()

    def submit(self, report: dict[str, str]) -> int:
        """The article's id. A connection the server closed while idle is opened again and the
        report sent again (with its external_id, a second arrival is the same article)."""
        body = json.dumps(report)
        for attempt in (1, 2):
            if getattr(self.local, "connection", None) is None:
                self.local.connection = http.client.HTTPConnection(self.host, self.port, timeout=30)
            try:
                self.local.connection.request("POST", "/v1/articles", body, self.headers)
                response = self.local.connection.getresponse()
                answer = response.read()
            except (http.client.RemoteDisconnected, ConnectionError):
                self.local.connection.close()
                self.local.connection = None
                if attempt == 2:
                    raise
                continue
            if response.status not in (200, 202):
                raise RuntimeError(f"ingest answered {response.status}: {answer[:300]!r}")
            article_id: int = json.loads(answer)["id"]
            return article_id
        raise AssertionError("unreachable")


def run(
    args: argparse.Namespace,
    ingest: str,
    feed: str,
    key: str,
    database_url: str,
    label: str,
    cpu: CpuShares,
) -> tuple[float, bool]:
    submitter = Submitter(ingest, key)
    reports = int(args.rate * args.duration) if args.rate else args.reports
    submitted: dict[int, float] = {}
    clock_offset = time.time() - time.monotonic()  # database times are wall-clock UTC

    def submit(n: int) -> tuple[int, float]:
        if args.rate:  # open loop: each report leaves at its time, whatever the others do
            time.sleep(max(0.0, began + n / args.rate - time.monotonic()))
        started = time.monotonic()
        article_id = submitter.submit(
            {
                "title": f"Rapat Koordinasi Pemutakhiran Data Pemilih ke-{n}",
                "body": BODY,
                "external_id": f"bench-{n}",
            }
        )
        return article_id, started

    watch = SitemapWatch(feed)
    if args.warmup:
        warm = {
            submitter.submit(
                {"title": f"Pemanasan ke-{n}", "body": BODY, "external_id": f"warm-{n}"}
            )
            for n in range(args.warmup)
        }
        deadline = time.monotonic() + 120
        while not warm <= set(watch.seen) and time.monotonic() < deadline:
            time.sleep(0.1)
        time.sleep(2)  # the listing pages and the rebuild that follow them
    clients = max(args.clients, 32) if args.rate else args.clients
    began = time.monotonic()
    cpu.start()
    with concurrent.futures.ThreadPoolExecutor(clients) as pool:
        for article_id, started in pool.map(submit, range(reports)):
            submitted[article_id] = started
    accept_seconds = time.monotonic() - began

    deadline = time.monotonic() + args.timeout
    while len(set(submitted) & set(watch.seen)) < len(submitted) and time.monotonic() < deadline:
        time.sleep(0.1)
    watch.stop.set()
    watch.thread.join()
    cpu_used = cpu.report(len(submitted))
    last_seen = max(watch.seen.values(), default=began)
    drained = last_seen - began

    latencies = [watch.seen[i] - submitted[i] for i in submitted if i in watch.seen]
    if args.latencies:
        lines = sorted(
            f"{submitted[i] - began:.2f} {watch.seen[i] - submitted[i]:.2f}"
            for i in submitted
            if i in watch.seen
        )
        args.latencies.write_text("\n".join(lines) + "\n")
    with session_scope(database_url, writer=False) as db:
        articles = db.scalar(select(func.count()).select_from(Article)) or 0
        revisions = db.scalar(select(func.count()).select_from(Revision)) or 0
        stored_and_live = {
            article_id: (_seconds(stored) - clock_offset, _seconds(live) - clock_offset)
            for article_id, stored, live in db.execute(
                select(Article.id, Article.created_at, Article.changed_at).where(
                    Article.id.in_(list(watch.seen)), Article.changed_at.is_not(None)
                )
            )
        }
    lost = len(submitted) - len(latencies)
    duplicated = (articles - args.warmup - len(submitted)) + (revisions - articles)
    duplicated += max(0, watch.most_listed - 1)
    mode = f"at {args.rate:g}/s for {args.duration:g} s" if args.rate else "burst"
    print(f"reports            {reports} ({mode}; workers: {label} x{args.concurrency})")
    print(
        f"accepted           {reports / accept_seconds:.0f} submissions/s "
        f"({accept_seconds:.1f} s, {clients} clients)"
    )
    throughput = len(latencies) / drained if drained else 0.0
    print(f"end to end         {throughput:.1f} reports/s published ({drained:.1f} s for all)")
    if latencies:
        print(
            f"submit -> sitemap  p50 {statistics.median(latencies):.2f} s, "
            f"p99 {percentile(latencies, 0.99):.2f} s, max {max(latencies):.2f} s"
        )
    # Where the time went: the request, the stages to going live, the rebuild to the sitemap.
    legs: list[list[float]] = [[], [], []]
    for article_id, (stored, live) in stored_and_live.items():
        if article_id in submitted:
            marks = (submitted[article_id], stored, live, watch.seen[article_id])
            for leg, (start, end) in zip(legs, itertools.pairwise(marks), strict=True):
                leg.append(end - start)
    if legs[0]:
        print(
            "  of which         "
            + ", ".join(
                f"{name} p50 {statistics.median(leg):.2f} p99 {percentile(leg, 0.99):.2f} s"
                for name, leg in zip(("submit", "stages", "rebuild"), legs, strict=True)
            )
        )
    print(f"cpu                {cpu_used}")
    print(f"lost {lost}, duplicated {duplicated}")
    return throughput, lost == 0 and duplicated == 0


if __name__ == "__main__":
    sys.exit(main())
