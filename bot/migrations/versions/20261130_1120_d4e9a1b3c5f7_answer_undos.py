"""answer_undos: what an answer changed, for "↩️ Undo" within 10 minutes

Revision ID: d4e9a1b3c5f7
Revises: 5b1f0c7e9a21
Create Date: 2026-11-30 11:20:00.000000+00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import bot.db.types

revision: str = "d4e9a1b3c5f7"
down_revision: str | None = "5b1f0c7e9a21"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "answer_undos",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("delivery_id", sa.Integer(), nullable=True),
        sa.Column("offer_id", sa.Integer(), nullable=True),
        sa.Column("message_id", sa.BigInteger(), nullable=True),
        sa.Column("before", sa.Text(), nullable=False),
        sa.Column("after", sa.Text(), nullable=False),
        sa.Column("created", sa.Text(), nullable=False),
        sa.Column("created_at", bot.db.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("expires_at", bot.db.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("undone_at", bot.db.types.UTCDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(["delivery_id"], ["deliveries.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["offer_id"], ["offers.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("answer_undos", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_answer_undos_user_id"), ["user_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("answer_undos", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_answer_undos_user_id"))
    op.drop_table("answer_undos")
