"""Which server the web services run on: the candidates side by side on the feed service.

    .venv/bin/python bench/web_servers.py [--seconds 10] [--idle 200] [--hold 30]

For each candidate that is installed, run back to back on the same 174 KB /feed.rss: wrk
(2 threads, 16 connections) for 200 and 304 answers, then the latency of a normal request
(GET /healthz and /feed.json, twice a second) while `--idle` connections that send nothing
are held open for `--hold` seconds, and again while as many hold half a request.

  gthread   gunicorn's threaded worker, 2 workers x 4 threads (what ran before 2026-12-04)
  gevent    gunicorn with warta.web_server (gevent worker, 2 workers): what runs now
  waitress  waitress, 8 threads in one process (not a dependency: pip install waitress)
  granian   granian's WSGI interface, 2 workers x 4 threads (pip install granian)
"""

from __future__ import annotations

import argparse
import importlib.util
import os
import shutil
import socket
import subprocess
import sys
import tempfile
from contextlib import ExitStack
from pathlib import Path

BENCH = Path(__file__).resolve().parent
sys.path.insert(0, str(BENCH))

PYTHON = sys.executable
# name: (the module it needs, its arguments to python)
CANDIDATES = {
    "gthread": (
        "gunicorn",
        "-m gunicorn warta_feed.wsgi:app --bind 127.0.0.1:{port} --workers 2 --threads 4 "
        "--no-control-socket",
    ),
    "gevent": (
        "gevent",
        "-m gunicorn --config python:warta.web_server warta_feed.wsgi:app "
        "--bind 127.0.0.1:{port} --workers 2 --no-control-socket",
    ),
    "waitress": (
        "waitress",
        "-m waitress --listen 127.0.0.1:{port} --threads 8 --connection-limit 1000 "
        "warta_feed.wsgi:app",
    ),
    "granian": (
        "granian",
        "-m granian --interface wsgi --workers 2 --blocking-threads 4 --host 127.0.0.1 "
        "--port {port} warta_feed.wsgi:app",
    ),
}


def half_sent_latency(port: int, count: int, hold: float) -> dict[str, float]:
    """As edge.idle_latency, with connections that sent half a request line and headers."""
    from edge import idle_latency

    with ExitStack() as held:
        for _ in range(count):
            connection = held.enter_context(socket.create_connection(("127.0.0.1", port)))
            connection.sendall(b"GET /feed.rss HTTP/1.1\r\nHost: x\r\nUser-Agent: slow")
        latencies: dict[str, float] = idle_latency(port, ["/healthz", "/feed.json"], 0, hold)
        return latencies


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seconds", type=int, default=10)
    parser.add_argument("--idle", type=int, default=200)
    parser.add_argument("--hold", type=float, default=30)
    args = parser.parse_args()
    if shutil.which("wrk") is None:
        sys.exit("needs wrk: make wrk")
    import feeds as feeds_bench
    from edge import head, idle_latency, wait_for, wrk

    folder = Path(tempfile.mkdtemp(prefix="warta-bench-servers-"))
    redis_process, redis_url = feeds_bench.start_redis(folder / "redis")
    database_url = f"sqlite:///{folder / 'warta.db'}"
    os.environ.update(
        DATABASE_URL=database_url, REDIS_URL=redis_url, IMAGE_PROBE="guess", LOG_LEVEL="WARNING"
    )
    from warta.embedded_redis import free_port
    from warta.schema import upgrade_database
    from warta.settings import Settings

    upgrade_database(database_url)
    feeds_bench.seed(database_url, offices=5, tags=20, articles=200)
    feeds_bench.rebuild(Settings.from_env(), full=True)
    identity = {"Accept-Encoding": "identity"}
    print(
        f"/feed.rss; wrk -t2 -c16 -d{args.seconds}s (req/s); {args.idle} connections held "
        f"{args.hold:g} s, normal requests twice a second (ms: median, worst; failed)"
    )
    try:
        for name, (module, arguments) in CANDIDATES.items():
            if importlib.util.find_spec(module) is None:
                print(f"  {name:<9} not installed")
                continue
            port = free_port(0)
            server = subprocess.Popen(
                [PYTHON, *arguments.format(port=port).split()],
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
            )
            try:
                wait_for(port, "/feed.rss")
                url = f"http://127.0.0.1:{port}/feed.rss"
                etag = head(port, "/feed.rss")[1]["ETag"]
                wrk(url, identity, 2)
                ok = wrk(url, identity, args.seconds)
                unchanged = wrk(url, {**identity, "If-None-Match": etag}, args.seconds)
                idle = idle_latency(port, ["/healthz", "/feed.json"], args.idle, args.hold)
                half = half_sent_latency(port, args.idle, args.hold)
                print(
                    f"  {name:<9} 200 {ok:8,.0f}  304 {unchanged:8,.0f}   idle "
                    f"{idle['p50']:5.1f} {idle['max']:8.1f} ({idle['failed']:.0f} failed of "
                    f"{idle['requests']:.0f})   half-sent {half['p50']:5.1f} {half['max']:8.1f} "
                    f"({half['failed']:.0f} failed)",
                    flush=True,
                )
            finally:
                server.terminate()
                server.wait(30)
    finally:
        redis_process.terminate()
        redis_process.wait(10)
        shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    main()
