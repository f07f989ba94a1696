"""Celery's own ceiling on this machine: how many tasks a second one worker drains when the
tasks do nothing.

    .venv/bin/python bench/ceiling.py --messages 20000

Starts a Redis of its own, preloads a queue with N no-op messages, then starts one worker with
Warta's settings (acks late, prefetch 4, prefork, concurrency 2) and times it from its first
task to the empty queue (the worker's start-up is not counted). A pipeline that costs k tasks a
report cannot beat ceiling / k reports a second on the same machine.

It prints the CPU time a no-op task took too (the worker's processes and Redis): where the
drain keeps the cores busy, k such tasks are what a report may cost, its real work included,
to reach ceiling / k."""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import redis
from cpu_shares import CpuShares

from warta.embedded_redis import free_port, redis_server_argv
from warta.local_run import wait_for_redis

QUEUE = "ceiling"
ROOT = Path(__file__).resolve().parent.parent


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--messages", type=int, default=20000)
    parser.add_argument("--concurrency", type=int, default=2)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()

    tmp = Path(tempfile.mkdtemp(prefix="warta-ceiling-"))
    port = free_port(0)
    url = f"redis://127.0.0.1:{port}/0"
    server = subprocess.Popen(redis_server_argv(port, tmp, append_only=True))
    os.environ["REDIS_URL"] = url
    try:
        wait_for_redis(url)
        runs = [drain(url, args.messages, args.concurrency, server.pid) for _ in range(args.runs)]
    finally:
        server.terminate()
        server.wait()
    print(f"no-op tasks      {args.messages} a run, worker --concurrency {args.concurrency}")
    rates = [rate for rate, _ in runs]
    print(f"tasks/s          {', '.join(f'{rate:.0f}' for rate in rates)} (best {max(rates):.0f})")
    for _, cpu in runs:
        print(f"cpu              {cpu}")
    return 0


def drain(url: str, messages: int, concurrency: int, redis_pid: int) -> tuple[float, str]:
    from warta.celery_app import WORKER_OPTIONS, create_celery

    app = create_celery(url)
    with app.producer_or_acquire() as producer:
        for _ in range(messages):
            app.send_task("bench.noop", queue=QUEUE, producer=producer)
    client = redis.Redis.from_url(url)
    assert client.llen(QUEUE) == messages
    env = {**os.environ, "PYTHONPATH": str(ROOT), "LOG_LEVEL": "WARNING"}
    worker = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "warta.celery_app",
            "worker",
            "--include",
            "bench.noop_tasks",
            "--queues",
            QUEUE,
            "--concurrency",
            str(concurrency),
            "--pool",
            "prefork",
            "--loglevel",
            "WARNING",
            *WORKER_OPTIONS,
        ],
        env=env,
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
    )
    shares = CpuShares({"worker": worker.pid, "redis": redis_pid})
    try:
        # Timed from the first message taken to the last one acknowledged.
        while client.llen(QUEUE) == messages:
            time.sleep(0.005)
        started = time.monotonic()
        shares.start()
        while client.llen(QUEUE) or client.hlen("unacked"):
            time.sleep(0.005)
        rate = (messages - 1) / (time.monotonic() - started)
        return rate, shares.report(messages - 1, unit="task")
    finally:
        worker.terminate()
        worker.wait(30)


if __name__ == "__main__":
    sys.exit(main())
