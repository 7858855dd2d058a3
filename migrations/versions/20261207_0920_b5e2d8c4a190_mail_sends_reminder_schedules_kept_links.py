"""The log of invitation and reminder sends, reminder schedules, and earlier links kept working.

A send is logged with its count only (never recipients); scheduled reminders are logged with
their schedule, so that ``dialogue tick`` sends each one once. Kept links let a new send leave
the links sent earlier working unless the admin asks to replace them.

Revision ID: b5e2d8c4a190
Revises: c5d2a8e1f4b7
Create Date: 2026-12-07 09:10:00.000000
"""

import sqlalchemy as sa
from alembic import op

revision = "b5e2d8c4a190"
down_revision = "c5d2a8e1f4b7"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "kept_links",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("membership_id", sa.Integer(), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["membership_id"],
            ["memberships.id"],
            name=op.f("fk_kept_links_membership_id_memberships"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_kept_links")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_kept_links_token_hash")),
    )
    with op.batch_alter_table("kept_links", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_kept_links_membership_id"), ["membership_id"], unique=False
        )

    op.create_table(
        "reminder_schedules",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("round_id", sa.Integer(), nullable=False),
        sa.Column("hours_before_close", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["round_id"],
            ["rounds.id"],
            name=op.f("fk_reminder_schedules_round_id_rounds"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_reminder_schedules")),
        sa.UniqueConstraint(
            "round_id",
            "hours_before_close",
            name=op.f("uq_reminder_schedules_round_id_hours_before_close"),
        ),
    )
    with op.batch_alter_table("reminder_schedules", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_reminder_schedules_round_id"), ["round_id"], unique=False
        )

    op.create_table(
        "mail_sends",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("dialogue_id", sa.Integer(), nullable=False),
        sa.Column("round_id", sa.Integer(), nullable=True),
        sa.Column(
            "kind",
            sa.Enum("invitation", "reminder", name="sendkind", native_enum=False, length=32),
            nullable=False,
        ),
        sa.Column("count", sa.Integer(), nullable=False),
        sa.Column("sent_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("actor_id", sa.Integer(), nullable=True),
        sa.Column("scheduled", sa.Boolean(), nullable=False),
        sa.Column("schedule_id", sa.Integer(), nullable=True),
        sa.Column("replaced_links", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(
            ["actor_id"],
            ["people.id"],
            name=op.f("fk_mail_sends_actor_id_people"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["dialogue_id"],
            ["dialogues.id"],
            name=op.f("fk_mail_sends_dialogue_id_dialogues"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["round_id"],
            ["rounds.id"],
            name=op.f("fk_mail_sends_round_id_rounds"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["schedule_id"],
            ["reminder_schedules.id"],
            name=op.f("fk_mail_sends_schedule_id_reminder_schedules"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_mail_sends")),
        sa.UniqueConstraint("schedule_id", name=op.f("uq_mail_sends_schedule_id")),
    )
    with op.batch_alter_table("mail_sends", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_mail_sends_dialogue_id"), ["dialogue_id"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("mail_sends", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_mail_sends_dialogue_id"))

    op.drop_table("mail_sends")
    with op.batch_alter_table("reminder_schedules", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_reminder_schedules_round_id"))

    op.drop_table("reminder_schedules")
    with op.batch_alter_table("kept_links", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_kept_links_membership_id"))

    op.drop_table("kept_links")
