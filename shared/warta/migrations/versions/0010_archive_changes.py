"""archive_changes: the archive blocks that the rebuild of tags and archives must redo

Revision ID: 0010
Revises: 0009
"""

import sqlalchemy as sa
from alembic import op

import warta.models

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "archive_changes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("block", sa.Integer(), nullable=False),
        sa.Column("created_at", warta.models.UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )


def downgrade() -> None:
    op.drop_table("archive_changes")
