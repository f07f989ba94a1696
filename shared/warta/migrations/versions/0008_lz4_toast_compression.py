"""The large text columns compressed with lz4 on PostgreSQL, not pglz

Every rebuild rewrites its feeds (hundreds of kB each) and every report writes its body three
times over; PostgreSQL compresses each such value as it stores it, and with its default pglz
that was most of the database's CPU under a stream of reports (a rebuild's document writes:
305 ms with pglz, 48 ms with lz4). Values stored before keep their compression until
rewritten. A server built without lz4, and SQLite, keep what they have.

Revision ID: 0008
Revises: 0007
"""

from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None

LARGE_COLUMNS = {
    "documents": ("body",),
    "snippets": ("html",),
    "revisions": ("submission", "body_html", "body_text"),
}


def _set_compression(method: str) -> None:
    bind = op.get_bind()
    if bind.dialect.name != "postgresql":
        return
    methods = bind.exec_driver_sql(
        "SELECT enumvals FROM pg_settings WHERE name = 'default_toast_compression'"
    ).scalar()
    if method not in (methods or []):
        return
    for table, columns in LARGE_COLUMNS.items():
        for column in columns:
            op.execute(f"ALTER TABLE {table} ALTER COLUMN {column} SET COMPRESSION {method}")


def upgrade() -> None:
    _set_compression("lz4")


def downgrade() -> None:
    _set_compression("pglz")
