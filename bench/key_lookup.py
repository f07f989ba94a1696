"""What an office key costs per request: a hit in the ingest process's key cache, the database
lookup it saves, and the Redis GET of the keys' generation that now guards the cache (so a
revoked key stops at once).

    .venv/bin/python bench/key_lookup.py [--times 3000]

On SQLite and, when it answers, the machine's PostgreSQL (a fresh database); an embedded Redis.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import tempfile
import time
import uuid
from functools import partial
from pathlib import Path

import redis
from sqlalchemy import create_engine, text

from warta.db import session_scope
from warta.embedded_redis import free_port, redis_server_argv
from warta.offices import KEYS_GENERATION, add_office, hash_key
from warta.schema import upgrade_database
from warta_ingest.authentication import KeyCache

POSTGRES = os.environ.get(
    "WARTA_TEST_POSTGRES", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
)


def microseconds(call, times: int) -> float:  # type: ignore[no-untyped-def]
    started = time.perf_counter()
    for _ in range(times):
        call()
    return (time.perf_counter() - started) / times * 1e6


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--times", type=int, default=3000)
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="warta-bench-keys-"))
    port = free_port(0)
    server = subprocess.Popen(redis_server_argv(port, folder / "redis"), stdout=subprocess.DEVNULL)
    redis_url = f"redis://127.0.0.1:{port}/0"
    client = redis.Redis.from_url(redis_url)
    while True:
        try:
            client.ping()
            break
        except redis.ConnectionError:
            time.sleep(0.05)
    urls = {"SQLite": f"sqlite:///{folder / 'warta.db'}"}
    admin = create_engine(POSTGRES, isolation_level="AUTOCOMMIT")
    name = f"warta_bench_{uuid.uuid4().hex[:8]}"
    try:
        with admin.connect() as connection:
            connection.execute(text(f'CREATE DATABASE "{name}"'))
        urls["PostgreSQL"] = POSTGRES.rsplit("/", 1)[0] + "/" + name
    except Exception:
        name = ""
    try:
        for backend, url in urls.items():
            upgrade_database(url)
            with session_scope(url) as session:
                key = add_office(session, "bench", "KPU Bench")
            cache = KeyCache(url, redis_url)
            cache.caller(key)
            hit = microseconds(partial(cache.caller, key), args.times)
            lookup = microseconds(partial(cache._load, key, hash_key(key), None), args.times)
            generation = microseconds(partial(client.get, KEYS_GENERATION), args.times)
            print(
                f"{backend:<10} per request: cached key {hit:6.0f} µs (the generation's GET "
                f"included), database lookup {lookup:6.0f} µs, Redis GET alone {generation:4.0f} µs"
            )
    finally:
        server.terminate()
        server.wait(10)
        if name:
            with admin.connect() as connection:
                connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


if __name__ == "__main__":
    main()
