"""`warta up`: the whole system on one machine, on embedded defaults (SQLite, a bundled Redis)."""

from __future__ import annotations

import json
import os
import shutil
import signal
import sys
import time
import urllib.request
from dataclasses import dataclass
from pathlib import Path

import click

from warta import demo
from warta.celery_app import WORKER_OPTIONS
from warta.db import session_scope
from warta.embedded_redis import free_port, redis_server_argv
from warta.messages import EVERY_QUEUE
from warta.models import User
from warta.offices import add_key, add_office, find_office
from warta.processes import Supervisor
from warta.schema import upgrade_database
from warta.settings import Settings

# Where the local run's worker serves its metrics (the web services serve theirs on /metrics).
WORKER_METRICS_PORT = 9101


def run_locally(var_dir: Path, load_demo: bool = True, worker_concurrency: int = 2) -> int:
    env = dict(os.environ)
    env.setdefault("DATABASE_URL", f"sqlite:///{(var_dir / 'warta.db').resolve()}")
    env.setdefault("MEDIA_DIR", str((var_dir / "media").resolve()))
    env.setdefault("LOG_FORMAT", "text")  # a terminal, not a log collector
    # The local desk is plain HTTP on 127.0.0.1: a Secure cookie would never come back.
    env.setdefault("DESK_SECURE_COOKIES", "0")
    supervisor = Supervisor(env=env)
    stopping = False

    def stop(*_: object) -> None:
        nonlocal stopping
        stopping = True

    signal.signal(signal.SIGINT, stop)
    signal.signal(signal.SIGTERM, stop)
    try:
        if "REDIS_URL" not in os.environ:
            port = free_port()
            supervisor.start(
                "redis", redis_server_argv(port, var_dir / "redis"), infrastructure=True
            )
            env["REDIS_URL"] = f"redis://127.0.0.1:{port}/0"
            wait_for_redis(env["REDIS_URL"])
        settings = Settings.from_env(env)
        # A second terminal's `warta status` and `warta failed` read this to find this run.
        write_run_state(var_dir, env)
        upgrade_database(settings.database_url)
        worker = WorkerSpec(
            "worker", ",".join(EVERY_QUEUE), worker_concurrency, WORKER_METRICS_PORT
        )
        start_services(supervisor, settings, [worker], metrics_dir=var_dir / "metrics")
        ingest_url = f"http://127.0.0.1:{settings.ingest_port}"
        wait_for_http(f"{ingest_url}/readyz")
        wait_for_http(f"http://127.0.0.1:{settings.feed_port}/healthz")
        key = _demo_key(settings)
        desk_login = _demo_user(settings)
        if load_demo:
            for report in demo.sample_reports():
                answer = demo.submit(ingest_url, key, report)
                click.echo(f"demo: submitted {report['external_id']} as article {answer['id']}")
        _print_where_to_look(settings, key, desk_login, var_dir)
        while not stopping:
            dead = supervisor.exited()
            if dead:
                click.echo(f"{dead[0]} exited with status {dead[1]}; stopping everything", err=True)
                return 1
            time.sleep(0.5)
        return 0
    finally:
        click.echo("stopping…")
        supervisor.stop_all()
        (var_dir / RUN_STATE).unlink(missing_ok=True)


RUN_STATE = "run.json"
# What the operator's tools need to find the local run's parts.
RUN_SETTINGS = ("REDIS_URL", "DATABASE_URL", "INGEST_PORT", "FEED_PORT", "PUBLIC_BASE_URL")


def write_run_state(var_dir: Path, env: dict[str, str]) -> None:
    state = {"pid": os.getpid(), "env": {name: env[name] for name in RUN_SETTINGS if name in env}}
    var_dir.mkdir(parents=True, exist_ok=True)
    (var_dir / RUN_STATE).write_text(json.dumps(state, indent=2) + "\n")


def find_local_run(var_dir: Path) -> tuple[int, dict[str, str]] | None:
    """The pid and settings of the `warta up` running from `var_dir`, if one is."""
    try:
        state = json.loads((var_dir / RUN_STATE).read_text())
        pid, env = int(state["pid"]), dict(state["env"])
    except (OSError, ValueError, KeyError, TypeError):
        return None
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return None  # a run that was killed without cleaning up
    except PermissionError:
        pass  # alive, another user's
    return pid, env


@dataclass(frozen=True)
class WorkerSpec:
    name: str
    queues: str  # comma-separated
    concurrency: int = 2
    metrics_port: int | None = None


def start_services(
    supervisor: Supervisor,
    settings: Settings,
    workers: list[WorkerSpec],
    metrics_dir: Path | None = None,
    web_workers: int = 2,
) -> None:
    """Start ingest and feed (gunicorn, warta.web_server), the outbox relay and the celery
    workers, in the supervisor's environment. With `metrics_dir`, each program keeps its
    Prometheus samples in a folder of its own there (gunicorn and celery run several
    processes each)."""
    python = sys.executable

    def start(name: str, argv: list[str], **env: str) -> None:
        if metrics_dir is not None:
            folder = metrics_dir / name
            shutil.rmtree(folder, ignore_errors=True)
            folder.mkdir(parents=True)
            env["PROMETHEUS_MULTIPROC_DIR"] = str(folder)
        supervisor.start(name, argv, env)

    for name, port in (("ingest", settings.ingest_port), ("feed", settings.feed_port)):
        start(name, web_server_argv(f"warta_{name}.wsgi:app", f"127.0.0.1:{port}", web_workers))
    start("relay", [python, "-m", "warta.cli", "relay"])
    for worker in workers:
        argv = [
            python,
            "-m",
            "celery",
            "-A",
            "warta.celery_app",
            "worker",
            "--queues",
            worker.queues,
            "--concurrency",
            str(worker.concurrency),
            "--loglevel",
            settings.log_level,
            "--hostname",
            f"{worker.name}@%h",
            *WORKER_OPTIONS,
        ]
        metrics = {"WORKER_METRICS_PORT": str(worker.metrics_port)} if worker.metrics_port else {}
        start(worker.name, argv, **metrics)


def web_server_argv(app: str, bind: str, workers: int = 2) -> list[str]:
    """gunicorn serving `app` with Warta's settings (warta.web_server), as compose runs it."""
    return [
        sys.executable,
        "-m",
        "gunicorn",
        "--config",
        "python:warta.web_server",
        app,
        "--bind",
        bind,
        "--workers",
        str(workers),
        # gunicorn 27's control socket has one default path: two masters would share it.
        "--no-control-socket",
    ]


def _demo_key(settings: Settings) -> str:
    """A fresh key for the demo office each run (keys are shown once, never stored in clear)."""
    slug, name, region = demo.DEMO_OFFICE
    with session_scope(settings.database_url) as session:
        office = find_office(session, slug)
        if office is None:
            return add_office(session, slug, name, region=region)
        # A demo office made before offices knew their region learns it now.
        office.region = office.region or region
        return add_key(session, office)


def _demo_user(settings: Settings) -> tuple[str, str]:
    """The demo office's editor on the desk, with a fresh password each run (shown once)."""
    import secrets

    from warta.models import EDITOR
    from warta.users import find_user, set_password

    password = secrets.token_urlsafe(12)
    with session_scope(settings.database_url) as session:
        office = find_office(session, demo.DEMO_OFFICE[0])
        assert office is not None, "the demo office is made first"
        user = find_user(session, demo.DEMO_EDITOR)
        if user is None:
            user = User(email=demo.DEMO_EDITOR, office=office, role=EDITOR, session_generation=0)
            session.add(user)
        set_password(user, password)
    return demo.DEMO_EDITOR, password


def wait_for_redis(url: str, timeout: float = 15) -> None:
    import redis

    deadline = time.monotonic() + timeout
    while True:
        try:
            redis.Redis.from_url(url).ping()
            return
        except redis.exceptions.ConnectionError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.1)


def wait_for_http(url: str, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while True:
        try:
            with urllib.request.urlopen(url, timeout=2):  # noqa: S310 (our own URL)
                return
        except OSError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.2)


def _print_where_to_look(
    settings: Settings, key: str, desk_login: tuple[str, str], var_dir: Path
) -> None:
    feed = settings.public_base_url
    click.echo(
        f"""
Warta is running. Ctrl-C stops every process.

  Latest news   {feed}/berita/
  RSS / Atom    {feed}/feed.rss   {feed}/feed.atom
  Sitemap       {feed}/sitemap.xml
  Office desk   {settings.desk_url}/  (sign in: {desk_login[0]} / {desk_login[1]})
  Ingest API    http://127.0.0.1:{settings.ingest_port}/v1/articles  (docs: /docs)
  Metrics       http://127.0.0.1:{settings.ingest_port}/metrics  {feed}/metrics  http://127.0.0.1:{WORKER_METRICS_PORT}/metrics
  Status        .venv/bin/warta status   (and `warta failed list`: both find this run
                through {var_dir / RUN_STATE})
  Database      {settings.database_url}
  Redis         {settings.redis_url}

  Submit a report as the demo office (kab-pasuruan):
    curl -X POST http://127.0.0.1:{settings.ingest_port}/v1/articles \\
      -H "Authorization: Bearer $KEY" -H "Content-Type: application/json" \\
      -d '{{"title": "Judul", "body": "Isi berita"}}'

  Add people to the desk (each gets a one-time link to set a password):
    .venv/bin/warta users add EMAIL --office kab-pasuruan --role reporter|editor

Demo desk user (password shown once): {desk_login[0]}  {desk_login[1]}
Demo office key (shown once):
{key}"""
    )
