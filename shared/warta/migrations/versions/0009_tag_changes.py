"""tag_changes: the tags whose feeds the next tag rebuild must redo

Revision ID: 0009
Revises: 0008
"""

import sqlalchemy as sa
from alembic import op

import warta.models

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "tag_changes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("tag", sa.String(length=200), nullable=False),
        sa.Column("created_at", warta.models.UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )


def downgrade() -> None:
    op.drop_table("tag_changes")
