"""The edge beside what it stands in front of, on the same feed bytes, and idle connections.

    .venv/bin/python bench/edge.py [--seconds 10] [--rounds 2] [--idle 200] [--hold 30]

1. Requests per second for /feed.rss (the plain 174 KB document), 200 and 304 (If-None-Match),
   loaded by wrk (2 threads, 16 connections) from the same machine, run back to back:
   nginx serving the bytes as a static file, the feed service directly (gunicorn with
   warta.web_server, 2 workers, as `warta up` runs it), and the feed service behind the edge
   (services/edge's configuration, with the same nginx). Aim: the edge at least 0.8 of
   static for both.
2. With `--idle` connections that send nothing held open for `--hold` seconds, the latency
   of a normal request (GET /healthz, /feed.json or /openapi.json, a new connection each,
   twice a second) to each service directly, as in `make run`, and through the edge.

Needs wrk and nginx (`make wrk nginx`). SQLite and an embedded Redis, as `make run`.
"""

from __future__ import annotations

import argparse
import http.client
import os
import re
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from contextlib import ExitStack
from pathlib import Path

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
sys.path.insert(0, str(ROOT))  # tests/edge.py runs the edge as the tests do
sys.path.insert(0, str(BENCH))

STATIC = """server {{
    listen 127.0.0.1:{port};
    root {folder};
    default_type application/rss+xml;
    location = /feed.rss {{
        add_header Cache-Control "public, max-age=60";
    }}
}}
"""


def wrk(url: str, headers: dict[str, str], seconds: int) -> float:
    argv = ["wrk", "-t", "2", "-c", "16", "-d", f"{seconds}s"]
    for name, value in headers.items():
        argv += ["-H", f"{name}: {value}"]
    out = subprocess.run([*argv, url], capture_output=True, text=True, check=True).stdout
    if "Non-2xx or 3xx" in out:
        raise RuntimeError(out)
    rate = re.search(r"Requests/sec:\s+([\d.]+)", out)
    assert rate is not None, out
    return float(rate.group(1))


def head(port: int, path: str) -> tuple[int, http.client.HTTPMessage]:
    """GET path (a new connection); the status and the headers."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    connection.request("GET", path, headers={"Accept-Encoding": "identity"})
    response = connection.getresponse()
    response.read()
    connection.close()
    return response.status, response.headers


def wait_for(port: int, path: str) -> None:
    deadline = time.monotonic() + 60
    while True:
        try:
            if head(port, path)[0] == 200:
                return
        except OSError:
            pass
        if time.monotonic() > deadline:
            raise RuntimeError(f"nothing answers 127.0.0.1:{port}{path}")
        time.sleep(0.2)


def idle_latency(port: int, paths: list[str], idle: int, hold: float) -> dict[str, float]:
    """Latencies (ms) of normal requests while `idle` connections that send nothing are held."""
    latencies: list[float] = []
    failures = 0
    with ExitStack() as held:
        for _ in range(idle):
            held.enter_context(socket.create_connection(("127.0.0.1", port)))
        end = time.monotonic() + hold
        while time.monotonic() < end:
            for path in paths:
                started = time.perf_counter()
                try:
                    status, _ = head(port, path)
                except OSError:
                    status = 0
                if status == 200:
                    latencies.append((time.perf_counter() - started) * 1000)
                else:
                    failures += 1
            time.sleep(0.5)
    return {
        "requests": len(latencies) + failures,
        "failed": failures,
        "p50": statistics.median(latencies) if latencies else float("nan"),
        "max": max(latencies) if latencies else float("nan"),
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seconds", type=int, default=10)
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--idle", type=int, default=200)
    parser.add_argument("--hold", type=float, default=30)
    args = parser.parse_args()
    for tool in ("wrk", "nginx"):
        if shutil.which(tool) is None:
            sys.exit(f"needs {tool}: make wrk nginx")
    import feeds as feeds_bench  # bench/feeds.py: the seeding and rebuild it times

    folder = Path(tempfile.mkdtemp(prefix="warta-bench-edge-"))
    folder.chmod(0o755)
    redis_process, redis_url = feeds_bench.start_redis(folder / "redis")
    database_url = f"sqlite:///{folder / 'warta.db'}"
    os.environ.update(
        DATABASE_URL=database_url, REDIS_URL=redis_url, IMAGE_PROBE="guess", LOG_LEVEL="WARNING"
    )
    from tests.edge import Edge
    from warta.db import session_scope
    from warta.documents import find_document
    from warta.embedded_redis import free_port
    from warta.local_run import web_server_argv
    from warta.schema import upgrade_database
    from warta.settings import Settings

    upgrade_database(database_url)
    feeds_bench.seed(database_url, offices=5, tags=20, articles=200)
    feeds_bench.rebuild(Settings.from_env(), full=True)
    with session_scope(database_url, writer=False) as session:
        document = find_document(session, "feed.rss")
        assert document is not None
        body, etag = document.body, document.etag
    static = folder / "static"
    static.mkdir(mode=0o755)
    (static / "feed.rss").write_bytes(body)
    (static / "feed.rss").chmod(0o644)

    processes: list[subprocess.Popen[bytes]] = [redis_process]
    edge: Edge | None = None
    ports = {"ingest": free_port(0), "feed": free_port(0), "static": free_port(0)}
    try:
        for name in ("ingest", "feed"):
            argv = web_server_argv(f"warta_{name}.wsgi:app", f"127.0.0.1:{ports[name]}")
            processes.append(subprocess.Popen([*argv, "--log-level", "warning"]))
            wait_for(ports[name], "/healthz")
        edge = Edge(
            f"127.0.0.1:{ports['ingest']}",
            f"127.0.0.1:{ports['feed']}",
            extra_config=STATIC.format(port=ports["static"], folder=static),
        )
        edge.start()
        wait_for(edge.port, "/feed.rss")
        static_etag = head(ports["static"], "/feed.rss")[1]["ETag"]
        targets = {
            "nginx, static file": (ports["static"], static_etag),
            "feed service directly": (ports["feed"], etag),
            "feed service behind the edge": (edge.port, etag),
        }
        identity = {"Accept-Encoding": "identity"}
        rates: dict[tuple[str, str], list[float]] = {}
        for port, _ in targets.values():  # warm-up: the edge's cache, the processes
            wrk(f"http://127.0.0.1:{port}/feed.rss", identity, 2)
        for _ in range(args.rounds):
            for name, (port, tag) in targets.items():
                conditional = {**identity, "If-None-Match": tag}
                for kind, headers in (("200", identity), ("304", conditional)):
                    rate = wrk(f"http://127.0.0.1:{port}/feed.rss", headers, args.seconds)
                    rates.setdefault((name, kind), []).append(rate)
        print(
            f"/feed.rss, {len(body):,} bytes, wrk -t2 -c16 -d{args.seconds}s, {args.rounds} "
            "rounds back to back (req/s, best of the rounds; every round in brackets)"
        )
        for kind in ("200", "304"):
            best_static = max(rates[("nginx, static file", kind)])
            for name in targets:
                runs = rates[(name, kind)]
                every = ", ".join(f"{r:,.0f}" for r in runs)
                share = max(runs) / best_static
                print(f"  {kind}  {name:<30} {max(runs):9,.0f}  ({every})  {share:.2f} of static")

        print(
            f"\n{args.idle} idle connections held {args.hold:g} s; a normal request twice a "
            "second (ms: median, worst)"
        )
        for name, port, paths in (
            ("feed directly (make run)", ports["feed"], ["/healthz", "/feed.json"]),
            ("ingest directly (make run)", ports["ingest"], ["/healthz", "/openapi.json"]),
            ("feed behind the edge", edge.port, ["/healthz", "/feed.json"]),
            ("ingest behind the edge", edge.port, ["/openapi.json"]),
        ):
            result = idle_latency(port, paths, args.idle, args.hold)
            print(
                f"  {name:<28} {result['p50']:6.1f} {result['max']:7.1f}   "
                f"{result['requests']:.0f} requests, {result['failed']:.0f} failed"
            )
    finally:
        if edge is not None:
            edge.stop()
        for process in reversed(processes):
            process.terminate()
            process.wait(30)
        shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    main()
