"""Extra questions of a round, their options, and the answers to them that are not free text.

Questions and options are staff content. An answer row names no person: the author is the same
keyed-hash pseudonym as a contribution's, the primary key is random and the only date is the
day, so that neither the row's place in the table nor its time says who gave it (TARGETS A11).
Free-text answers are contributions (``target`` ``question:<id>``), so that they can be themed.
"""

from __future__ import annotations

import datetime as dt
import enum
import uuid
from typing import TYPE_CHECKING

from sqlalchemy import ColumnElement, ForeignKey, String, Text, or_
from sqlalchemy.orm import Mapped, mapped_column, relationship

from dialogue.core.db import Base, enum_type
from dialogue.core.models.contribution import Contribution

if TYPE_CHECKING:
    from dialogue.core.models.round import Round


class QuestionType(enum.Enum):
    """What a question asks for; a background question offers one of the predefined band sets."""

    SINGLE = "single"
    MULTIPLE = "multiple"
    SCALE = "scale"
    TEXT = "text"
    BACKGROUND = "background"


#: The prefix of the ``Contribution.target`` of a free-text answer: ``question:<id>``.
QUESTION_TARGET_PREFIX = "question:"


def kind_input() -> ColumnElement[bool]:
    """A condition on ``Contribution`` that leaves out text answers to extra questions.

    A round kind's own counting, listing and theming reads only what its own form asked for.
    """
    return or_(
        Contribution.target.is_(None), Contribution.target.not_like(f"{QUESTION_TARGET_PREFIX}%")
    )


class RoundQuestion(Base):
    """One extra question of a round, in Danish and English, in the round's order."""

    __tablename__ = "round_questions"

    id: Mapped[int] = mapped_column(primary_key=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("rounds.id", ondelete="CASCADE"), index=True)
    position: Mapped[int]
    type: Mapped[QuestionType] = mapped_column(enum_type(QuestionType))
    text_da: Mapped[str] = mapped_column(Text)
    text_en: Mapped[str] = mapped_column(Text)
    required: Mapped[bool] = mapped_column(default=False)
    #: Longest text answer (text questions), or most options chosen (multiple choice).
    maximum: Mapped[int | None]
    #: The predefined band set a background question offers (``rounds.questions.setup.BAND_SETS``).
    band_set: Mapped[str | None] = mapped_column(String(32))

    round: Mapped[Round] = relationship()
    options: Mapped[list[QuestionOption]] = relationship(
        back_populates="question",
        order_by="QuestionOption.position",
        cascade="all, delete-orphan",
        passive_deletes=True,
    )

    @property
    def target(self) -> str:
        """The ``Contribution.target`` of a text answer to this question."""
        return f"{QUESTION_TARGET_PREFIX}{self.id}"

    def text(self, language: str) -> str:
        """The question in ``language`` (Danish or English)."""
        return self.text_da if language == "da" else self.text_en

    def __repr__(self) -> str:
        return f"<RoundQuestion {self.id} {self.type.value}>"


class QuestionOption(Base):
    """One option of a choice question, in Danish and English."""

    __tablename__ = "question_options"

    id: Mapped[int] = mapped_column(primary_key=True)
    question_id: Mapped[int] = mapped_column(
        ForeignKey("round_questions.id", ondelete="CASCADE"), index=True
    )
    position: Mapped[int]
    label_da: Mapped[str] = mapped_column(String(200))
    label_en: Mapped[str] = mapped_column(String(200))

    question: Mapped[RoundQuestion] = relationship(back_populates="options")

    def label(self, language: str) -> str:
        """The option in ``language`` (Danish or English)."""
        return self.label_da if language == "da" else self.label_en


class QuestionAnswer(Base):
    """One chosen option or scale value of one author; a multiple choice has a row per option."""

    __tablename__ = "question_answers"
    #: Stored in the order of the random ids, not in write order (TARGETS A11).
    __table_args__ = {"sqlite_with_rowid": False}

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    question_id: Mapped[int] = mapped_column(
        ForeignKey("round_questions.id", ondelete="CASCADE"), index=True
    )
    author: Mapped[str] = mapped_column(String(64), index=True)
    option_id: Mapped[int | None] = mapped_column(
        ForeignKey("question_options.id", ondelete="CASCADE")
    )
    #: The chosen value of a 1–5 scale.
    value: Mapped[int | None]
    created_on: Mapped[dt.date]
