"""Add identifying spans, redactions and the fingerprints of published rounds.

identifying_spans: offsets and kind of a detail in a contribution that looks identifying (an
e-mail address, a phone or CPR number, a listed name); never the matched text. Content.

redactions: which consultant replaced which kind of detail in a contribution, and when; never
the original. A staff action table, like theme_edits.

round_fingerprints: SHA-256 over a round's published anonymous data, one row per publication.

Revision ID: d4e3fa05b1c7
Revises: a1f0c7d2b8e4
Create Date: 2026-11-26 12:15:57.351417
"""
# Data migrations: use op.execute(sa.text(...)) or a local sa.table(); never import
# dialogue.core.models, which will have changed by the time this revision runs again.

import sqlalchemy as sa
from alembic import op

revision = "d4e3fa05b1c7"
down_revision = "a1f0c7d2b8e4"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "round_fingerprints",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("round_id", sa.Integer(), nullable=False),
        sa.Column("form_version", sa.Integer(), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("published_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["round_id"],
            ["rounds.id"],
            name=op.f("fk_round_fingerprints_round_id_rounds"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_round_fingerprints")),
    )
    with op.batch_alter_table("round_fingerprints", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_round_fingerprints_round_id"), ["round_id"], unique=False
        )

    op.create_table(
        "identifying_spans",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("contribution_id", sa.Uuid(), nullable=False),
        sa.Column("span_start", sa.Integer(), nullable=False),
        sa.Column("span_end", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.ForeignKeyConstraint(
            ["contribution_id"],
            ["contributions.id"],
            name=op.f("fk_identifying_spans_contribution_id_contributions"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_identifying_spans")),
    )
    with op.batch_alter_table("identifying_spans", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_identifying_spans_contribution_id"), ["contribution_id"], unique=False
        )

    op.create_table(
        "redactions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("contribution_id", sa.Uuid(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("actor_id", sa.Integer(), nullable=True),
        sa.Column("redacted_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["actor_id"],
            ["people.id"],
            name=op.f("fk_redactions_actor_id_people"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["contribution_id"],
            ["contributions.id"],
            name=op.f("fk_redactions_contribution_id_contributions"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_redactions")),
    )
    with op.batch_alter_table("redactions", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_redactions_contribution_id"), ["contribution_id"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("redactions", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_redactions_contribution_id"))

    op.drop_table("redactions")
    with op.batch_alter_table("identifying_spans", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_identifying_spans_contribution_id"))

    op.drop_table("identifying_spans")
    with op.batch_alter_table("round_fingerprints", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_round_fingerprints_round_id"))

    op.drop_table("round_fingerprints")
