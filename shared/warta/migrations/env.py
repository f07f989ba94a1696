"""Alembic environment: migrates the database named by DATABASE_URL (or the caller's URL)."""

from alembic import context

from warta.db import get_engine
from warta.models import Base
from warta.settings import get_settings

url = context.config.get_main_option("sqlalchemy.url") or get_settings().database_url

with get_engine(url).connect() as connection:
    context.configure(
        connection=connection,
        target_metadata=Base.metadata,
        render_as_batch=True,  # SQLite alters tables by copying them
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()
    connection.commit()
