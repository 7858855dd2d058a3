"""Add background jobs, the results cache of closed rounds, and indexes for large dialogues.

jobs: one row per background job (analysis, import, export) with its state and progress;
``active_key`` is unique while a job is queued or running, so a round cannot have two. A
staff/system table: it may name the staff member who started a job, never a participant.

round_results_cache: results of closed rounds, computed once (aggregates only).

Indexes: people (name, email) for the paged participant list; partial indexes on a round's
hidden contributions and on scored theme members (quotes).

Revision ID: ee868b543672
Revises: 6cc01f6d4902
Create Date: 2026-11-26 10:18:34.311919
"""
# Data migrations: use op.execute(sa.text(...)) or a local sa.table(); never import
# dialogue.core.models, which will have changed by the time this revision runs again.

import sqlalchemy as sa
from alembic import op

revision = "ee868b543672"
down_revision = "6cc01f6d4902"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "jobs",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("key", sa.String(length=120), nullable=False),
        sa.Column("active_key", sa.String(length=160), nullable=True),
        sa.Column("dialogue_id", sa.Integer(), nullable=True),
        sa.Column("actor_id", sa.Integer(), nullable=True),
        sa.Column(
            "state",
            sa.Enum(
                "queued", "running", "done", "failed", name="jobstate", native_enum=False, length=32
            ),
            nullable=False,
        ),
        sa.Column("done", sa.Integer(), nullable=False),
        sa.Column("total", sa.Integer(), nullable=False),
        sa.Column("message", sa.String(length=300), nullable=False),
        sa.Column("result_url", sa.String(length=300), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("finished_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["actor_id"], ["people.id"], name=op.f("fk_jobs_actor_id_people"), ondelete="SET NULL"
        ),
        sa.ForeignKeyConstraint(
            ["dialogue_id"],
            ["dialogues.id"],
            name=op.f("fk_jobs_dialogue_id_dialogues"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_jobs")),
        sa.UniqueConstraint("active_key", name=op.f("uq_jobs_active_key")),
    )
    with op.batch_alter_table("jobs", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_jobs_dialogue_id"), ["dialogue_id"], unique=False)

    op.create_table(
        "round_results_cache",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("round_id", sa.Integer(), nullable=False),
        sa.Column("variant", sa.String(length=40), nullable=False),
        sa.Column("version", sa.String(length=64), nullable=False),
        sa.Column("payload", sa.JSON(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["round_id"],
            ["rounds.id"],
            name=op.f("fk_round_results_cache_round_id_rounds"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_round_results_cache")),
        sa.UniqueConstraint(
            "round_id", "variant", name=op.f("uq_round_results_cache_round_id_variant")
        ),
    )
    with op.batch_alter_table("people", schema=None) as batch_op:
        batch_op.create_index("ix_people_name_email", ["name", "email"], unique=False)

    op.create_index(
        "ix_contributions_round_author_moderation",
        "contributions",
        ["round_id", "author", "moderation"],
        unique=False,
    )
    op.create_index(
        "ix_contributions_hidden",
        "contributions",
        ["round_id"],
        unique=False,
        sqlite_where=sa.text("moderation = 'hidden'"),
        postgresql_where=sa.text("moderation = 'hidden'"),
    )
    op.create_index(
        "ix_theme_members_theme_score",
        "theme_members",
        ["theme_id", "score"],
        unique=False,
        sqlite_where=sa.text("score IS NOT NULL"),
        postgresql_where=sa.text("score IS NOT NULL"),
    )


def downgrade() -> None:
    op.drop_index("ix_theme_members_theme_score", table_name="theme_members")
    op.drop_index("ix_contributions_hidden", table_name="contributions")
    op.drop_index("ix_contributions_round_author_moderation", table_name="contributions")
    with op.batch_alter_table("people", schema=None) as batch_op:
        batch_op.drop_index("ix_people_name_email")

    op.drop_table("round_results_cache")
    with op.batch_alter_table("jobs", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_jobs_dialogue_id"))

    op.drop_table("jobs")
    # ### end Alembic commands ###
