"""users.weekly_goal: the week streak's goal (active days a week, 1-7)

Revision ID: c3d8e5f1a7b2
Revises: b7c1f0a2d9e4
Create Date: 2026-11-30 10:10:00.000000+00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "c3d8e5f1a7b2"
down_revision: str | None = "b7c1f0a2d9e4"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("users", schema=None) as batch_op:
        # Existing users get the default goal: 5 of 7 days.
        batch_op.add_column(
            sa.Column("weekly_goal", sa.Integer(), nullable=False, server_default="5")
        )


def downgrade() -> None:
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.drop_column("weekly_goal")
