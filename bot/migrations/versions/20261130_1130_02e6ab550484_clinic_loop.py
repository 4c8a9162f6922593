"""clinic loop: practitioners, sharing consent, weekly pain scores, alerts and digests

Revision ID: 02e6ab550484
Revises: d4e9a1b3c5f7
Create Date: 2026-11-30 09:55:31.048230+00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import bot.db.types

revision: str = "02e6ab550484"
down_revision: str | None = "d4e9a1b3c5f7"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:

    op.create_table(
        "pain_scores",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("asked_for", bot.db.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("message_id", sa.BigInteger(), nullable=True),
        sa.Column("score", sa.Integer(), nullable=True),
        sa.Column("answered_at", bot.db.types.UTCDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_pain_scores_user_id_users"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_pain_scores")),
        sa.UniqueConstraint("user_id", "asked_for", name=op.f("uq_pain_scores_user_id_asked_for")),
    )
    with op.batch_alter_table("pain_scores", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_pain_scores_user_id"), ["user_id"], unique=False)

    op.create_table(
        "practitioners",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=128), nullable=False),
        sa.Column("clinic", sa.String(length=128), nullable=False),
        sa.Column("time_zone", sa.String(length=64), nullable=False),
        sa.Column("invite_code", sa.String(length=64), nullable=False),
        sa.Column("claim_token_hash", sa.String(length=64), nullable=True),
        sa.Column("claim_expires_at", bot.db.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("user_id", sa.Integer(), nullable=True),
        sa.Column("claimed_at", bot.db.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("created_at", bot.db.types.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.id"],
            name=op.f("fk_practitioners_user_id_users"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_practitioners")),
        sa.UniqueConstraint("claim_token_hash", name=op.f("uq_practitioners_claim_token_hash")),
        sa.UniqueConstraint("invite_code", name=op.f("uq_practitioners_invite_code")),
        sa.UniqueConstraint("user_id", name=op.f("uq_practitioners_user_id")),
    )
    op.create_table(
        "shares",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("patient_id", sa.Integer(), nullable=False),
        sa.Column("practitioner_id", sa.Integer(), nullable=False),
        sa.Column("message_id", sa.BigInteger(), nullable=True),
        sa.Column("consented_at", bot.db.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("revoked_at", bot.db.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("created_at", bot.db.types.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["patient_id"],
            ["users.id"],
            name=op.f("fk_shares_patient_id_users"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["practitioner_id"],
            ["practitioners.id"],
            name=op.f("fk_shares_practitioner_id_practitioners"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_shares")),
        sa.UniqueConstraint(
            "patient_id", "practitioner_id", name=op.f("uq_shares_patient_id_practitioner_id")
        ),
    )
    with op.batch_alter_table("shares", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_shares_practitioner_id"), ["practitioner_id"], unique=False
        )

    op.create_table(
        "clinic_messages",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("key", sa.String(length=96), nullable=False),
        sa.Column(
            "kind",
            sa.Enum(
                "pain_checkin",
                "alert_hurts",
                "alert_pain",
                "alert_quiet",
                "digest",
                name="clinic_message_kind",
                native_enum=False,
                create_constraint=True,
                length=16,
            ),
            nullable=False,
        ),
        sa.Column("recipient_id", sa.Integer(), nullable=False),
        sa.Column("practitioner_id", sa.Integer(), nullable=True),
        sa.Column("patient_id", sa.Integer(), nullable=True),
        sa.Column("delivery_id", sa.Integer(), nullable=True),
        sa.Column("pain_score_id", sa.Integer(), nullable=True),
        sa.Column("event_at", bot.db.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("due_at", bot.db.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column(
            "status",
            sa.Enum(
                "pending",
                "sent",
                "missed",
                "blocked",
                "failed",
                "cancelled",
                name="clinic_message_status",
                native_enum=False,
                create_constraint=True,
                length=16,
            ),
            nullable=False,
        ),
        sa.Column("lease_until", bot.db.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("message_id", sa.BigInteger(), nullable=True),
        sa.Column("sent_at", bot.db.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("error", sa.String(length=500), nullable=True),
        sa.Column("created_at", bot.db.types.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["delivery_id"],
            ["deliveries.id"],
            name=op.f("fk_clinic_messages_delivery_id_deliveries"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["pain_score_id"],
            ["pain_scores.id"],
            name=op.f("fk_clinic_messages_pain_score_id_pain_scores"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["patient_id"],
            ["users.id"],
            name=op.f("fk_clinic_messages_patient_id_users"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["practitioner_id"],
            ["practitioners.id"],
            name=op.f("fk_clinic_messages_practitioner_id_practitioners"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["recipient_id"],
            ["users.id"],
            name=op.f("fk_clinic_messages_recipient_id_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_clinic_messages")),
        sa.UniqueConstraint("key", name=op.f("uq_clinic_messages_key")),
    )
    with op.batch_alter_table("clinic_messages", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_clinic_messages_patient_id"), ["patient_id"], unique=False
        )
        batch_op.create_index(
            "ix_clinic_messages_status_due_at", ["status", "due_at"], unique=False
        )

    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.add_column(sa.Column("pain_checkin_day", sa.Integer(), nullable=True))
        batch_op.add_column(
            sa.Column("pain_next_at", bot.db.types.UTCDateTime(timezone=True), nullable=True)
        )
        batch_op.create_index(batch_op.f("ix_users_pain_next_at"), ["pain_next_at"], unique=False)


def downgrade() -> None:

    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_users_pain_next_at"))
        batch_op.drop_column("pain_next_at")
        batch_op.drop_column("pain_checkin_day")

    with op.batch_alter_table("clinic_messages", schema=None) as batch_op:
        batch_op.drop_index("ix_clinic_messages_status_due_at")
        batch_op.drop_index(batch_op.f("ix_clinic_messages_patient_id"))

    op.drop_table("clinic_messages")
    with op.batch_alter_table("shares", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_shares_practitioner_id"))

    op.drop_table("shares")
    op.drop_table("practitioners")
    with op.batch_alter_table("pain_scores", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_pain_scores_user_id"))

    op.drop_table("pain_scores")
