"""Release participants' input to the staff in batches of at least the minimum group size.

contributions.released: while a round is open, a new or changed contribution waits, unseen by
the staff, until at least the minimum group size of authors have input waiting; then all of it
is released at once (``rounds.release``). Existing rows are released. A partial index finds the
waiting rows of a round without reading the others.

Revision ID: a7c3e5d9f1b2
Revises: f6a5bc27d3e9
Create Date: 2026-12-07 01:50:00.000000
"""

import sqlalchemy as sa
from alembic import op

revision = "a7c3e5d9f1b2"
down_revision = "f6a5bc27d3e9"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("contributions") as batch:
        batch.add_column(
            sa.Column("released", sa.Boolean(), server_default=sa.true(), nullable=False)
        )
    op.create_index(
        "ix_contributions_waiting",
        "contributions",
        ["round_id", "author"],
        unique=False,
        sqlite_where=sa.text("released = 0"),
        postgresql_where=sa.text("released = false"),
    )


def downgrade() -> None:
    op.drop_index(
        "ix_contributions_waiting",
        table_name="contributions",
        sqlite_where=sa.text("released = 0"),
        postgresql_where=sa.text("released = false"),
    )
    with op.batch_alter_table("contributions") as batch:
        batch.drop_column("released")
