"""Accepted submissions per second through the full ingest path (auth, validation, commit with
its outbox message) beside a bare Flask endpoint that only parses the same JSON.

Both run under gunicorn as the services do (warta.web_server, 2 workers), on loopback,
loaded by wrk (Debian's `wrk`) from a second process. The database is the machine's
PostgreSQL (a fresh database), or SQLite when none answers.

    .venv/bin/python bench/ingest.py [--seconds 15] [--connections 16]
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.request
import uuid
from pathlib import Path

from sqlalchemy import create_engine, func, select, text

from warta.db import session_scope
from warta.embedded_redis import free_port, redis_server_argv
from warta.models import Article
from warta.offices import add_office
from warta.schema import upgrade_database

POSTGRES = os.environ.get(
    "WARTA_TEST_POSTGRES", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
)
BENCH = Path(__file__).resolve().parent
REPORT = {
    "title": "KPU Kabupaten Pasuruan Laksanakan Rapat Koordinasi PDPB Triwulan IV",
    "body": "Pasuruan, kab-pasuruan.kpu.go.id - Rabu (29/12/2021) pukul 09.00 WIB, KPU "
    "Kabupaten Pasuruan menggelar rapat koordinasi pemutakhiran data pemilih berkelanjutan. " * 8,
    "tags": ["pemilih", "pdpb"],
}
WRK_SCRIPT = """
wrk.method = "POST"
wrk.body = {body}
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Authorization"] = "Bearer {key}"
"""


def database_url(tmp: Path) -> tuple[str, str | None]:
    try:
        admin = create_engine(POSTGRES, isolation_level="AUTOCOMMIT")
        name = f"warta_bench_{uuid.uuid4().hex[:8]}"
        with admin.connect() as connection:
            connection.execute(text(f'CREATE DATABASE "{name}"'))
        admin.dispose()
        return POSTGRES.rsplit("/", 1)[0] + "/" + name, name
    except Exception:
        return f"sqlite:///{tmp / 'warta.db'}", None


def gunicorn(
    app: str, port: int, env: dict[str, str], chdir: Path | None = None
) -> subprocess.Popen[bytes]:
    argv = [
        sys.executable,
        "-m",
        "gunicorn",
        app,
        "--bind",
        f"127.0.0.1:{port}",
        "--config",
        "python:warta.web_server",
        "--workers",
        "2",
        "--no-control-socket",
        "--log-level",
        "warning",
    ]
    if chdir:
        argv += ["--chdir", str(chdir)]
    process = subprocess.Popen(argv, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 60
    while True:
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/v1/articles", timeout=2)
        except urllib.error.HTTPError:
            return process  # it answers (405/401): up
        except OSError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.2)
        else:
            return process


def wrk(url: str, key: str, seconds: int, connections: int, tmp: Path) -> dict[str, float]:
    script = tmp / "post.lua"
    script.write_text(WRK_SCRIPT.format(body=json.dumps(json.dumps(REPORT)), key=key))
    out = subprocess.run(
        [
            "wrk",
            "-t",
            "2",
            "-c",
            str(connections),
            "-d",
            f"{seconds}s",
            "--latency",
            "-s",
            str(script),
            url,
        ],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    rate = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))  # type: ignore[union-attr]
    p99 = re.search(r"99%\s+([\d.]+)(us|ms|s)", out)
    assert p99 is not None, out
    scale = {"us": 0.001, "ms": 1.0, "s": 1000.0}[p99.group(2)]
    non_2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    return {
        "rate": rate,
        "p99_ms": float(p99.group(1)) * scale,
        "errors": int(non_2xx.group(1)) if non_2xx else 0,
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seconds", type=int, default=15)
    parser.add_argument("--connections", type=int, default=16)
    args = parser.parse_args()
    if shutil.which("wrk") is None:
        sys.exit("needs wrk: apt-get install wrk")
    tmp = Path(tempfile.mkdtemp(prefix="warta-bench-"))
    url, pg_name = database_url(tmp)
    upgrade_database(url)
    with session_scope(url) as session:
        key = add_office(session, "bench", "KPU Bench")
    redis_port = free_port(0)
    redis = subprocess.Popen(
        redis_server_argv(redis_port, tmp / "redis"), stdout=subprocess.DEVNULL
    )
    env = {
        **os.environ,
        "DATABASE_URL": url,
        "REDIS_URL": f"redis://127.0.0.1:{redis_port}/0",
        "RATE_LIMIT": "100000000/minute",
        "LOG_LEVEL": "WARNING",
    }
    results = {}
    try:
        for name, app, chdir in (
            ("bare Flask, JSON parse only", "ingest_bare:app", BENCH),
            ("full ingest path", "warta_ingest.wsgi:app", None),
        ):
            port = free_port(0)
            server = gunicorn(app, port, env, chdir)
            try:
                wrk(
                    f"http://127.0.0.1:{port}/v1/articles", key, 3, args.connections, tmp
                )  # warm-up
                results[name] = wrk(
                    f"http://127.0.0.1:{port}/v1/articles", key, args.seconds, args.connections, tmp
                )
            finally:
                server.terminate()
                server.wait(30)
        with session_scope(url, writer=False) as session:
            stored = session.scalar(select(func.count()).select_from(Article))
    finally:
        redis.terminate()
        redis.wait(10)
    backend = "PostgreSQL" if pg_name else "SQLite"
    print(
        f"ingest benchmark: {args.seconds}s per run, {args.connections} connections, wrk on "
        f"loopback, gunicorn (warta.web_server) 2 workers, {backend}"
    )
    for name, result in results.items():
        print(
            f"  {name:<30} {result['rate']:8.0f} req/s   p99 {result['p99_ms']:7.1f} ms"
            f"   non-2xx {result['errors']:.0f}"
        )
    ratio = results["full ingest path"]["rate"] / results["bare Flask, JSON parse only"]["rate"]
    print(f"  ratio full/bare: {ratio:.2f}   articles stored: {stored}")
    if pg_name:
        admin = create_engine(POSTGRES, isolation_level="AUTOCOMMIT")
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{pg_name}" WITH (FORCE)'))
        admin.dispose()
    shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
