"""Add proposals: versions, sources (the traceability links) and coverage marks.

Revision ID: 6cc01f6d4902
Revises: f8b427cfda16
Create Date: 2026-11-26 10:10:38.299426
"""
# Data migrations: use op.execute(sa.text(...)) or a local sa.table(); never import
# dialogue.core.models, which will have changed by the time this revision runs again.

import sqlalchemy as sa
from alembic import op

revision = "6cc01f6d4902"
down_revision = "f8b427cfda16"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "proposals",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("dialogue_id", sa.Integer(), nullable=False),
        sa.Column(
            "kind",
            sa.Enum(
                "value", "strategy", "initiative", name="proposalkind", native_enum=False, length=32
            ),
            nullable=False,
        ),
        sa.Column(
            "perspective",
            sa.Enum(
                "society",
                "citizens",
                "processes",
                "employees",
                name="perspective",
                native_enum=False,
                length=32,
            ),
            nullable=True,
        ),
        sa.Column(
            "status",
            sa.Enum(
                "draft",
                "consultation",
                "final",
                "dropped",
                name="proposalstatus",
                native_enum=False,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("consultation_round_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("actor_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["actor_id"],
            ["people.id"],
            name=op.f("fk_proposals_actor_id_people"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["consultation_round_id"],
            ["rounds.id"],
            name=op.f("fk_proposals_consultation_round_id_rounds"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["dialogue_id"],
            ["dialogues.id"],
            name=op.f("fk_proposals_dialogue_id_dialogues"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_proposals")),
    )
    with op.batch_alter_table("proposals", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_proposals_dialogue_id"), ["dialogue_id"], unique=False)

    op.create_table(
        "proposal_versions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("proposal_id", sa.Integer(), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column(
            "stage",
            sa.Enum(
                "draft",
                "consultation",
                "final",
                "dropped",
                name="versionstage",
                native_enum=False,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("change_note", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("actor_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["actor_id"],
            ["people.id"],
            name=op.f("fk_proposal_versions_actor_id_people"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["proposal_id"],
            ["proposals.id"],
            name=op.f("fk_proposal_versions_proposal_id_proposals"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_proposal_versions")),
        sa.UniqueConstraint(
            "proposal_id", "number", name=op.f("uq_proposal_versions_proposal_id_number")
        ),
    )
    with op.batch_alter_table("proposal_versions", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_proposal_versions_proposal_id"), ["proposal_id"], unique=False
        )

    op.create_table(
        "coverage_marks",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("dialogue_id", sa.Integer(), nullable=False),
        sa.Column("theme_id", sa.Integer(), nullable=True),
        sa.Column("contribution_id", sa.Uuid(), nullable=True),
        sa.Column(
            "status",
            sa.Enum(
                "addressed_elsewhere",
                "left_out",
                "follow_up",
                name="coveragestatus",
                native_enum=False,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("reason", sa.String(length=500), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("actor_id", sa.Integer(), nullable=True),
        sa.CheckConstraint(
            "(theme_id IS NULL) <> (contribution_id IS NULL)",
            name=op.f("ck_coverage_marks_theme_or_contribution"),
        ),
        sa.ForeignKeyConstraint(
            ["actor_id"],
            ["people.id"],
            name=op.f("fk_coverage_marks_actor_id_people"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["contribution_id"],
            ["contributions.id"],
            name=op.f("fk_coverage_marks_contribution_id_contributions"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["dialogue_id"],
            ["dialogues.id"],
            name=op.f("fk_coverage_marks_dialogue_id_dialogues"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["theme_id"],
            ["themes.id"],
            name=op.f("fk_coverage_marks_theme_id_themes"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_coverage_marks")),
        sa.UniqueConstraint("contribution_id", name=op.f("uq_coverage_marks_contribution_id")),
        sa.UniqueConstraint("theme_id", name=op.f("uq_coverage_marks_theme_id")),
    )
    with op.batch_alter_table("coverage_marks", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_coverage_marks_dialogue_id"), ["dialogue_id"], unique=False
        )

    op.create_table(
        "proposal_sources",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("proposal_id", sa.Integer(), nullable=False),
        sa.Column("theme_id", sa.Integer(), nullable=True),
        sa.Column("contribution_id", sa.Uuid(), nullable=True),
        sa.Column("note", sa.String(length=500), nullable=False),
        sa.Column("actor_id", sa.Integer(), nullable=True),
        sa.CheckConstraint(
            "(theme_id IS NULL) <> (contribution_id IS NULL)",
            name=op.f("ck_proposal_sources_theme_or_contribution"),
        ),
        sa.ForeignKeyConstraint(
            ["actor_id"],
            ["people.id"],
            name=op.f("fk_proposal_sources_actor_id_people"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["contribution_id"],
            ["contributions.id"],
            name=op.f("fk_proposal_sources_contribution_id_contributions"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["proposal_id"],
            ["proposals.id"],
            name=op.f("fk_proposal_sources_proposal_id_proposals"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["theme_id"],
            ["themes.id"],
            name=op.f("fk_proposal_sources_theme_id_themes"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_proposal_sources")),
        sa.UniqueConstraint(
            "proposal_id",
            "contribution_id",
            name=op.f("uq_proposal_sources_proposal_id_contribution_id"),
        ),
        sa.UniqueConstraint(
            "proposal_id", "theme_id", name=op.f("uq_proposal_sources_proposal_id_theme_id")
        ),
    )
    with op.batch_alter_table("proposal_sources", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_proposal_sources_contribution_id"), ["contribution_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_proposal_sources_proposal_id"), ["proposal_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_proposal_sources_theme_id"), ["theme_id"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("proposal_sources", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_proposal_sources_theme_id"))
        batch_op.drop_index(batch_op.f("ix_proposal_sources_proposal_id"))
        batch_op.drop_index(batch_op.f("ix_proposal_sources_contribution_id"))

    op.drop_table("proposal_sources")
    with op.batch_alter_table("coverage_marks", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_coverage_marks_dialogue_id"))

    op.drop_table("coverage_marks")
    with op.batch_alter_table("proposal_versions", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_proposal_versions_proposal_id"))

    op.drop_table("proposal_versions")
    with op.batch_alter_table("proposals", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_proposals_dialogue_id"))

    op.drop_table("proposals")
