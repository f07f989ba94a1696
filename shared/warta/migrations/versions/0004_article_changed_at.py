"""articles.changed_at: when the live revision last changed, for incremental feed rebuilds

Revision ID: 0004
Revises: 0002
"""

import sqlalchemy as sa
from alembic import op

import warta.models

revision = "0004"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("articles") as batch:
        batch.add_column(sa.Column("changed_at", warta.models.UTCDateTime(), nullable=True))
        batch.create_index("ix_articles_changed_at", ["changed_at"])


def downgrade() -> None:
    with op.batch_alter_table("articles") as batch:
        batch.drop_index("ix_articles_changed_at")
        batch.drop_column("changed_at")
