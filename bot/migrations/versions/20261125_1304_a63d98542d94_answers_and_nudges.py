"""answers and nudges

Revision ID: a63d98542d94
Revises: 6417555bdcea
Create Date: 2026-11-25 13:04:44.941960+00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import bot.db.types

revision: str = "a63d98542d94"
down_revision: str | None = "6417555bdcea"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("deliveries", schema=None) as batch_op:
        batch_op.add_column(sa.Column("answer", sa.String(length=16), nullable=True))
        batch_op.add_column(
            sa.Column("answered_at", bot.db.types.UTCDateTime(timezone=True), nullable=True)
        )
        batch_op.add_column(
            sa.Column("nudged_at", bot.db.types.UTCDateTime(timezone=True), nullable=True)
        )
        batch_op.add_column(sa.Column("answered_zone", sa.String(length=64), nullable=True))

    with op.batch_alter_table("stretch_preferences", schema=None) as batch_op:
        # Existing preferences start their run now (server default for the rows already there).
        batch_op.add_column(
            sa.Column(
                "run_started_at",
                bot.db.types.UTCDateTime(timezone=True),
                nullable=False,
                server_default=sa.func.current_timestamp(),
            )
        )

    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("nudges", sa.Boolean(), nullable=False, server_default=sa.true())
        )


def downgrade() -> None:
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.drop_column("nudges")

    with op.batch_alter_table("stretch_preferences", schema=None) as batch_op:
        batch_op.drop_column("run_started_at")

    with op.batch_alter_table("deliveries", schema=None) as batch_op:
        batch_op.drop_column("answered_zone")
        batch_op.drop_column("nudged_at")
        batch_op.drop_column("answered_at")
        batch_op.drop_column("answer")
