"""The fast tests: no processes, no servers. Those that need a database get a migrated SQLite
file of their own, copied from one made per session."""

from __future__ import annotations

import shutil
import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy.orm import Session

from warta.db import session_scope
from warta.schema import upgrade_database


@pytest.fixture(scope="session")
def migrated_database(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("core") / "template.db"
    upgrade_database(f"sqlite:///{path}")
    with sqlite3.connect(path) as connection:  # the migrations' writes into the file itself
        connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    return path


@pytest.fixture
def database_url(migrated_database: Path, tmp_path: Path) -> str:
    path = tmp_path / "warta.db"
    shutil.copyfile(migrated_database, path)
    return f"sqlite:///{path}"


@pytest.fixture
def session(database_url: str) -> Iterator[Session]:
    with session_scope(database_url) as session:
        yield session
