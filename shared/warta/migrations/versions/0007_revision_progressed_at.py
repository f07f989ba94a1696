"""revisions.progressed_at: when a revision last moved a stage, to find those whose message
the broker lost

Revision ID: 0007
Revises: 0006
"""

import sqlalchemy as sa
from alembic import op

import warta.models

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("revisions") as batch:
        batch.add_column(sa.Column("progressed_at", warta.models.UTCDateTime(), nullable=True))
    op.execute("UPDATE revisions SET progressed_at = created_at")
    with op.batch_alter_table("revisions") as batch:
        batch.alter_column("progressed_at", nullable=False)
        batch.create_index("ix_revisions_status_progressed_at", ["status", "progressed_at"])


def downgrade() -> None:
    with op.batch_alter_table("revisions") as batch:
        batch.drop_index("ix_revisions_status_progressed_at")
        batch.drop_column("progressed_at")
