"""The one Celery app. Workers: `celery -A warta.celery_app worker -Q <queue>`."""

from __future__ import annotations

from typing import Any

from celery import Celery
from celery.signals import setup_logging
from kombu.entity import Queue

from warta import metrics, request_ids  # noqa: F401 (their signal handlers count and trace tasks)
from warta.logs import configure_logging
from warta.messages import EVERY_QUEUE, ROUTES, TASK_MODULES
from warta.settings import get_settings
from warta.workers import HeldMessages


@setup_logging.connect
def _configure_worker_logging(**_: Any) -> None:
    # Connected, this replaces Celery's own logging set-up: JSON lines with request ids.
    configure_logging(get_settings())


def create_celery(redis_url: str) -> Celery:
    visibility_timeout = get_settings().broker_visibility_timeout
    app = Celery("warta", include=list(TASK_MODULES))
    app.conf.update(
        broker_url=redis_url,
        broker_connection_retry_on_startup=True,
        # The messages of a worker that died (kill -9, OOM, lost machine) stay unacknowledged
        # in Redis until their stamp is older than the visibility timeout, then go back to
        # their queue. Live workers renew the stamps of theirs every second (warta.workers),
        # and every worker looks for expired ones every second: a dead worker's messages come
        # back within a few seconds, however long a task runs.
        broker_transport_options={
            "visibility_timeout": visibility_timeout,
            # The look holds a lock in Redis; a worker killed while holding it would stall
            # every look for kombu's default five minutes.
            "unacked_mutex_expire": 10,
        },
        worker_consumer="warta.workers:WartaConsumer",
        # Once the broker is lost, the tasks in hand cannot be acknowledged on the new
        # connection: they are stopped and their messages come back (tasks are safe to run
        # twice). Said outright, Celery no longer warns of it at every Redis restart.
        worker_cancel_long_running_tasks_on_connection_loss=True,
        task_serializer="json",
        accept_content=["json"],
        task_ignore_result=True,
        task_queues=[Queue(name) for name in EVERY_QUEUE],
        task_routes={name: {"queue": queue} for name, queue in ROUTES.items()},
        # Ack after the work is done, and give the message back if the worker dies mid-task:
        # with idempotent tasks, at-least-once delivery is exactly-once in effect.
        task_acks_late=True,
        task_reject_on_worker_lost=True,
        task_time_limit=120,
        task_soft_time_limit=100,
        worker_prefetch_multiplier=4,
        worker_hijack_root_logger=False,
        task_publish_retry_policy={"max_retries": 3, "interval_start": 0.2, "interval_step": 0.5},
    )
    app.steps["consumer"].add(HeldMessages)
    return app


app = create_celery(get_settings().redis_url)

# Every worker starts with these (the local run, docker compose, the tests and benchmarks).
# Mingle (revoked-task sync at start) and gossip (worker events) serve nothing here, and mingle
# runs on every reconnect: after a Redis restart it broke the worker down (kombu KeyError).
WORKER_OPTIONS = ("--without-mingle", "--without-gossip")
