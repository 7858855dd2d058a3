"""What the kinds with items share: forms built per round, one answer each, texts per item.

``StructuredKind`` is the base of prioritisation, culture, consultation and action: their forms
have fields per item, so the form class is built from the round's items; their input is one
answer per participant that re-submitting replaces (``rounds.answers``). ``ItemTexts`` is the
whole of a kind that asks for short texts of a few aspects per item (culture: strengths and
weaknesses; action: what I, my team and we across units will do).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any, ClassVar

from flask_babel import lazy_gettext as _l
from sqlalchemy import and_
from wtforms import HiddenField, SubmitField, TextAreaField
from wtforms.validators import Length

from dialogue.core.forms import Form
from dialogue.core.models import Contribution, ModerationState, Round
from dialogue.core.models.question import kind_input
from rounds import answers, submissions
from rounds.base import RoundKindBase
from rounds.errors import InvalidSettings, SubmissionRejected
from rounds.items import Item
from rounds.results.aggregation import text_results
from rounds.results.reasons import REASON, REASON_MAX_LENGTH
from rounds.results.records import RoundResults
from rounds.results.texts import raw_texts
from rounds.settings import SettingField


def visible_texts(round_: Round, narrower=None):
    """The round's visible, non-empty texts of its own form, narrowed further if asked."""
    condition = and_(
        Contribution.round_id == round_.id,
        Contribution.moderation == ModerationState.VISIBLE,
        kind_input(),
        Contribution.body.is_not(None),
        Contribution.body != "",
    )
    return condition if narrower is None else and_(condition, narrower)


class AnswerForm(Form):
    """The fields every structured answer has; the per-item fields are added per round."""

    nonce = HiddenField()
    submit = SubmitField(_l("Save my answer"))


ITEMS_FIELD = SettingField(
    "items",
    _l("Items"),
    "items",
    hint=_l("One per line. To reword an item, change its line where it stands."),
)
SOURCE_FIELD = SettingField(
    "source_round",
    _l("Earlier round the items came from"),
    "round",
    hint=_l("Its published results are shown to participants as feedback."),
)


def reason_field(item: Item):
    """The optional reason beside an item's rating, labelled with the item; others may read it."""
    return TextAreaField(
        _l("Why? Your reason for “%(label)s” (optional)", label=item.label),
        validators=[Length(max=submissions.HARD_MAX_LENGTH)],
    )


def refuse_unknown_items(items: list[Item], keys) -> None:
    """Input about anything that is not one of the round's items is refused, not ignored."""
    known = {item.key for item in items}
    unknown = [key for key in keys if key not in known]
    if unknown:
        raise SubmissionRejected(
            _l("Your answer mentions something that is not part of this round. Nothing was saved.")
        )


class StructuredKind(RoundKindBase):
    """A kind with items, whose participants give one answer per round."""

    one_answer = True

    def item_fields(self, round_: Round, items: list[Item]) -> dict[str, Any]:
        """The form fields for ``items`` (name → unbound field)."""
        return {}

    def form(self, round_: Round, **kwargs):
        """A form class made for this round's items, instantiated."""
        fields = self.item_fields(round_, self.items(round_))
        form_class = type(f"{type(self).__name__}Form", (self.form_class,), fields)
        return form_class(**kwargs)

    def require_items(self, round_: Round) -> list[Item]:
        """The round's items; a round without any cannot be answered yet."""
        items = self.items(round_)
        if not items:
            raise SubmissionRejected(_l("This round has nothing to answer yet."))
        return items

    def texts(self, round_: Round):
        """The texts grouped by item, reasons apart from comments, for the consultant."""
        return raw_texts(round_, self.items(round_), ((REASON, _l("Reasons given")),))

    def edit(self, contribution: Contribution, form, now: dt.datetime):
        """Parts of a whole answer are not edited one by one: the round's page replaces it."""
        raise SubmissionRejected(_l("Change your answer on the round's page."))

    def reason_rows(self, items: list[Item], reasons: Mapping[str, str | None]):
        """One row per item given a reason: a contribution of its own about the item.

        Kept apart from the rating it explains; others may read it beside the results
        (``rounds.results.reasons``).
        """
        refuse_unknown_items(items, reasons)
        rows = []
        for item in items:
            text = self.clean_comment(
                reasons.get(item.key), REASON_MAX_LENGTH, f"{item.field}_reason"
            )
            if text:
                rows.append(answers.AnswerRow(item.key, REASON, body=text))
        return rows

    @staticmethod
    def own_reasons(own, fields: Mapping[str, str]) -> dict[str, str]:
        """Form data with the author's stored reasons (``own`` from ``answers.own_rows``)."""
        return {
            f"{fields[target]}_reason": row.body or ""
            for (target, aspect), row in own.items()
            if aspect == REASON and target in fields
        }

    @staticmethod
    def clean_comment(text: str | None, max_length: int, field: str) -> str | None:
        """A free comment, cleaned; empty means none."""
        text = submissions.clean_text(text)
        if len(text) > min(max_length, submissions.HARD_MAX_LENGTH):
            raise SubmissionRejected(
                _l("Please keep each text within %(count)d characters.", count=max_length),
                field=field,
            )
        return text or None


class ItemTexts(StructuredKind):
    """Short texts of a few aspects per item; every text may be empty, but not all of them."""

    form_class = AnswerForm
    #: (name, label) of the texts asked for per item; stored as ``data["aspect"]``.
    aspects: ClassVar[tuple[tuple[str, Any], ...]]
    #: Whether each aspect is themed apart (culture: strengths never grouped with weaknesses).
    themed_by_aspect: ClassVar[bool] = False
    default_settings = {"items": [], "max_length": 500, "source_round": 0}
    locked_settings = frozenset({"items"})
    setting_fields = (
        ITEMS_FIELD,
        SettingField("max_length", _l("Longest text (characters)"), "int"),
        SOURCE_FIELD,
    )

    def check_settings(self, settings: Mapping[str, Any]) -> None:
        """Texts must be allowed to be at least a sentence long."""
        if not 20 <= settings["max_length"] <= submissions.HARD_MAX_LENGTH:
            raise InvalidSettings(
                _l(
                    "The longest text must be between 20 and %(count)d characters.",
                    count=submissions.HARD_MAX_LENGTH,
                ),
                field="max_length",
            )

    def item_fields(self, round_: Round, items: list[Item]) -> dict[str, Any]:
        """A text area per item and aspect."""
        limit = Length(max=submissions.HARD_MAX_LENGTH)
        return {
            f"{item.field}_{name}": TextAreaField(label, validators=[limit])
            for item in items
            for name, label in self.aspects
        }

    def form_defaults(self, round_: Round, author: str) -> dict[str, Any]:
        """The author's texts, in the fields they came from."""
        fields = {item.key: item.field for item in self.items(round_)}
        data = {
            f"{fields[target]}_{aspect}": row.body
            for (target, aspect), row in answers.own_rows(round_, author).items()
            if target in fields
        }
        return {"data": data}

    def describe(self, round_: Round, contribution) -> list[str]:
        """Which item and aspect the text is about, then the text."""
        label = self._labels(round_).get(contribution.target, contribution.target or "")
        aspect = dict(self.aspects).get((contribution.data or {}).get("aspect"), "")
        return [f"{label} · {aspect}" if aspect else label, *super().describe(round_, contribution)]

    def submit(self, round_: Round, author: str, form, now: dt.datetime):
        """Read the texts of the form and store them as the author's answer."""
        texts = {
            (item.key, name): form[f"{item.field}_{name}"].data
            for item in self.items(round_)
            for name, _label in self.aspects
        }
        return self.answer(round_, author, texts, nonce=form.nonce.data, now=now)

    def answer(
        self,
        round_: Round,
        author: str,
        texts: Mapping[tuple[str, str], str | None],
        *,
        nonce: str,
        now: dt.datetime,
    ):
        """Validate texts keyed by (item key, aspect) and make them the author's answer."""
        submissions.ensure_open(round_, now)
        items = self.require_items(round_)
        refuse_unknown_items(items, {key for key, _aspect in texts})
        known_aspects = {name for name, _label in self.aspects}
        if any(aspect not in known_aspects for _key, aspect in texts):
            raise SubmissionRejected(_l("Your answer has a part this round does not ask for."))
        limit = self.settings(round_)["max_length"]
        fields = {item.key: item.field for item in items}
        rows = []
        for (key, aspect), text in texts.items():
            cleaned = self.clean_comment(text, limit, f"{fields[key]}_{aspect}")
            if cleaned:
                rows.append(answers.AnswerRow(key, aspect, body=cleaned))
        if not rows:
            raise SubmissionRejected(_l("Please write something before you save."))
        return answers.replace_answer(round_, author, rows, nonce=nonce, now=now)

    def kind_theme_parts(self, round_: Round) -> list[tuple[str, Any]]:
        """One part per aspect if the aspects answer different questions, else one for all."""
        if self.themed_by_aspect:
            return list(self.aspects)
        return [("", _l("All texts"))]

    def kind_analysis_condition(self, round_: Round, part: str | None = None):
        """The round's visible, non-empty texts; of one aspect if the part is one."""
        aspect = Contribution.data["aspect"].as_string()
        return visible_texts(round_, aspect == part if part else None)

    def results(self, round_: Round, segments) -> RoundResults:
        """How many wrote about each item and aspect."""
        return text_results(round_, self.items(round_), self.aspects, segments)

    def texts(self, round_: Round):
        """The texts grouped by item and aspect, for the consultant."""
        return raw_texts(round_, self.items(round_), self.aspects)
