"""Add contribution_embeddings: one sentence embedding per contribution, for semantic themes.

A content table keyed by the contribution's random id: model name, hash of the embedded text,
the vector (float32 bytes) and the token count. No author and no timestamp.

Revision ID: b2e1d8c3f9a5
Revises: e5f4ab16c2d8
Create Date: 2026-11-26 12:30:00.000000
"""
# Data migrations: use op.execute(sa.text(...)) or a local sa.table(); never import
# dialogue.core.models, which will have changed by the time this revision runs again.

import sqlalchemy as sa
from alembic import op

revision = "b2e1d8c3f9a5"
down_revision = "e5f4ab16c2d8"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "contribution_embeddings",
        sa.Column("contribution_id", sa.Uuid(), nullable=False),
        sa.Column("model", sa.String(length=64), nullable=False),
        sa.Column("text_hash", sa.String(length=64), nullable=False),
        sa.Column("vector", sa.LargeBinary(), nullable=False),
        sa.Column("tokens", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["contribution_id"],
            ["contributions.id"],
            name=op.f("fk_contribution_embeddings_contribution_id_contributions"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("contribution_id", name=op.f("pk_contribution_embeddings")),
    )


def downgrade() -> None:
    op.drop_table("contribution_embeddings")
