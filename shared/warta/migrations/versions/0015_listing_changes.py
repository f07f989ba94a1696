"""listing_changes: requests to compose the listing pages again, driven by the relay

Revision ID: 0015
Revises: 0014
"""

import sqlalchemy as sa
from alembic import op

import warta.models

revision = "0015"
down_revision = "0014"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "listing_changes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("reason", sa.String(length=40), nullable=False),
        sa.Column("created_at", warta.models.UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )


def downgrade() -> None:
    op.drop_table("listing_changes")
