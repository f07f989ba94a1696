"""Database schema migrations (Alembic), run by `warta db upgrade` and at local start-up."""

from __future__ import annotations

import time
from pathlib import Path

from alembic import command
from alembic.config import Config


def alembic_config(database_url: str) -> Config:
    config = Config()
    config.set_main_option("script_location", str(Path(__file__).with_name("migrations")))
    config.set_main_option("sqlalchemy.url", database_url.replace("%", "%%"))
    return config


def upgrade_database(database_url: str, revision: str = "head") -> None:
    command.upgrade(alembic_config(database_url), revision)


def wait_for_database(database_url: str, seconds: float) -> None:
    """Return once the database answers; raise its last error after `seconds`. A database that
    is still starting (its first start in a container) refuses connections for a while."""
    import sqlalchemy
    import sqlalchemy.exc

    from warta.db import get_engine

    engine = get_engine(database_url, writer=False)
    deadline = time.monotonic() + seconds
    while True:
        try:
            with engine.connect() as connection:
                connection.execute(sqlalchemy.text("SELECT 1"))
            return
        except sqlalchemy.exc.OperationalError:
            if time.monotonic() > deadline:
                raise
            time.sleep(1)
