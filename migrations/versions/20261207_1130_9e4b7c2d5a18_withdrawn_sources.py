"""Count the sources a theme or a proposal lost when their authors withdrew or erased them.

themes.withdrawn_sources, proposals.withdrawn_sources: how many texts placed in the theme, or
behind the proposal, were later withdrawn or erased by their authors; the trace's note that a
source is gone. A count with no date (TARGETS A11); 0 for every existing row.

Revision ID: 9e4b7c2d5a18
Revises: c3d8f2a61e47
Create Date: 2026-12-07 11:30:00.000000
"""

import sqlalchemy as sa
from alembic import op

revision = "9e4b7c2d5a18"
down_revision = "c3d8f2a61e47"
branch_labels = None
depends_on = None

TABLES = ("themes", "proposals")


def upgrade() -> None:
    for table in TABLES:
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.add_column(
                sa.Column("withdrawn_sources", sa.Integer(), server_default="0", nullable=False)
            )


def downgrade() -> None:
    for table in TABLES:
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_column("withdrawn_sources")
