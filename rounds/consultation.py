"""Round kind *consultation*: management's draft proposals, rated and commented item by item.

One contribution per participant and proposal: ``target`` is the proposal's item key,
``data["rating"]`` the agreement 1–5 (absent when the participant only commented), ``body`` the
optional comment.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from flask_babel import lazy_gettext as _l
from wtforms import StringField, TextAreaField
from wtforms.validators import Length

from dialogue.core.models import Contribution, Round
from rounds import answers, submissions
from rounds.errors import InvalidSettings, SubmissionRejected
from rounds.items import Item
from rounds.priorities import parse_ratings
from rounds.results.aggregation import rating_results
from rounds.results.records import RoundResults
from rounds.results.visible import visible_contributions
from rounds.settings import (
    CONSENSUS_DEFAULTS,
    RULE_DEFAULTS,
    RULE_FIELDS,
    SettingField,
    check_consensus_thresholds,
)
from rounds.structured import (
    ITEMS_FIELD,
    REASON,
    SOURCE_FIELD,
    AnswerForm,
    StructuredKind,
    reason_field,
    visible_texts,
)


def agreement_scale():
    """The 1–5 agreement scale with its words, for forms and charts."""
    return (
        (1, _l("Strongly disagree")),
        (2, _l("Disagree")),
        (3, _l("Neither")),
        (4, _l("Agree")),
        (5, _l("Strongly agree")),
    )


class Consultation(StructuredKind):
    """Asks what participants think of each of management's draft proposals."""

    name = "consultation"
    label = _l("Consultation on draft proposals")
    template = "rounds/consultation.html"
    results_template = "results/_ratings.html"
    form_class = AnswerForm
    default_settings = {
        "items": [],
        "max_length": 1000,
        **RULE_DEFAULTS,
        "source_round": 0,
        "repeat_of": 0,
    }
    locked_settings = frozenset({"items", *RULE_DEFAULTS})
    rule_fields = RULE_FIELDS
    setting_fields = (
        ITEMS_FIELD,
        SettingField("max_length", _l("Longest comment (characters)"), "int"),
        SOURCE_FIELD,
        SettingField(
            "repeat_of",
            _l("Repeats the rating of an earlier round"),
            "round",
            hint=_l("Participants see the group's earlier answers beside their own."),
        ),
    )

    def rates(self, round_: Round) -> bool:
        """Every consultation asks for agreement 1–5."""
        return True

    #: Comments react to the drafts: themed for reading, never counted as uncovered input.
    feeds_synthesis = False

    def kind_theme_parts(self, round_: Round) -> list[tuple[str, Any]]:
        """The comments on each draft proposal are one part: each answers its own question."""
        return [(item.key, item.label) for item in self.items(round_)]

    def kind_analysis_condition(self, round_: Round, part: str | None = None):
        """The round's visible comments; on one draft proposal if the part is one."""
        return visible_texts(round_, Contribution.target == part if part else None)

    def scale(self):
        """Agreement, from strongly disagree to strongly agree."""
        return agreement_scale()

    def check_settings(self, settings: Mapping[str, Any]) -> None:
        """Comment limit sane, thresholds valid."""
        if not 20 <= settings["max_length"] <= submissions.HARD_MAX_LENGTH:
            raise InvalidSettings(
                _l(
                    "The longest text must be between 20 and %(count)d characters.",
                    count=submissions.HARD_MAX_LENGTH,
                ),
                field="max_length",
            )
        check_consensus_thresholds(settings)

    def item_fields(self, round_: Round, items: list[Item]) -> dict[str, Any]:
        """Per proposal: agreement, a reason others may read, a comment for the consultant."""
        fields: dict[str, Any] = {}
        limit = Length(max=submissions.HARD_MAX_LENGTH)
        for item in items:
            fields[f"{item.field}_rating"] = StringField(item.label)
            fields[f"{item.field}_reason"] = reason_field(item)
            fields[f"{item.field}_comment"] = TextAreaField(
                _l("Comment on “%(label)s” (optional)", label=item.label), validators=[limit]
            )
        return fields

    def form_defaults(self, round_: Round, author: str) -> dict[str, Any]:
        """The author's ratings and comments, in their fields; before answering, earlier ratings."""
        fields = {item.key: item.field for item in self.items(round_)}
        own = answers.own_rows(round_, author)
        if not own:
            return self.repeated_defaults(round_, author)
        data = self.own_reasons(own, fields)
        for (target, aspect), row in own.items():
            if target in fields and aspect != REASON:
                rating = (row.data or {}).get("rating")
                data[f"{fields[target]}_rating"] = str(rating) if rating else ""
                data[f"{fields[target]}_comment"] = row.body or ""
        return {"data": data}

    def describe(self, round_: Round, contribution) -> list[str]:
        """The value you rated, your rating in words, and your comment; or your reason."""
        label = self._labels(round_).get(contribution.target, contribution.target or "")
        if (contribution.data or {}).get("aspect") == REASON:
            return [str(_l("Your reason for “%(label)s”", label=label)), contribution.body or ""]
        rating = (contribution.data or {}).get("rating")
        words = dict(self.scale())
        head = f"{label}: {words.get(rating, rating)}" if rating else label
        return [head, *super().describe(round_, contribution)]

    def submit(self, round_: Round, author: str, form, now: dt.datetime):
        """Read ratings and comments from the form and store them as the author's answer."""
        items = self.items(round_)
        given = {
            item.key: (form[f"{item.field}_rating"].data, form[f"{item.field}_comment"].data)
            for item in items
        }
        reasons = {item.key: form[f"{item.field}_reason"].data for item in items}
        return self.answer(round_, author, given, reasons=reasons, nonce=form.nonce.data, now=now)

    def answer(
        self,
        round_: Round,
        author: str,
        given: Mapping[str, tuple[Any, str | None]],
        *,
        reasons: Mapping[str, str | None] | None = None,
        nonce: str,
        now: dt.datetime,
    ):
        """Validate (rating, comment) pairs and reasons by item key: the author's answer."""
        submissions.ensure_open(round_, now)
        items = self.require_items(round_)
        ratings = parse_ratings(items, {key: rating for key, (rating, _c) in given.items()})
        limit = self.settings(round_)["max_length"]
        rows = []
        for item in items:
            if item.key not in given:
                continue
            comment = self.clean_comment(given[item.key][1], limit, f"{item.field}_comment")
            rating = ratings.get(item.key)
            if rating is not None or comment:
                data = {"rating": rating} if rating is not None else {}
                rows.append(answers.AnswerRow(item.key, body=comment, data=data))
        if not rows:
            raise SubmissionRejected(_l("Please rate or comment on at least one proposal."))
        rows += self.reason_rows(items, reasons or {})
        return answers.replace_answer(round_, author, rows, nonce=nonce, now=now)

    def ratings(self, round_: Round) -> dict[str, dict[str, int]]:
        """Each author's agreement per proposal."""
        ratings: dict[str, dict[str, int]] = {}
        for row in visible_contributions(round_):
            rating = (row.data or {}).get("rating")
            if row.target and rating is not None:
                ratings.setdefault(row.author, {}).setdefault(row.target, rating)
        return ratings

    def results(self, round_: Round, segments) -> RoundResults:
        """Agreement statistics and consensus verdict per proposal."""
        settings = self.settings(round_)
        comments = sum(
            1
            for row in visible_contributions(round_)
            if row.body and (row.data or {}).get("aspect") != REASON
        )
        return rating_results(
            round_,
            self.items(round_),
            self.ratings(round_),
            segments,
            thresholds={key: settings[key] for key in CONSENSUS_DEFAULTS},
            before=self.repeated_ratings(round_),
            comments=comments,
        )
