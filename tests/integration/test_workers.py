"""Workers renew the messages they hold: a live worker keeps its own however long it holds them,
and a dead worker's come back to their queue within seconds (warta.workers)."""

from __future__ import annotations

import json
import os
import signal
import sys
import time
from pathlib import Path

import psutil
import redis

from tests.conftest import eventually
from warta.celery_app import WORKER_OPTIONS, create_celery
from warta.messages import FLUSH_VIEWS
from warta.processes import Supervisor

HELD = 12


def redelivered(raws: list[bytes]) -> int:
    """How many of the messages (held: [message, exchange, key]; queued: message) went back
    to their queue once already."""
    messages = [json.loads(raw) for raw in raws]
    messages = [m[0] if isinstance(m, list) else m for m in messages]
    return sum(bool(m["headers"].get("redelivered")) for m in messages)


def worker_argv(queue: str) -> list[str]:
    argv = [sys.executable, "-m", "celery", "-A", "warta.celery_app", "worker"]
    argv += ["--queues", queue, "--concurrency", "1", "--loglevel", "WARNING"]
    return [*argv, "--hostname", f"{queue}-test@%h", *WORKER_OPTIONS]


def test_a_live_worker_keeps_its_messages_and_a_dead_ones_come_back(
    redis_url: str, tmp_path: Path
) -> None:
    env = {
        **os.environ,
        "REDIS_URL": redis_url,
        "DATABASE_URL": f"sqlite:///{tmp_path / 'warta.db'}",
        # Three renewals' worth: a stamp renewed a little late (the worker's event loop was
        # busy) is still within it.
        "BROKER_VISIBILITY_TIMEOUT": "3",
    }
    client = redis.Redis.from_url(redis_url)
    supervisor = Supervisor(env=env)
    try:
        holder = supervisor.start("feeds", worker_argv("feeds"))
        app = create_celery(redis_url)
        for _ in range(HELD):
            # Held by the worker until their time: as a retry's countdown holds a message.
            app.send_task(FLUSH_VIEWS, countdown=120)
        eventually(lambda: client.hlen("unacked") == HELD and client.llen("feeds") == 0)

        # Twice the visibility timeout: the worker renews them, none goes back.
        supervisor.start("media", worker_argv("media"))  # a second worker, which looks too
        for _ in range(12):
            time.sleep(0.5)
            assert (client.hlen("unacked"), client.llen("feeds")) == (HELD, 0)
            assert redelivered(client.hvals("unacked")) == 0  # given back, a message says so

        doomed = psutil.Process(holder.pid)
        doomed_all = [doomed, *doomed.children(recursive=True)]
        os.killpg(holder.pid, signal.SIGKILL)
        psutil.wait_procs(doomed_all, timeout=10)
        killed = time.monotonic()
        # The other worker gives them back once their stamps are older than the timeout.
        eventually(lambda: client.llen("feeds") == HELD, timeout=15, interval=0.1)
        assert client.hlen("unacked") == 0
        assert redelivered(client.lrange("feeds", 0, -1)) == HELD
        print(f"back in their queue {time.monotonic() - killed:.1f} s after the kill")
    finally:
        supervisor.stop_all()
