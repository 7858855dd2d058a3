"""Let a dialogue's participants sign in through the installation's OpenID provider.

dialogues.oidc_claim: the ID-token claim holding a participant's e-mail address (usually
"email"); NULL, the value for every existing dialogue, keeps sign-in by link only.

Revision ID: b3e8f1a6c0d4
Revises: e7b4c1d9a2f3
Create Date: 2026-12-07 09:00:00.000000
"""

import sqlalchemy as sa
from alembic import op

revision = "b3e8f1a6c0d4"
down_revision = "e7b4c1d9a2f3"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("dialogues", schema=None) as batch_op:
        batch_op.add_column(sa.Column("oidc_claim", sa.String(length=64), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("dialogues", schema=None) as batch_op:
        batch_op.drop_column("oidc_claim")
