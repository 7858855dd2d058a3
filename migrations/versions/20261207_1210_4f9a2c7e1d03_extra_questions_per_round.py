"""Extra questions per round: the questions, their options, and the answers that are not text.

Answers are keyed by a random id and name their author by pseudonym and the day only, without
a rowid on SQLite (TARGETS A11); text answers are contributions, so they need no table here.

Revision ID: 4f9a2c7e1d03
Revises: a88871586779
Create Date: 2026-12-07 12:10:47.715404
"""
# Data migrations: use op.execute(sa.text(...)) or a local sa.table(); never import
# dialogue.models, which will have changed by the time this revision runs again.

import sqlalchemy as sa
from alembic import op

revision = "4f9a2c7e1d03"
down_revision = "a88871586779"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "round_questions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("round_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column(
            "type",
            sa.Enum(
                "single",
                "multiple",
                "scale",
                "text",
                "background",
                name="questiontype",
                native_enum=False,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("text_da", sa.Text(), nullable=False),
        sa.Column("text_en", sa.Text(), nullable=False),
        sa.Column("required", sa.Boolean(), nullable=False),
        sa.Column("maximum", sa.Integer(), nullable=True),
        sa.Column("band_set", sa.String(length=32), nullable=True),
        sa.ForeignKeyConstraint(
            ["round_id"],
            ["rounds.id"],
            name=op.f("fk_round_questions_round_id_rounds"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_round_questions")),
    )
    with op.batch_alter_table("round_questions", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_round_questions_round_id"), ["round_id"], unique=False)

    op.create_table(
        "question_options",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("question_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("label_da", sa.String(length=200), nullable=False),
        sa.Column("label_en", sa.String(length=200), nullable=False),
        sa.ForeignKeyConstraint(
            ["question_id"],
            ["round_questions.id"],
            name=op.f("fk_question_options_question_id_round_questions"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_question_options")),
    )
    with op.batch_alter_table("question_options", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_question_options_question_id"), ["question_id"], unique=False
        )

    op.create_table(
        "question_answers",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("question_id", sa.Integer(), nullable=False),
        sa.Column("author", sa.String(length=64), nullable=False),
        sa.Column("option_id", sa.Integer(), nullable=True),
        sa.Column("value", sa.Integer(), nullable=True),
        sa.Column("created_on", sa.Date(), nullable=False),
        sa.ForeignKeyConstraint(
            ["option_id"],
            ["question_options.id"],
            name=op.f("fk_question_answers_option_id_question_options"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["question_id"],
            ["round_questions.id"],
            name=op.f("fk_question_answers_question_id_round_questions"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_question_answers")),
        sqlite_with_rowid=False,
    )
    with op.batch_alter_table("question_answers", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_question_answers_author"), ["author"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_question_answers_question_id"), ["question_id"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("question_answers", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_question_answers_question_id"))
        batch_op.drop_index(batch_op.f("ix_question_answers_author"))

    op.drop_table("question_answers")
    with op.batch_alter_table("question_options", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_question_options_question_id"))

    op.drop_table("question_options")
    with op.batch_alter_table("round_questions", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_round_questions_round_id"))

    op.drop_table("round_questions")
