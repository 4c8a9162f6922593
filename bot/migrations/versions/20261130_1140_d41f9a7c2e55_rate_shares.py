"""rate_shares: each replica's share of the token's Telegram rate budget

Revision ID: d41f9a7c2e55
Revises: 02e6ab550484
Create Date: 2026-11-30 11:30:00.000000+00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "d41f9a7c2e55"
down_revision: str | None = "02e6ab550484"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "rate_shares",
        sa.Column("scope", sa.String(length=16), nullable=False),
        sa.Column("holder", sa.String(length=64), nullable=False),
        sa.Column("share", sa.Integer(), nullable=False),
        sa.Column("wants", sa.Integer(), nullable=False),
        sa.Column("expires", sa.Float(), nullable=False),
        sa.Column("reserved", sa.Integer(), nullable=False),
        sa.Column("reserved_until", sa.Float(), nullable=False),
        sa.PrimaryKeyConstraint("scope", "holder"),
    )


def downgrade() -> None:
    op.drop_table("rate_shares")
