"""Fixtures shared by every test: real Redis servers, real databases, real processes.

Each test session starts its own Redis (the bundled binary, on a free port) and creates its
own databases, so the machine's services are left as they were found."""

from __future__ import annotations

import glob
import json
import os
import shutil
import subprocess
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import redis
from hypothesis import settings as hypothesis_settings
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from warta.db import session_scope
from warta.embedded_redis import free_port, redis_server_argv
from warta.local_run import WorkerSpec, start_services, wait_for_http
from warta.messages import EVERY_QUEUE
from warta.offices import add_office
from warta.processes import Supervisor
from warta.schema import upgrade_database
from warta.settings import Settings

# The property tests try 300 examples each in `make test`. `make test-unit`, the loop run after
# every edit, asks for `--hypothesis-profile=quick`: the same properties on fewer examples.
hypothesis_settings.register_profile("thorough", max_examples=300, deadline=None)
hypothesis_settings.register_profile(
    "quick", parent=hypothesis_settings.get_profile("thorough"), max_examples=40
)
hypothesis_settings.load_profile("thorough")

POSTGRES_ADMIN_URL = os.environ.get(
    "WARTA_TEST_POSTGRES", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
)


class RedisServer:
    """A Redis server of the test's own, which a test may stop and start again."""

    def __init__(self, data_dir: Path, port: int | None = None) -> None:
        self.port = port or free_port(0)
        self.data_dir = data_dir
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.process: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        argv = redis_server_argv(self.port, self.data_dir, append_only=True)
        self.process = subprocess.Popen(argv, stdout=subprocess.DEVNULL)
        deadline = time.monotonic() + 10
        while True:
            try:
                redis.Redis.from_url(self.url).ping()
                return
            except redis.exceptions.ConnectionError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.05)

    def stop(self) -> None:
        if self.process is not None:
            self.process.terminate()
            self.process.wait(10)
            self.process = None

    def kill(self) -> None:
        """kill -9: what was written in the last second may be lost (appendfsync everysec)."""
        if self.process is not None:
            self.process.kill()
            self.process.wait(10)
            self.process = None


@pytest.fixture(scope="session")
def redis_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RedisServer]:
    server = RedisServer(tmp_path_factory.mktemp("redis"))
    server.start()
    yield server
    server.stop()


@pytest.fixture
def redis_url(redis_server: RedisServer) -> Iterator[str]:
    # An earlier module's system, stopped, may have left a delayed job behind in a queue.
    redis.Redis.from_url(redis_server.url).flushall()
    yield redis_server.url
    redis.Redis.from_url(redis_server.url).flushall()


def postgres_reachable() -> bool:
    engine = create_engine(POSTGRES_ADMIN_URL)
    try:
        with engine.connect() as connection:
            connection.execute(text("SELECT 1"))
        return True
    except Exception:
        return False
    finally:
        engine.dispose()


@pytest.fixture(scope="session")
def postgres_available() -> bool:
    """The storage and system tests run on PostgreSQL too: its absence is a failure, not a
    reason to test less (point WARTA_TEST_POSTGRES at a server that lets us create databases)."""
    if not postgres_reachable():
        pytest.fail(f"PostgreSQL is not reachable at {POSTGRES_ADMIN_URL}")
    return True


def create_postgres_database() -> str:
    name = f"warta_test_{uuid.uuid4().hex[:10]}"
    admin = create_engine(POSTGRES_ADMIN_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    return make_url(POSTGRES_ADMIN_URL).set(database=name).render_as_string(hide_password=False)


def drop_postgres_database(url: str) -> None:
    from warta.db import get_engine

    get_engine(url).dispose()
    get_engine(url, writer=False).dispose()
    name = make_url(url).database
    admin = create_engine(POSTGRES_ADMIN_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(
    request: pytest.FixtureRequest, tmp_path: Path, postgres_available: bool
) -> Iterator[str]:
    """A new, migrated database on each backend."""
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'warta.db'}"
        upgrade_database(url)
        yield url
        return
    url = create_postgres_database()
    upgrade_database(url)
    yield url
    drop_postgres_database(url)


@pytest.fixture
def sqlite_url(tmp_path: Path) -> str:
    url = f"sqlite:///{tmp_path / 'warta.db'}"
    upgrade_database(url)
    return url


def make_settings(database_url: str, redis_url: str, **overrides: str) -> Settings:
    env = {"DATABASE_URL": database_url, "REDIS_URL": redis_url, **overrides}
    return Settings.from_env(env)


def new_office(
    database_url: str, slug: str | None = None, name: str = "KPU Test", region: str | None = None
) -> tuple[str, str]:
    """A new office, of ``region`` (a Kemendagri code) if given; returns (slug, key)."""
    slug = slug or f"office-{uuid.uuid4().hex[:8]}"
    with session_scope(database_url) as session:
        key = add_office(session, slug, name, region=region)
    return slug, key


class RunningSystem:
    """Every Warta process, started as an operator would, on test ports."""

    def __init__(
        self, database_url: str, redis_url: str, metrics_dir: Path | None = None, **overrides: str
    ) -> None:
        self.metrics_dir = metrics_dir or Path(tempfile.mkdtemp(prefix="warta-metrics-"))
        self.ingest_port, self.feed_port = free_port(0), free_port(0)
        self.ingest_url = f"http://127.0.0.1:{self.ingest_port}"
        self.feed_url = f"http://127.0.0.1:{self.feed_port}"
        self.database_url, self.redis_url = database_url, redis_url
        env = {
            **os.environ,
            "DATABASE_URL": database_url,
            "REDIS_URL": redis_url,
            "PUBLIC_BASE_URL": self.feed_url,
            "INGEST_PORT": str(self.ingest_port),
            "FEED_PORT": str(self.feed_port),
            # As in docker compose: every process reaches the photos through the database.
            "MEDIA_STORE": "database",
            **overrides,
        }
        self.supervisor = Supervisor(env=env)
        self.settings = Settings.from_env({**env, "LOG_LEVEL": "WARNING"})

    def start(self, workers: int = 1) -> None:
        self.worker_metrics_port = free_port(0)
        worker_specs = [
            WorkerSpec(
                f"worker{n}", ",".join(EVERY_QUEUE), 2, self.worker_metrics_port if n == 0 else None
            )
            for n in range(workers)
        ]
        start_services(self.supervisor, self.settings, worker_specs, self.metrics_dir)
        # The first worker serves its metrics once Celery calls it ready: a test's first wait
        # then measures the pipeline, not the workers' start on a loaded machine.
        worker_metrics = f"http://127.0.0.1:{self.worker_metrics_port}/metrics"
        for url in (f"{self.ingest_url}/healthz", f"{self.feed_url}/healthz", worker_metrics):
            wait_for_http(url, timeout=90)

    def stop(self) -> None:
        self.supervisor.stop_all()


def log_record(line: str) -> dict[str, str] | None:
    """The JSON log record in a line of the supervisor's output (`name | {...}`), if any."""
    try:
        value = json.loads(line.split("| ", 1)[-1])
    except ValueError:
        return None
    return value if isinstance(value, dict) else None


def eventually(check, timeout: float = 30, interval: float = 0.2):  # type: ignore[no-untyped-def]
    """Poll `check` until it returns something truthy; fail with its last value otherwise."""
    deadline = time.monotonic() + timeout
    while True:
        value = check()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"not true within {timeout}s: last value {value!r}")
        time.sleep(interval)


@pytest.fixture(scope="module")
def system(
    tmp_path_factory: pytest.TempPathFactory, redis_server: RedisServer, postgres_available: bool
) -> Iterator[RunningSystem]:
    """The whole system on PostgreSQL, as in production."""
    database_url = create_postgres_database()
    upgrade_database(database_url)
    redis.Redis.from_url(redis_server.url).flushall()
    running = RunningSystem(database_url, redis_server.url, tmp_path_factory.mktemp("metrics"))
    running.start()
    yield running
    running.stop()
    drop_postgres_database(database_url)


class PostgresServer:
    """A PostgreSQL of the test's own, from the machine's binaries, which it may stop."""

    def __init__(self) -> None:
        binaries = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"))
        if not binaries or shutil.which("runuser") is None:
            pytest.fail("this test needs the PostgreSQL server binaries and runuser (CI has them)")
        self.bin = Path(binaries[-1]).parent
        # Owned by the `postgres` user: the server refuses to run as root.
        self.dir = Path(tempfile.mkdtemp(prefix="warta-pg-"))
        shutil.chown(self.dir, "postgres")
        self.port = free_port(0)
        self.url = f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/warta"
        self._run("initdb", "-D", str(self.dir / "data"), "-A", "trust", "-U", "postgres")

    def _run(self, tool: str, *args: str) -> None:
        command = ["runuser", "-u", "postgres", "--", str(self.bin / tool), *args]
        subprocess.run(command, check=True, capture_output=True, cwd=self.dir)

    def start(self) -> None:
        options = f"-p {self.port} -k {self.dir} -c listen_addresses=127.0.0.1"
        data, log = str(self.dir / "data"), str(self.dir / "log")
        self._run("pg_ctl", "start", "-w", "-D", data, "-l", log, "-o", options)

    def stop(self) -> None:
        # Immediate: as if the server crashed or the network went away.
        self._run("pg_ctl", "stop", "-m", "immediate", "-D", str(self.dir / "data"))

    def remove(self) -> None:
        subprocess.run(
            [
                "runuser",
                "-u",
                "postgres",
                "--",
                str(self.bin / "pg_ctl"),
                "stop",
                "-m",
                "immediate",
                "-D",
                str(self.dir / "data"),
            ],
            capture_output=True,
        )
        shutil.rmtree(self.dir, ignore_errors=True)


@pytest.fixture
def postgres_server() -> Iterator[PostgresServer]:
    if os.geteuid() != 0:
        pytest.fail("starting a PostgreSQL as its own user needs root (CI runs as root)")
    server = PostgresServer()
    server.start()
    server._run("createdb", "-h", "127.0.0.1", "-p", str(server.port), "-U", "postgres", "warta")
    upgrade_database(server.url)
    yield server
    from warta.db import get_engine

    get_engine(server.url).dispose()
    get_engine(server.url, writer=False).dispose()
    server.remove()


class HttpsServer:
    """An HTTPS server of the test's own on 127.0.0.1, with a certificate made for it: it
    stands in for an office's image host on the public internet. `routes` maps a path to a
    handler `(request_handler) -> None` that writes the whole answer."""

    def __init__(self, folder: Path, routes: dict[str, Callable[[Any], None]]) -> None:
        import http.server
        import ssl
        import threading

        self.cert = folder / "cert.pem"
        key = folder / "key.pem"
        subject = ["-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1"]
        files = ["-keyout", str(key), "-out", str(self.cert)]
        subprocess.run(
            [
                "openssl",
                "req",
                "-x509",
                "-newkey",
                "rsa:2048",
                "-nodes",
                "-days",
                "1",
                *subject,
                *files,
            ],
            check=True,
            capture_output=True,
        )
        self.requests: list[tuple[str, str]] = []
        server = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def answer(self) -> None:
                server.requests.append((self.command, self.path))
                routes.get(self.path.split("?")[0], lambda h: h.send_error(404))(self)

            do_GET = do_HEAD = answer

            def log_message(self, *_: object) -> None:
                pass

        self.httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        context.load_cert_chain(self.cert, key)
        self.httpd.socket = context.wrap_socket(self.httpd.socket, server_side=True)
        self.url = f"https://127.0.0.1:{self.httpd.server_port}"
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()

    def client_context(self) -> Any:
        import ssl

        return ssl.create_default_context(cafile=str(self.cert))

    def close(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


class Listener:
    """A bare TCP listener that only counts the connections it is offered: where no request
    may go, it shows that none went."""

    def __init__(self, host: str = "127.0.0.1") -> None:
        import socket

        family = socket.AF_INET6 if ":" in host else socket.AF_INET
        self.socket = socket.socket(family, socket.SOCK_STREAM)
        self.socket.bind((host, 0))
        self.socket.listen(16)
        self.socket.settimeout(0.2)
        self.port = self.socket.getsockname()[1]

    def connections(self) -> int:
        count = 0
        while True:
            try:
                connection, _ = self.socket.accept()
            except TimeoutError:
                return count
            connection.close()
            count += 1

    def close(self) -> None:
        self.socket.close()


def raw_request(port: int, request: bytes) -> tuple[int, dict[str, str], bytes]:
    """Send bytes as they are to 127.0.0.1:port; the answer's status, headers and body."""
    import socket

    with socket.create_connection(("127.0.0.1", port), timeout=10) as connection:
        connection.sendall(request)
        answer = b""
        while chunk := connection.recv(65536):
            answer += chunk
    head, _, body = answer.partition(b"\r\n\r\n")
    status_line, *lines = head.decode("latin-1").split("\r\n")
    headers = {name.lower(): value.strip() for name, _, value in (x.partition(":") for x in lines)}
    return int(status_line.split()[1]), headers, body
