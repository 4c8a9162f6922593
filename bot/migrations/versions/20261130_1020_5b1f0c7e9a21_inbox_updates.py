"""inbox updates: every update stored before Telegram is told it arrived

Revision ID: 5b1f0c7e9a21
Revises: c3d8e5f1a7b2
Create Date: 2026-11-30 10:20:00.000000+00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import bot.db.types

revision: str = "5b1f0c7e9a21"
down_revision: str | None = "c3d8e5f1a7b2"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "inbox_updates",
        sa.Column("update_id", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("chat_key", sa.BigInteger(), nullable=True),
        sa.Column("payload", sa.Text(), nullable=True),
        sa.Column("received_at", bot.db.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("lease_until", bot.db.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("done_at", bot.db.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("outcome", sa.String(length=16), nullable=True),
        sa.PrimaryKeyConstraint("update_id", name=op.f("pk_inbox_updates")),
    )
    with op.batch_alter_table("inbox_updates", schema=None) as batch_op:
        batch_op.create_index(
            "ix_inbox_updates_pending",
            ["chat_key", "update_id"],
            unique=False,
            sqlite_where=sa.text("done_at IS NULL"),
            postgresql_where=sa.text("done_at IS NULL"),
        )
        batch_op.create_index("ix_inbox_updates_done_at", ["done_at"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("inbox_updates", schema=None) as batch_op:
        batch_op.drop_index("ix_inbox_updates_done_at")
        batch_op.drop_index("ix_inbox_updates_pending")
    op.drop_table("inbox_updates")
