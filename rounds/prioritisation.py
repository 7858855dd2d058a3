"""Round kind *prioritisation*: which items (usually the themes of round 1) matter most.

Three methods, chosen per round: rank your top k, allocate a budget of points, or rate each
item's importance 1–5. A participant's whole answer is one contribution: ``data`` holds the
ranking, points or ratings by item key, ``body`` the optional "other" comment, ``target`` is
empty because the answer is about all items at once.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from flask_babel import lazy_gettext as _l
from wtforms import SelectChoice, SelectField, StringField, TextAreaField
from wtforms.validators import Length

from dialogue.core.models import Round
from rounds import answers, submissions
from rounds.errors import InvalidSettings, SubmissionRejected
from rounds.items import Item
from rounds.priorities import parse_points, parse_ranking, parse_ratings, rating_scale
from rounds.results.aggregation import points_results, ranking_results, rating_results
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
)

RANK, POINTS, RATE = "rank", "points", "rate"
METHODS = (
    (RANK, _l("Rank your top choices")),
    (POINTS, _l("Allocate a budget of points")),
    (RATE, _l("Rate each item's importance 1–5")),
)
MAX_BUDGET = 10_000


class PrioritisationForm(AnswerForm):
    """The "other" comment; the fields per item or place are added per round."""

    other = TextAreaField(
        _l("Anything missing or another comment (optional)"),
        validators=[Length(max=submissions.HARD_MAX_LENGTH)],
    )


class Prioritisation(StructuredKind):
    """Asks which of the items are the most important."""

    name = "prioritisation"
    label = _l("Prioritisation")
    template = "rounds/prioritisation.html"
    results_template = "results/_prioritisation.html"
    form_class = PrioritisationForm
    default_settings = {
        "items": [],
        "method": RANK,
        "top_k": 3,
        "budget": 100,
        "allow_other": True,
        "other_max_length": 500,
        **RULE_DEFAULTS,
        "source_round": 0,
        "repeat_of": 0,
    }
    locked_settings = frozenset({"items", "method", "top_k", "budget", *RULE_DEFAULTS})
    rule_fields = RULE_FIELDS
    setting_fields = (
        ITEMS_FIELD,
        SettingField("method", _l("Method"), "choice", choices=METHODS),
        SettingField("top_k", _l("Ranking: how many places"), "int"),
        SettingField("budget", _l("Points: the budget each participant distributes"), "int"),
        SettingField("allow_other", _l("Participants may add an “other” comment"), "bool"),
        SettingField("other_max_length", _l("Longest comment (characters)"), "int"),
        SOURCE_FIELD,
        SettingField(
            "repeat_of",
            _l("Repeats the rating of an earlier round"),
            "round",
            hint=_l("Participants see the group's earlier answers beside their own."),
        ),
    )

    def rates(self, round_: Round) -> bool:
        """Only the rating method asks for 1–5 answers that consensus can be judged on."""
        return self.settings(round_)["method"] == RATE

    def scale(self):
        """Importance, from not important to very important."""
        return rating_scale()

    def check_settings(self, settings: Mapping[str, Any]) -> None:
        """Method known, places and budget in range, comment limit sane, thresholds valid."""
        if settings["method"] not in {RANK, POINTS, RATE}:
            raise InvalidSettings(_l("Choose one of the methods."), field="method")
        if not 1 <= settings["top_k"] <= 10:
            raise InvalidSettings(_l("Rank between 1 and 10 places."), field="top_k")
        if not 1 <= settings["budget"] <= MAX_BUDGET:
            raise InvalidSettings(
                _l("The budget must be between 1 and %(count)d points.", count=MAX_BUDGET),
                field="budget",
            )
        if not 0 <= settings["other_max_length"] <= submissions.HARD_MAX_LENGTH:
            raise InvalidSettings(
                _l("The comment limit is at most %(count)d.", count=submissions.HARD_MAX_LENGTH),
                field="other_max_length",
            )
        check_consensus_thresholds(settings)

    def places(self, round_: Round) -> int:
        """How many places a ranking has: the setting, or fewer if the round has fewer items."""
        return min(self.settings(round_)["top_k"], len(self.items(round_)))

    def item_fields(self, round_: Round, items: list[Item]) -> dict[str, Any]:
        """Places to fill (ranking) or one input per item (points, rating).

        Inputs are plain text: their values are checked by the kind, which says what is wrong
        in words a participant understands.
        """
        method = self.settings(round_)["method"]
        if method == RANK:
            choices = [SelectChoice("", "—"), *(SelectChoice(i.key, i.label) for i in items)]
            return {
                f"place_{n}": SelectField(
                    _l("Place %(number)d", number=n), choices=choices, validate_choice=False
                )
                for n in range(1, self.places(round_) + 1)
            }
        if method == POINTS:
            return {f"{item.field}_points": StringField(item.label) for item in items}
        fields: dict[str, Any] = {}
        for item in items:
            fields[f"{item.field}_rating"] = StringField(item.label)
            fields[f"{item.field}_reason"] = reason_field(item)
        return fields

    def form_defaults(self, round_: Round, author: str) -> dict[str, Any]:
        """The author's stored answer, shown in the form to change.

        Before answering a round that repeats an earlier rating, the earlier ratings are filled
        in, so keeping an answer is as easy as sending the form.
        """
        own = answers.own_rows(round_, author)
        row = own.get((None, None))
        if row is None or not row.data:
            return self.repeated_defaults(round_, author)
        data: dict[str, Any] = {
            "other": row.body or "",
            **self.own_reasons(own, self._fields(round_)),
        }
        for number, key in enumerate(row.data.get("ranking", []), start=1):
            data[f"place_{number}"] = key
        fields = self._fields(round_)
        for suffix, values in (
            ("points", row.data.get("points")),
            ("rating", row.data.get("ratings")),
        ):
            for key, value in (values or {}).items():
                if key in fields:
                    data[f"{fields[key]}_{suffix}"] = str(value)
        return {"data": data}

    def _fields(self, round_: Round) -> dict[str, str]:
        return {item.key: item.field for item in self.items(round_)}

    def describe(self, round_: Round, contribution) -> list[str]:
        """Your ranking, points or ratings with the items' names, then your comment or reason."""
        labels, data = self._labels(round_), contribution.data or {}
        if data.get("aspect") == REASON:
            label = labels.get(contribution.target, contribution.target or "")
            return [str(_l("Your reason for “%(label)s”", label=label)), contribution.body or ""]
        lines = [
            f"{place}. {labels.get(key, key)}"
            for place, key in enumerate(data.get("ranking", []), start=1)
        ]
        for values in (data.get("points"), data.get("ratings")):
            lines += [f"{labels.get(key, key)}: {value}" for key, value in (values or {}).items()]
        return lines + super().describe(round_, contribution)

    def submit(self, round_: Round, author: str, form, now: dt.datetime):
        """Read the form into plain values and store them as the author's answer."""
        method = self.settings(round_)["method"]
        items = self.items(round_)
        reasons = None
        if method == RANK:
            given: Any = [form[f"place_{n}"].data for n in range(1, self.places(round_) + 1)]
        elif method == POINTS:
            given = {item.key: form[f"{item.field}_points"].data for item in items}
        else:
            given = {item.key: form[f"{item.field}_rating"].data for item in items}
            reasons = {item.key: form[f"{item.field}_reason"].data for item in items}
        other = form.other.data if "other" in form else None
        return self.answer(
            round_,
            author,
            given,
            other=other,
            reasons=reasons,
            nonce=form.nonce.data,
            now=now,
        )

    def answer(
        self,
        round_: Round,
        author: str,
        given,
        *,
        other: str | None = None,
        reasons: Mapping[str, str | None] | None = None,
        nonce: str,
        now: dt.datetime,
    ):
        """Validate an answer and make it the author's one answer in the round.

        ``given`` is a list of item keys best first (ranking), or a mapping of item key to
        points or rating; ``reasons`` maps item keys to a reason for their rating. Each reason
        is a row of its own about its item, stored like any contribution (pseudonym, day). Whatever
        is wrong is refused as a whole: nothing is stored.
        """
        submissions.ensure_open(round_, now)
        settings = self.settings(round_)
        items = self.require_items(round_)
        method = settings["method"]
        if method == RANK:
            data = {"ranking": parse_ranking(items, given, self.places(round_))}
        elif method == POINTS:
            data = {"points": parse_points(items, given, settings["budget"])}
        else:
            data = {"ratings": parse_ratings(items, given)}
            if not data["ratings"]:
                raise SubmissionRejected(_l("Please rate at least one item."))
        comment = None
        if settings["allow_other"]:
            comment = self.clean_comment(other, settings["other_max_length"], "other")
        rows = [answers.AnswerRow(None, body=comment, data={"method": method, **data})]
        if reasons and method != RATE and any(reasons.values()):
            raise SubmissionRejected(_l("Reasons can be given beside ratings only."))
        rows += self.reason_rows(items, reasons or {})
        return answers.replace_answer(round_, author, rows, nonce=nonce, now=now)

    def _answers(self, round_: Round, field: str) -> tuple[dict[str, Any], int]:
        """Each author's stored values of ``field``, and how many wrote a comment."""
        method = self.settings(round_)["method"]
        values, comments = {}, 0
        for row in visible_contributions(round_):
            data = row.data or {}
            if data.get("method") == method and field in data:
                values.setdefault(row.author, data[field])
                comments += bool(row.body)
        return values, comments

    def ratings(self, round_: Round) -> dict[str, dict[str, int]] | None:
        """Ratings per author when the round rates, so a later round can compare."""
        if self.settings(round_)["method"] != RATE:
            return None
        return self._answers(round_, "ratings")[0]

    def results(self, round_: Round, segments) -> RoundResults:
        """The round's results by its method."""
        settings = self.settings(round_)
        items = self.items(round_)
        known = {item.key for item in items}
        method = settings["method"]
        if method == RANK:
            rankings, comments = self._answers(round_, "ranking")
            rankings = {a: [k for k in r if k in known] for a, r in rankings.items()}
            return ranking_results(
                round_, items, rankings, segments, top=self.places(round_), comments=comments
            )
        if method == POINTS:
            points, comments = self._answers(round_, "points")
            return points_results(
                round_, items, points, segments, budget=settings["budget"], comments=comments
            )
        ratings, comments = self._answers(round_, "ratings")
        return rating_results(
            round_,
            items,
            ratings,
            segments,
            thresholds={key: settings[key] for key in CONSENSUS_DEFAULTS},
            before=self.repeated_ratings(round_),
            comments=comments,
        )
