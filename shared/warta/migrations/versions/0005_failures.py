"""failures: tasks that failed for good; outbox.request_id: the request a message came from

Revision ID: 0005
Revises: 0004
"""

import sqlalchemy as sa
from alembic import op

import warta.models

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "failures",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("task", sa.String(length=100), nullable=False),
        sa.Column("payload", sa.JSON(), nullable=False),
        sa.Column("error", sa.Text(), nullable=False),
        sa.Column("request_id", sa.String(length=64), nullable=True),
        sa.Column("created_at", warta.models.UTCDateTime(), nullable=False),
        sa.Column("replayed_at", warta.models.UTCDateTime(), nullable=True),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_failures_created_at", "failures", ["created_at"])
    with op.batch_alter_table("outbox") as batch:
        batch.add_column(sa.Column("request_id", sa.String(length=64), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("outbox") as batch:
        batch.drop_column("request_id")
    op.drop_index("ix_failures_created_at", table_name="failures")
    op.drop_table("failures")
