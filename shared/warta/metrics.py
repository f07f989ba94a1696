"""Prometheus metrics: the web services' requests, the workers' tasks, and the pipeline's state
(queue depths, outbox backlog, failures, age of the newest publish), read when scraped.

gunicorn and celery run several processes: with PROMETHEUS_MULTIPROC_DIR set (the local run
and compose set it), every process writes its samples there and a scrape adds them up."""

from __future__ import annotations

import os
import time
from collections.abc import Iterator
from typing import Any, cast

from celery.signals import (
    task_failure,
    task_postrun,
    task_prerun,
    task_retry,
    task_success,
    worker_ready,
)
from prometheus_client import (
    REGISTRY,
    CollectorRegistry,
    Counter,
    Histogram,
    multiprocess,
    start_http_server,
)
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.registry import Collector
from sqlalchemy import func, select

from warta.settings import Settings, get_settings

MULTIPROCESS_DIR = os.environ.get("PROMETHEUS_MULTIPROC_DIR")
if MULTIPROCESS_DIR:
    os.makedirs(MULTIPROCESS_DIR, exist_ok=True)

HTTP_REQUESTS = Counter(
    "warta_http_requests_total",
    "HTTP requests answered.",
    ["service", "method", "endpoint", "status"],
)
HTTP_DURATION = Histogram(
    "warta_http_request_duration_seconds",
    "Time to answer an HTTP request.",
    ["service", "endpoint"],
    buckets=(0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5),
)
TASKS = Counter(
    "warta_tasks_total",
    "Tasks by outcome: started, succeeded, retried, failed.",
    ["task", "outcome"],
)
# A stage task takes a batch of revisions under load: tasks over revisions shows the batching.
STAGE_REVISIONS = Counter(
    "warta_stage_revisions_total",
    "Revisions that a stage took through (a duplicate delivery finding it done is not counted).",
    ["stage"],
)
TASK_DURATION = Histogram(
    "warta_task_duration_seconds",
    "Time a task ran.",
    ["task"],
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120),
)


def collecting_registry(*extra: Collector) -> CollectorRegistry:
    """The registry to expose: every process's samples, plus `extra` collectors."""
    if MULTIPROCESS_DIR:
        registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(registry)  # type: ignore[no-untyped-call]
    else:
        registry = REGISTRY
    for collector in extra:
        if collector not in getattr(registry, "_collector_to_names", {}):
            registry.register(collector)
    return registry


class PipelineCollector(Collector):
    """The pipeline as a whole, read from Redis and the database at scrape time."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings

    def describe(self) -> list[GaugeMetricFamily]:
        return []  # otherwise registering it would query Redis and the database at once

    def collect(self) -> Iterator[GaugeMetricFamily]:
        from warta.messages import EVERY_QUEUE
        from warta.redis_client import get_redis

        depth = GaugeMetricFamily(
            "warta_queue_depth", "Messages waiting per queue.", labels=["queue"]
        )
        try:
            redis = get_redis(self.settings.redis_url)
            for queue in EVERY_QUEUE:
                depth.add_metric([queue], cast(int, redis.llen(queue)))
        except Exception:  # Redis away: the scrape still answers, without this family
            depth = None  # type: ignore[assignment]
        if depth is not None:
            yield depth
        try:
            yield from self._from_database()
        except Exception:  # the database away: the scrape still answers, without these
            return

    def _from_database(self) -> Iterator[GaugeMetricFamily]:
        from warta.db import session_scope
        from warta.models import Article, Failure
        from warta.outbox import backlog

        with session_scope(self.settings.database_url, writer=False) as session:
            yield GaugeMetricFamily(
                "warta_outbox_backlog",
                "Committed messages not yet sent to Redis.",
                value=backlog(session),
            )
            open_failures = session.scalar(
                select(func.count()).select_from(Failure).where(Failure.replayed_at.is_(None))
            )
            yield GaugeMetricFamily(
                "warta_failures_open", "Failed tasks not replayed.", value=open_failures or 0
            )
            newest = session.scalar(select(func.max(Article.updated_at)))
            if newest is not None:
                yield GaugeMetricFamily(
                    "warta_newest_publish_age_seconds",
                    "Seconds since the last publish.",
                    value=time.time() - newest.timestamp(),
                )


# The workers' side: counted from Celery's signals in whichever process runs the task.
_started: dict[str, float] = {}


@task_prerun.connect
def _task_started(task_id: str = "", task: Any = None, **_: Any) -> None:
    _started[task_id] = time.perf_counter()
    TASKS.labels(task.name, "started").inc()


@task_postrun.connect
def _task_ended(task_id: str = "", task: Any = None, **_: Any) -> None:
    started = _started.pop(task_id, None)
    if started is not None:
        TASK_DURATION.labels(task.name).observe(time.perf_counter() - started)


@task_success.connect
def _task_succeeded(sender: Any = None, **_: Any) -> None:
    TASKS.labels(sender.name, "succeeded").inc()


@task_retry.connect
def _task_retried(sender: Any = None, **_: Any) -> None:
    TASKS.labels(sender.name, "retried").inc()


@task_failure.connect
def _task_failed(sender: Any = None, **_: Any) -> None:
    TASKS.labels(sender.name, "failed").inc()


@worker_ready.connect
def _serve_worker_metrics(**_: Any) -> None:
    port = get_settings().worker_metrics_port
    if port:
        start_http_server(port, registry=collecting_registry())
