"""office_region_revision_warnings: the region an office serves, what normalise told the office

Revision ID: 0011
Revises: 0010
"""

import sqlalchemy as sa
from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("offices", sa.Column("region", sa.String(length=8), nullable=True))
    op.add_column("revisions", sa.Column("warnings", sa.JSON(), nullable=True))


def downgrade() -> None:
    # SQLite drops a column only by copying the table: batch mode does that.
    with op.batch_alter_table("revisions") as batch:
        batch.drop_column("warnings")
    with op.batch_alter_table("offices") as batch:
        batch.drop_column("region")
