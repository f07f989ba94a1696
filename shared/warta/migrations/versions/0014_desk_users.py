"""desk_users: the people who write on the desk, who made each revision, and the desk's
cookie-signing key

Revision ID: 0014
Revises: 0012
"""

import secrets

import sqlalchemy as sa
from alembic import op

import warta.models

revision = "0014"
down_revision = "0012"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "users",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("office_id", sa.Integer(), nullable=False),
        sa.Column("email", sa.String(length=254), nullable=False),
        sa.Column("role", sa.String(length=20), nullable=False),
        sa.Column("password_hash", sa.String(length=200), nullable=True),
        sa.Column("password_token_hash", sa.String(length=64), nullable=True),
        sa.Column("password_token_expires_at", warta.models.UTCDateTime(), nullable=True),
        sa.Column("session_generation", sa.Integer(), nullable=False),
        sa.Column("created_at", warta.models.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(["office_id"], ["offices.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("email"),
        sa.UniqueConstraint("password_token_hash"),
    )
    op.create_index("ix_users_office_id", "users", ["office_id"])
    with op.batch_alter_table("revisions") as batch:
        batch.add_column(sa.Column("revised_by", sa.Integer(), nullable=True))
        batch.create_foreign_key("fk_revisions_revised_by", "users", ["revised_by"], ["id"])
    secrets_table = op.create_table(
        "secrets",
        sa.Column("name", sa.String(length=40), nullable=False),
        sa.Column("value", sa.String(length=200), nullable=False),
        sa.PrimaryKeyConstraint("name"),
    )
    # Made once, here: every process of the deployment reads the same one.
    op.bulk_insert(secrets_table, [{"name": "desk", "value": secrets.token_urlsafe(48)}])


def downgrade() -> None:
    op.drop_table("secrets")
    with op.batch_alter_table("revisions") as batch:
        batch.drop_constraint("fk_revisions_revised_by", type_="foreignkey")
        batch.drop_column("revised_by")
    op.drop_index("ix_users_office_id", table_name="users")
    op.drop_table("users")
