"""The common interface of round kinds. Generic code calls it and never branches on the kind."""

from __future__ import annotations

import math
from abc import ABC, abstractmethod
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, ClassVar

from flask_babel import lazy_gettext as _l
from sqlalchemy import or_, select

from dialogue.core.db import Session
from dialogue.core.models import Contribution, Round
from rounds.errors import InvalidSettings
from rounds.items import Item, items_of, validate_items
from rounds.questions import reading
from rounds.settings import SettingField

if TYPE_CHECKING:
    from rounds.results.records import RoundResults


class RoundKindBase(ABC):
    """What a kind of round asks, how it validates and stores input, and what it feeds back.

    A kind is a stateless object; everything about a particular round comes in as arguments.
    """

    #: Matches ``RoundKind`` values and the module name.
    name: ClassVar[str]
    #: What the admin sees in the list of kinds.
    label: ClassVar[Any]
    #: The participant's page for an open round.
    template: ClassVar[str]
    #: The part of the results page that shows this kind's numbers.
    results_template: ClassVar[str]
    #: The Flask-WTF form class of the participant's input.
    form_class: ClassVar[type]
    #: Settings and their defaults; a round stores only what differs.
    default_settings: ClassVar[Mapping[str, Any]] = {}
    #: The settings as the admin's form shows them.
    setting_fields: ClassVar[tuple[SettingField, ...]] = ()
    #: The declared consensus and stop rule, shown in a fieldset of their own.
    rule_fields: ClassVar[tuple[SettingField, ...]] = ()
    #: Settings that may no longer change once the round has input, as they would invalidate it.
    locked_settings: ClassVar[frozenset[str]] = frozenset()
    #: True where each item is answered on its own, so that items added after the existing ones
    #: change no answer given (commitments per value); never where answers compare the items.
    items_may_grow: ClassVar[bool] = False
    #: True where a participant gives one answer per round, replaced on re-submission, rather
    #: than several contributions edited one by one.
    one_answer: ClassVar[bool] = False

    @property
    def form_fields(self) -> tuple[SettingField, ...]:
        """Every setting the admin's form reads: the kind's own, then the declared rule."""
        return (*self.setting_fields, *self.rule_fields)

    def rates(self, round_) -> bool:
        """Whether participants rate items 1–5 in ``round_``, so the declared rule applies."""
        return False

    def settings(self, round_) -> dict[str, Any]:
        """The round's effective settings: defaults overlaid with what the round stores."""
        return {**self.default_settings, **(round_.settings or {})}

    def validate_settings(self, raw: Mapping[str, Any]) -> dict[str, Any]:
        """Check settings an admin entered; unknown keys, wrong types and broken rules are refused.

        Returns only the given keys, cleaned; the rules are checked on the effective settings.
        """
        unknown = set(raw) - set(self.default_settings)
        if unknown:
            raise InvalidSettings(
                _l("Unknown settings: %(names)s", names=", ".join(sorted(unknown)))
            )
        cleaned = {key: self._coerce(key, value) for key, value in raw.items()}
        self.check_settings({**self.default_settings, **cleaned})
        return cleaned

    def _coerce(self, key: str, value: Any) -> Any:
        """``value`` as the type of the setting's default, or InvalidSettings."""
        default = self.default_settings[key]
        if key == "items":
            return validate_items(value)
        if isinstance(default, bool):
            ok = isinstance(value, bool)
        elif isinstance(default, int):
            ok = isinstance(value, int) and not isinstance(value, bool)
        elif isinstance(default, float):
            ok = isinstance(value, int | float) and not isinstance(value, bool)
            ok = ok and math.isfinite(value)
            value = float(value) if ok else value
        else:
            ok = isinstance(value, type(default))
        if not ok:
            raise InvalidSettings(_l("The setting “%(name)s” has the wrong type.", name=key), key)
        return value

    def check_settings(self, settings: Mapping[str, Any]) -> None:
        """Rules across settings (ranges, combinations); raise InvalidSettings. None by default."""
        del settings  # a kind without cross-setting rules accepts any well-typed settings

    def form(self, round_, **kwargs):
        """The participant's input form for ``round_`` (kinds with per-item fields override)."""
        return self.form_class(**kwargs)

    def form_defaults(self, round_, author: str) -> dict[str, Any]:
        """Keyword arguments for ``form`` that show the author's current answer; none by default."""
        return {}

    @abstractmethod
    def submit(self, round_, author: str, form, now):
        """Validate ``form`` against the round's rules and store it; raise ``RoundError``."""

    @abstractmethod
    def edit(self, contribution, form, now):
        """Change one stored contribution of the author; raise ``RoundError``."""

    def describe(self, round_, contribution) -> list[str]:
        """The contribution in words, for its author's "my input" page."""
        return [contribution.body] if contribution.body else []

    def _labels(self, round_) -> dict[str, str]:
        return {item.key: str(item.label) for item in self.items(round_)}

    #: Whether the kind's texts are input the synthesis should reach (coverage counts them);
    #: a consultation's comments react to drafts instead.
    feeds_synthesis: ClassVar[bool] = True

    def theme_parts(self, round_) -> list[tuple[str, Any]]:
        """The parts of the round whose texts are themed apart, as (part, label).

        Texts that answer different questions are never grouped together: the culture round's
        strengths apart from its weaknesses, a consultation's comments per draft value, and the
        answers to each extra text question apart from everything else. A kind whose texts all
        answer one question has one part, ``""``.
        """
        return [*self.kind_theme_parts(round_), *reading.text_parts(round_)]

    def kind_theme_parts(self, round_) -> list[tuple[str, Any]]:
        """The parts of the kind's own texts (see :meth:`theme_parts`); none by default."""
        return []

    def analysis_texts(self, round_, part: str = "") -> list[tuple[Any, str]]:
        """(contribution id, text) pairs of one part that the theme analysis reads, by text.

        The analysis is seeded, but k-means still depends on the order of its input; sorting by
        text makes a run repeatable whatever order the database returns rows in.
        """
        condition = self.analysis_condition(round_, part)
        if condition is None:
            return []
        rows = Session.execute(
            select(Contribution.id, Contribution.body)
            .where(condition)
            .order_by(Contribution.body, Contribution.id)
        )
        return [(row.id, row.body) for row in rows]

    def analysis_condition(self, round_, part: str | None = None):
        """A SQL condition on ``Contribution`` that picks the texts :meth:`analysis_texts` reads.

        ``part`` narrows it to one of :meth:`theme_parts`; None means every part. For counting
        texts in the database (coverage) instead of reading a million into Python; None when
        the round has no such texts.
        """
        if part and reading.is_question_part(part):
            return reading.text_condition(round_, part)
        own = self.kind_analysis_condition(round_, part)
        if part is not None or not reading.text_parts(round_):
            return own
        answers = reading.text_condition(round_)
        return answers if own is None else or_(own, answers)

    def kind_analysis_condition(self, round_, part: str | None = None):
        """The condition of :meth:`analysis_condition` on the kind's own texts; None by default."""
        return None  # noqa: RET501 - callers test for None: "this kind has no texts"

    def items(self, round_) -> list[Item]:
        """What the round asks about, from ``settings["items"]``; empty for open-text kinds."""
        return items_of(self.settings(round_))

    def ratings(self, round_) -> dict[str, dict[str, int]] | None:
        """Each author's 1–5 rating per item key, for kinds that rate; None for the others.

        Lets a later round compare its ratings with this one's (stability, Delphi feedback)
        without knowing what kind this round is.
        """
        return None

    def scale(self) -> tuple[tuple[int, Any], ...]:
        """The words of a 1–5 scale, for kinds that rate; plain numbers by default."""
        return tuple((n, str(n)) for n in range(1, 6))

    def repeated_round(self, round_) -> Round | None:
        """The earlier round whose rating this one repeats (setting ``repeat_of``), if any."""
        repeat_of = self.settings(round_).get("repeat_of")
        if not repeat_of:
            return None
        earlier = Session.get(Round, repeat_of)
        if earlier is None or earlier.dialogue_id != round_.dialogue_id:
            return None
        return earlier if earlier.position < round_.position else None

    def repeated_ratings(self, round_) -> dict[str, dict[str, int]] | None:
        """The ratings of the round this one repeats, whatever its kind, or None."""
        from rounds import get_kind  # the registry imports the kinds, which import this

        earlier = self.repeated_round(round_)
        kind = get_kind(earlier.kind) if earlier is not None else None
        return kind.ratings(earlier) if kind is not None else None

    def repeated_defaults(self, round_, author: str) -> dict[str, Any]:
        """Form data with the author's ratings in the round this one repeats, to keep or change.

        Found through the author's pseudonym, as their own earlier input always is.
        """
        previous = (self.repeated_ratings(round_) or {}).get(author)
        if not previous:
            return {}
        data = {
            f"{item.field}_rating": str(previous[item.key])
            for item in self.items(round_)
            if item.key in previous
        }
        return {"data": data}

    def texts(self, round_) -> list:
        """The round's texts grouped by item and aspect, without authors, for the consultant."""
        from rounds.results.texts import raw_texts

        return raw_texts(round_, self.items(round_))

    @abstractmethod
    def results(self, round_, segments: Mapping[str, Mapping[str, str]] | None) -> RoundResults:
        """The round's aggregated results, small groups suppressed.

        ``segments`` maps author pseudonyms to their department and role group for breakdowns;
        it is computed in memory by the caller and never stored.
        """

    def feedback_rounds(self, round_) -> list[Round]:
        """The earlier rounds whose results feed this one.

        The round just before, and any round the settings name as the source of its items or as
        the rating it repeats.
        """
        named = {self.settings(round_).get(key) for key in ("source_round", "repeat_of")}
        earlier = Session.scalars(
            select(Round)
            .where(Round.dialogue_id == round_.dialogue_id, Round.position < round_.position)
            .order_by(Round.position)
        ).all()
        chosen = [r for r in earlier if r.id in named]
        if earlier and earlier[-1] not in chosen:
            chosen.append(earlier[-1])
        return sorted(chosen, key=lambda r: r.position)
