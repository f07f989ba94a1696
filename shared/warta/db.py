"""Database engines and sessions, for SQLite (embedded default) and PostgreSQL."""

from __future__ import annotations

import functools
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any, TypeVar

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session, sessionmaker

T = TypeVar("T")
# Values per `IN (...)` list: well under SQLite's limit of bound parameters per statement.
IN_BATCH = 500


def in_batches(values: Sequence[T], size: int = IN_BATCH) -> Iterator[Sequence[T]]:
    """`values` in slices small enough for one `IN (...)` list each."""
    for start in range(0, len(values), size):
        yield values[start : start + size]


@functools.cache
def get_engine(database_url: str, *, writer: bool = True) -> Engine:
    """The engine for a URL; `writer=False` gives readers that never take SQLite's write lock."""
    url = make_url(database_url)
    if url.get_backend_name() == "sqlite":
        if url.database and url.database != ":memory:":
            Path(url.database).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(url, connect_args={"timeout": 30})
        event.listen(engine, "connect", _tune_sqlite)
        # A writer takes the write lock up front: a deferred transaction that reads and then
        # writes fails at once (SQLITE_BUSY) when another process committed in between.
        begin = "BEGIN IMMEDIATE" if writer else "BEGIN"
        event.listen(engine, "begin", lambda conn: conn.exec_driver_sql(begin))
        return engine
    if url.drivername == "postgresql":
        url = url.set(drivername="postgresql+psycopg")
    # Pre-ping costs a round trip per checkout, but without it every pooled connection that
    # died with a database restart fails one request or task after the database is back.
    return create_engine(url, pool_pre_ping=True, pool_size=5, max_overflow=5)


def _tune_sqlite(dbapi_connection: Any, _record: Any) -> None:
    # Many processes (ingest, relay, workers) share one file: WAL lets readers run beside the
    # one writer, and busy_timeout makes a writer wait for the lock instead of failing.
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA busy_timeout=30000")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.close()


@functools.cache
def get_sessionmaker(database_url: str, *, writer: bool = True) -> sessionmaker[Session]:
    return sessionmaker(get_engine(database_url, writer=writer), expire_on_commit=False)


@contextmanager
def session_scope(database_url: str, *, writer: bool = True) -> Iterator[Session]:
    """One unit of work: commits on success, rolls back on any error."""
    session = get_sessionmaker(database_url, writer=writer)()
    try:
        yield session
        session.commit()
    except BaseException:
        session.rollback()
        raise
    finally:
        session.close()
