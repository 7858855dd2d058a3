"""Add member checks and the follow-up of final values and critical factors.

member_checks: a participant's "is this what you meant?" per contribution, keyed by the
contribution's random id alone (content: no person, no time, no counter that tells the order
of answers), with the consultant's visible response.

follow_ups, follow_up_notes, follow_up_reviews: initiatives under final values and critical
factors from the coverage view, with owner unit, status, dated notes and periodic reviews.
Staff tables: they name the staff member who acted, never a participant.

Revision ID: c3d2e9f4a0b6
Revises: b2e1d8c3f9a5
Create Date: 2026-11-26 12:15:54.057666
"""
# Data migrations: use op.execute(sa.text(...)) or a local sa.table(); never import
# dialogue.core.models, which will have changed by the time this revision runs again.

import sqlalchemy as sa
from alembic import op

revision = "c3d2e9f4a0b6"
down_revision = "b2e1d8c3f9a5"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "follow_up_reviews",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("dialogue_id", sa.Integer(), nullable=False),
        sa.Column(
            "period",
            sa.Enum(
                "month", "quarter", "half_year", name="reviewperiod", native_enum=False, length=32
            ),
            nullable=False,
        ),
        sa.Column("since", sa.Date(), nullable=False),
        sa.Column("held_on", sa.Date(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("actor_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["actor_id"],
            ["people.id"],
            name=op.f("fk_follow_up_reviews_actor_id_people"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["dialogue_id"],
            ["dialogues.id"],
            name=op.f("fk_follow_up_reviews_dialogue_id_dialogues"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_follow_up_reviews")),
    )
    with op.batch_alter_table("follow_up_reviews", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_follow_up_reviews_dialogue_id"), ["dialogue_id"], unique=False
        )

    op.create_table(
        "member_checks",
        sa.Column("contribution_id", sa.Uuid(), nullable=False),
        sa.Column(
            "answer",
            sa.Enum("yes", "partly", "no", name="checkanswer", native_enum=False, length=32),
            nullable=False,
        ),
        sa.Column("comment", sa.String(length=1000), nullable=False),
        sa.Column("response", sa.String(length=1000), nullable=True),
        sa.ForeignKeyConstraint(
            ["contribution_id"],
            ["contributions.id"],
            name=op.f("fk_member_checks_contribution_id_contributions"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("contribution_id", name=op.f("pk_member_checks")),
    )
    op.create_table(
        "follow_ups",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("dialogue_id", sa.Integer(), nullable=False),
        sa.Column("proposal_id", sa.Integer(), nullable=True),
        sa.Column("coverage_mark_id", sa.Integer(), nullable=True),
        sa.Column("contribution_id", sa.Uuid(), nullable=True),
        sa.Column(
            "origin",
            sa.Enum(
                "management",
                "commitment",
                "critical_factor",
                name="followuporigin",
                native_enum=False,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("owner_unit", sa.String(length=120), nullable=False),
        sa.Column(
            "status",
            sa.Enum(
                "planned",
                "in_progress",
                "done",
                "dropped",
                name="followupstatus",
                native_enum=False,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("created_on", sa.Date(), nullable=False),
        sa.Column("actor_id", sa.Integer(), nullable=True),
        sa.CheckConstraint(
            "proposal_id IS NULL OR coverage_mark_id IS NULL",
            name=op.f("ck_follow_ups_value_or_factor"),
        ),
        sa.ForeignKeyConstraint(
            ["actor_id"],
            ["people.id"],
            name=op.f("fk_follow_ups_actor_id_people"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["contribution_id"],
            ["contributions.id"],
            name=op.f("fk_follow_ups_contribution_id_contributions"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["coverage_mark_id"],
            ["coverage_marks.id"],
            name=op.f("fk_follow_ups_coverage_mark_id_coverage_marks"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["dialogue_id"],
            ["dialogues.id"],
            name=op.f("fk_follow_ups_dialogue_id_dialogues"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["proposal_id"],
            ["proposals.id"],
            name=op.f("fk_follow_ups_proposal_id_proposals"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_follow_ups")),
        sa.UniqueConstraint("coverage_mark_id", name=op.f("uq_follow_ups_coverage_mark_id")),
    )
    with op.batch_alter_table("follow_ups", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_follow_ups_dialogue_id"), ["dialogue_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_follow_ups_proposal_id"), ["proposal_id"], unique=False
        )

    op.create_table(
        "follow_up_notes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("follow_up_id", sa.Integer(), nullable=False),
        sa.Column("written_on", sa.Date(), nullable=False),
        sa.Column(
            "status",
            sa.Enum(
                "planned",
                "in_progress",
                "done",
                "dropped",
                name="followupstatus",
                native_enum=False,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("actor_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["actor_id"],
            ["people.id"],
            name=op.f("fk_follow_up_notes_actor_id_people"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["follow_up_id"],
            ["follow_ups.id"],
            name=op.f("fk_follow_up_notes_follow_up_id_follow_ups"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_follow_up_notes")),
    )
    with op.batch_alter_table("follow_up_notes", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_follow_up_notes_follow_up_id"), ["follow_up_id"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("follow_up_notes", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_follow_up_notes_follow_up_id"))

    op.drop_table("follow_up_notes")
    with op.batch_alter_table("follow_ups", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_follow_ups_proposal_id"))
        batch_op.drop_index(batch_op.f("ix_follow_ups_dialogue_id"))

    op.drop_table("follow_ups")
    op.drop_table("member_checks")
    with op.batch_alter_table("follow_up_reviews", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_follow_up_reviews_dialogue_id"))

    op.drop_table("follow_up_reviews")
