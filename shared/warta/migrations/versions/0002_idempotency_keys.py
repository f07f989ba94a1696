"""idempotency keys; an index for the scheduler's sweep

Revision ID: 0002
Revises: 0001
"""

import sqlalchemy as sa
from alembic import op

import warta.models

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "idempotency_keys",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("office_id", sa.Integer(), nullable=False),
        sa.Column("key", sa.String(length=255), nullable=False),
        sa.Column("fingerprint", sa.String(length=64), nullable=False),
        sa.Column("status_code", sa.Integer(), nullable=False),
        sa.Column("response", sa.JSON(), nullable=False),
        sa.Column("created_at", warta.models.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(["office_id"], ["offices.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("office_id", "key"),
    )
    with op.batch_alter_table("idempotency_keys") as batch_op:
        batch_op.create_index(
            batch_op.f("ix_idempotency_keys_created_at"), ["created_at"], unique=False
        )
    with op.batch_alter_table("revisions") as batch_op:
        batch_op.create_index("ix_revisions_status_publish_at", ["status", "publish_at"])


def downgrade() -> None:
    with op.batch_alter_table("revisions") as batch_op:
        batch_op.drop_index("ix_revisions_status_publish_at")
    with op.batch_alter_table("idempotency_keys") as batch_op:
        batch_op.drop_index(batch_op.f("ix_idempotency_keys_created_at"))
    op.drop_table("idempotency_keys")
