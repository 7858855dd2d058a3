"""Add theme analysis: runs, themes and their members, the edit log, reasons for hiding.

Revision ID: f8b427cfda16
Revises: e99eca8ee708
Create Date: 2026-11-26 09:51:40.609599
"""
# Data migrations: use op.execute(sa.text(...)) or a local sa.table(); never import
# dialogue.core.models, which will have changed by the time this revision runs again.

import sqlalchemy as sa
from alembic import op

revision = "f8b427cfda16"
down_revision = "e99eca8ee708"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "analysis_runs",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("round_id", sa.Integer(), nullable=False),
        sa.Column("method", sa.String(length=32), nullable=False),
        sa.Column("parameters", sa.JSON(), nullable=False),
        sa.Column("seed", sa.Integer(), nullable=False),
        sa.Column("versions", sa.JSON(), nullable=False),
        sa.Column("quality", sa.JSON(), nullable=False),
        sa.Column("changes", sa.JSON(), nullable=False),
        sa.Column("duplicate_groups", sa.JSON(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("actor_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["actor_id"],
            ["people.id"],
            name=op.f("fk_analysis_runs_actor_id_people"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["round_id"],
            ["rounds.id"],
            name=op.f("fk_analysis_runs_round_id_rounds"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_analysis_runs")),
    )
    op.create_index(op.f("ix_analysis_runs_round_id"), "analysis_runs", ["round_id"], unique=False)
    op.create_table(
        "theme_edits",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("round_id", sa.Integer(), nullable=False),
        sa.Column("actor_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("action", sa.String(length=32), nullable=False),
        sa.Column("summary", sa.String(length=300), nullable=False),
        sa.Column("before", sa.JSON(), nullable=False),
        sa.Column("after", sa.JSON(), nullable=False),
        sa.Column("undone_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["actor_id"],
            ["people.id"],
            name=op.f("fk_theme_edits_actor_id_people"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["round_id"],
            ["rounds.id"],
            name=op.f("fk_theme_edits_round_id_rounds"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_theme_edits")),
    )
    op.create_index(op.f("ix_theme_edits_round_id"), "theme_edits", ["round_id"], unique=False)
    op.create_table(
        "contribution_moderations",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("contribution_id", sa.Uuid(), nullable=False),
        sa.Column(
            "reason",
            sa.Enum("off_topic", "identifying", name="hidereason", native_enum=False, length=32),
            nullable=False,
        ),
        sa.Column("note", sa.String(length=500), nullable=False),
        sa.ForeignKeyConstraint(
            ["contribution_id"],
            ["contributions.id"],
            name=op.f("fk_contribution_moderations_contribution_id_contributions"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_contribution_moderations")),
        sa.UniqueConstraint(
            "contribution_id", name=op.f("uq_contribution_moderations_contribution_id")
        ),
    )
    op.create_table(
        "themes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("round_id", sa.Integer(), nullable=False),
        sa.Column("label", sa.String(length=200), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("top_terms", sa.JSON(), nullable=False),
        sa.Column(
            "state",
            sa.Enum(
                "suggested",
                "accepted",
                "merged",
                "retired",
                name="themestate",
                native_enum=False,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column(
            "origin",
            sa.Enum("run", "split", "manual", name="themeorigin", native_enum=False, length=32),
            nullable=False,
        ),
        sa.Column("has_custom_label", sa.Boolean(), nullable=False),
        sa.Column("run_id", sa.Integer(), nullable=True),
        sa.Column("merged_into_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["merged_into_id"],
            ["themes.id"],
            name=op.f("fk_themes_merged_into_id_themes"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["round_id"], ["rounds.id"], name=op.f("fk_themes_round_id_rounds"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["run_id"],
            ["analysis_runs.id"],
            name=op.f("fk_themes_run_id_analysis_runs"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_themes")),
    )
    op.create_index(op.f("ix_themes_round_id"), "themes", ["round_id"], unique=False)
    op.create_table(
        "theme_members",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("theme_id", sa.Integer(), nullable=False),
        sa.Column("contribution_id", sa.Uuid(), nullable=False),
        sa.Column(
            "source",
            sa.Enum("auto", "manual", name="membersource", native_enum=False, length=32),
            nullable=False,
        ),
        sa.Column("score", sa.Double(), nullable=True),
        sa.ForeignKeyConstraint(
            ["contribution_id"],
            ["contributions.id"],
            name=op.f("fk_theme_members_contribution_id_contributions"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["theme_id"],
            ["themes.id"],
            name=op.f("fk_theme_members_theme_id_themes"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_theme_members")),
        sa.UniqueConstraint(
            "theme_id", "contribution_id", name=op.f("uq_theme_members_theme_id_contribution_id")
        ),
    )
    op.create_index(
        op.f("ix_theme_members_contribution_id"), "theme_members", ["contribution_id"], unique=False
    )
    op.create_index(op.f("ix_theme_members_theme_id"), "theme_members", ["theme_id"], unique=False)


def downgrade() -> None:
    op.drop_index(op.f("ix_theme_members_theme_id"), table_name="theme_members")
    op.drop_index(op.f("ix_theme_members_contribution_id"), table_name="theme_members")
    op.drop_table("theme_members")
    op.drop_index(op.f("ix_themes_round_id"), table_name="themes")
    op.drop_table("themes")
    op.drop_table("contribution_moderations")
    op.drop_index(op.f("ix_theme_edits_round_id"), table_name="theme_edits")
    op.drop_table("theme_edits")
    op.drop_index(op.f("ix_analysis_runs_round_id"), table_name="analysis_runs")
    op.drop_table("analysis_runs")
