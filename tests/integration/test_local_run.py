"""`warta up`: a graceful stop stops the programs before Redis, and the operator's tools, run
from a second terminal, find the local run."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import threading
from pathlib import Path

from tests.conftest import eventually
from warta.embedded_redis import free_port, redis_server_argv
from warta.local_run import wait_for_redis
from warta.processes import Supervisor

# A program that, told to stop, takes a second to finish its work and then writes to Redis,
# as a Celery worker acknowledges the tasks it finished.
FINISHES_ITS_WORK = textwrap.dedent(
    """
    import signal, sys, time
    import redis

    def finish(*_):
        time.sleep(1)
        try:
            redis.Redis.from_url(sys.argv[1]).set("finished", "yes")
            outcome = "acknowledged"
        except redis.RedisError as error:
            outcome = f"lost: {error}"
        open(sys.argv[2], "w").write(outcome)
        sys.exit(0)

    signal.signal(signal.SIGTERM, finish)
    open(sys.argv[2], "w").write("ready")
    while True:
        time.sleep(0.1)
    """
)


def test_a_graceful_stop_stops_redis_after_the_programs_that_use_it(tmp_path: Path) -> None:
    port = free_port(0)
    url = f"redis://127.0.0.1:{port}/0"
    supervisor = Supervisor(env=dict(os.environ))
    supervisor.start("redis", redis_server_argv(port, tmp_path / "redis"), infrastructure=True)
    wait_for_redis(url)
    outcome = tmp_path / "outcome"
    # Started after Redis, as `warta up` starts them: stopped before it.
    for name in ("worker", "relay"):
        supervisor.start(name, [sys.executable, "-c", FINISHES_ITS_WORK, url, f"{outcome}-{name}"])
    ready = [tmp_path / f"outcome-{name}" for name in ("worker", "relay")]
    eventually(lambda: all(path.exists() for path in ready))
    supervisor.stop_all()
    assert (tmp_path / "outcome-worker").read_text() == "acknowledged"
    assert (tmp_path / "outcome-relay").read_text() == "acknowledged"


def test_status_and_failed_find_the_local_run(tmp_path: Path) -> None:
    var_dir = tmp_path / "var"
    env = {
        name: value
        for name, value in os.environ.items()
        if name not in ("REDIS_URL", "DATABASE_URL")
    }
    ingest, feed = free_port(0), free_port(0)
    env.update(INGEST_PORT=str(ingest), FEED_PORT=str(feed), LOG_LEVEL="WARNING")
    env["PUBLIC_BASE_URL"] = f"http://127.0.0.1:{feed}"
    warta = [sys.executable, "-m", "warta.cli"]
    up = subprocess.Popen(
        [*warta, "up", "--no-demo", "--var-dir", str(var_dir)],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    output: list[str] = []
    assert up.stdout is not None
    reader = threading.Thread(target=lambda: output.extend(up.stdout or ()), daemon=True)
    reader.start()
    try:
        eventually(lambda: any("Warta is running" in line for line in output), timeout=120)
        run_state = var_dir / "run.json"
        assert run_state.exists()

        def tool(*args: str) -> subprocess.CompletedProcess[str]:
            argv = [*warta, *args, "--var-dir", str(var_dir)]
            return subprocess.run(argv, env=env, capture_output=True, text=True, timeout=60)

        status = tool("status")
        lines = dict(line.split(None, 1) for line in status.stdout.splitlines())
        assert lines["reading"].startswith("the local run (warta up, pid ")
        assert "normalise=" in lines["queues"]
        assert "worker@" in lines["workers"], status.stdout  # the local run's own worker
        failed = tool("failed", "list")
        assert failed.returncode == 0, failed.stderr
        assert f"sqlite:///{(var_dir / 'warta.db').resolve()}" in failed.stderr
    finally:
        up.send_signal(signal.SIGINT)
        up.wait(60)
        reader.join(10)
        up.stdout.close()
    assert not run_state.exists()
    stopped = tool("status")
    assert "no local run in" in stopped.stdout
