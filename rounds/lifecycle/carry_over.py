"""Rounds built on an earlier round's results: its top items taken, or its open items asked again.

Operations flush only and are recorded as audit events.
"""

from __future__ import annotations

import datetime as dt

from flask_babel import force_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from dialogue.core.audit import record_event
from dialogue.core.db import Session
from dialogue.core.models import Round, RoundState
from rounds.answered import has_input
from rounds.errors import InvalidSettings
from rounds.lifecycle.editing import NotClosed, create_round
from rounds.lifecycle.locks import ITEMS_LOCKED, kind_of, refuse_locked, stored_settings
from rounds.questions.setup import copy_questions
from rounds.results.delphi import SETTLED, declared_rule, stop_verdict
from rounds.results.records import top_items


def take_items_from(
    round_: Round, source: Round, count: int, *, actor_id: int | None, now: dt.datetime
) -> Round:
    """Copy the top ``count`` items of an earlier closed round into this round's items.

    This is how a culture round asks about the top priorities of the prioritisation round.
    Keys are kept, so results of the two rounds line up item by item.
    """
    kind = kind_of(round_)
    if "items" not in kind.default_settings:
        raise InvalidSettings(_l("This kind of round has no items."), field="items")
    if source.dialogue_id != round_.dialogue_id or source.position >= round_.position:
        raise InvalidSettings(_l("Choose an earlier round of this dialogue."), field="source_round")
    if source.state_at(now) is not RoundState.CLOSED:
        raise NotClosed(_l("Take items from a round once it has closed."))
    refuse_locked(round_, ["items"], answered=has_input(round_), message=ITEMS_LOCKED)
    chosen = top_items(kind_of(source).results(source, None), count)
    if not chosen:
        raise InvalidSettings(
            _l("That round has no results to take items from yet."), field="source_round"
        )
    settings = {
        **(round_.settings or {}),
        "items": [item.as_setting() for item in chosen],
        "source_round": source.id,
    }
    round_.settings = stored_settings(kind, kind.validate_settings(settings))
    Session.flush()
    record_event(
        actor_id,
        "round.items",
        round_.dialogue,
        subject=f"round:{round_.id}",
        source=f"round:{source.id}",
        count=len(chosen),
    )
    return round_


#: Why the declared stop rule refuses another round, by ``StopVerdict.why``.
STOP_REASONS = {
    "settled": _l("Every item reached consensus: there is nothing to ask again."),
    "stable": _l(
        "The declared stop rule says to stop: too few people changed their answer last time."
    ),
    "limit": _l("The declared stop rule says to stop: the largest number of rounds is reached."),
}


def repeat_round(source: Round, *, actor_id: int | None, now: dt.datetime) -> Round:
    """Add a round that asks again about the items of ``source`` that did not reach consensus.

    The new round keeps the kind, question, settings, declared rule and extra questions (not their
    answers) of ``source`` and names it in ``repeat_of``, so participants see their own earlier
    answer (through their pseudonym), the group's distribution and the reasons given. It opens
    when the dialogue's last round closes, or now; the admin adjusts the schedule. Refused when
    ``source`` has not closed, does not rate, or when its declared stop rule says to stop.
    """
    kind = kind_of(source)
    if declared_rule(source) is None:
        raise InvalidSettings(_l("Only a round where participants rate items can be repeated."))
    if source.state_at(now) is not RoundState.CLOSED:
        raise NotClosed(_l("A round can be repeated once it has closed."))
    results = kind.results(source, None)
    verdict = stop_verdict(source, results)
    if verdict is None:
        raise InvalidSettings(
            _l("Too few people answered that round to tell which items reached consensus.")
        )
    if verdict.stop:
        raise InvalidSettings(STOP_REASONS[verdict.why])
    settled = {item.key for item in results.items if item.verdict in SETTLED}
    carried = [item for item in kind.items(source) if item.key not in settled]
    settings = {
        **kind.settings(source),
        "items": [item.as_setting() for item in carried],
        "repeat_of": source.id,
        "source_round": 0,
    }
    dialogue = source.dialogue
    with force_locale(dialogue.language):
        title = _("%(title)s (asked again)", title=source.title[:180])
    opens = max([now, *(r.closes_at for r in dialogue.rounds)])
    round_ = create_round(
        dialogue,
        kind=source.kind,
        title=title,
        prompt=source.prompt,
        opens_at=opens,
        settings=settings,
        actor_id=actor_id,
    )
    copied = copy_questions(source, round_)
    record_event(
        actor_id,
        "round.repeat",
        dialogue,
        subject=f"round:{round_.id}",
        source=f"round:{source.id}",
        count=len(carried),
        questions=len(copied),
    )
    return round_
