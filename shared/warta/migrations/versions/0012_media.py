"""media: uploaded photos, their renditions, the revisions that use them, and the database
media store's bytes

Revision ID: 0012
Revises: 0011
"""

import sqlalchemy as sa
from alembic import op

import warta.models

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "media",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("office_id", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("error", sa.Text(), nullable=True),
        sa.Column("media_type", sa.String(length=40), nullable=False),
        sa.Column("width", sa.Integer(), nullable=False),
        sa.Column("height", sa.Integer(), nullable=False),
        sa.Column("length", sa.Integer(), nullable=False),
        sa.Column("original_key", sa.String(length=200), nullable=False),
        sa.Column("caption", sa.Text(), nullable=True),
        sa.Column("credit", sa.String(length=200), nullable=True),
        sa.Column("alt", sa.String(length=300), nullable=True),
        sa.Column("created_at", warta.models.UTCDateTime(), nullable=False),
        sa.Column("ready_at", warta.models.UTCDateTime(), nullable=True),
        sa.Column("progressed_at", warta.models.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(["office_id"], ["offices.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_media_office_id", "media", ["office_id"])
    op.create_index("ix_media_status_progressed_at", "media", ["status", "progressed_at"])
    op.create_table(
        "media_renditions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("media_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=20), nullable=False),
        sa.Column("extension", sa.String(length=10), nullable=False),
        sa.Column("media_type", sa.String(length=40), nullable=False),
        sa.Column("width", sa.Integer(), nullable=False),
        sa.Column("height", sa.Integer(), nullable=False),
        sa.Column("length", sa.Integer(), nullable=False),
        sa.Column("etag", sa.String(length=70), nullable=False),
        sa.ForeignKeyConstraint(["media_id"], ["media.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("media_id", "name", "extension"),
    )
    op.create_table(
        "media_uses",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("article_id", sa.Integer(), nullable=False),
        sa.Column("revision", sa.Integer(), nullable=False),
        sa.Column("media_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["article_id"], ["articles.id"]),
        sa.ForeignKeyConstraint(["media_id"], ["media.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("article_id", "revision"),
    )
    op.create_index("ix_media_uses_media_id", "media_uses", ["media_id"])
    op.create_table(
        "media_blobs",
        sa.Column("key", sa.String(length=200), nullable=False),
        sa.Column("body", sa.LargeBinary(), nullable=False),
        sa.Column("created_at", warta.models.UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("key"),
    )
    if op.get_bind().dialect.name == "postgresql":
        # JPEG and WebP do not compress: stored out of line as they are, without PostgreSQL
        # first trying to compress each one.
        op.execute("ALTER TABLE media_blobs ALTER COLUMN body SET STORAGE EXTERNAL")


def downgrade() -> None:
    op.drop_table("media_blobs")
    op.drop_index("ix_media_uses_media_id", table_name="media_uses")
    op.drop_table("media_uses")
    op.drop_table("media_renditions")
    op.drop_index("ix_media_status_progressed_at", table_name="media")
    op.drop_index("ix_media_office_id", table_name="media")
    op.drop_table("media")
