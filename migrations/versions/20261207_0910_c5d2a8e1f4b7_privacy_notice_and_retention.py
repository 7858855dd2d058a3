"""A privacy notice and a retention period per dialogue.

dialogues.data_controller, notice_da, notice_en: who is responsible for the data and the admin's
own notice text (empty: the standard text). retention_days (365 for existing dialogues): days
after the last round closes until ``dialogue purge`` removes the personal data; keep_results
(true): whether the published results and final values stay, anonymously; purged_on: when it ran.

Revision ID: c5d2a8e1f4b7
Revises: b3e8f1a6c0d4
Create Date: 2026-12-07 09:00:00.000000
"""

import sqlalchemy as sa
from alembic import op

revision = "c5d2a8e1f4b7"
down_revision = "b3e8f1a6c0d4"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("dialogues", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("data_controller", sa.String(length=200), server_default="", nullable=False)
        )
        batch_op.add_column(sa.Column("notice_da", sa.Text(), server_default="", nullable=False))
        batch_op.add_column(sa.Column("notice_en", sa.Text(), server_default="", nullable=False))
        batch_op.add_column(
            sa.Column("retention_days", sa.Integer(), server_default="365", nullable=False)
        )
        batch_op.add_column(
            sa.Column("keep_results", sa.Boolean(), server_default=sa.true(), nullable=False)
        )
        batch_op.add_column(sa.Column("purged_on", sa.Date(), nullable=True))
        batch_op.create_check_constraint(op.f("ck_dialogues_retention_days"), "retention_days >= 1")


def downgrade() -> None:
    with op.batch_alter_table("dialogues", schema=None) as batch_op:
        batch_op.drop_constraint(op.f("ck_dialogues_retention_days"), type_="check")
        batch_op.drop_column("purged_on")
        batch_op.drop_column("keep_results")
        batch_op.drop_column("retention_days")
        batch_op.drop_column("notice_en")
        batch_op.drop_column("notice_da")
        batch_op.drop_column("data_controller")
