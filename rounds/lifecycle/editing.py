"""The round lifecycle: create, edit, reorder and publish rounds. Operations flush only.

Every change by staff is recorded as an audit event with ids and times, never with contribution
text.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select

from dialogue.core.audit import record_event
from dialogue.core.db import Session
from dialogue.core.models import Dialogue, Round, RoundKind, RoundState
from rounds.answered import has_input
from rounds.errors import InvalidSettings, RoundError
from rounds.lifecycle.locks import (
    ITEMS_GROW_ONLY,
    SettingsLocked,
    kind_of,
    only_appends,
    refuse_locked,
    stored_settings,
)
from rounds.lifecycle.schedule import ScheduleRefused, instants


class NotClosed(RoundError):
    """Results are published only once the round has closed."""

    status = 409


def _check_round_refs(dialogue: Dialogue, settings: Mapping[str, Any], position: int) -> None:
    """Settings naming another round must name an earlier round of the same dialogue."""
    for key in ("source_round", "repeat_of"):
        round_id = settings.get(key)
        if not round_id:
            continue
        other = Session.get(Round, round_id)
        if other is None or other.dialogue_id != dialogue.id or other.position >= position:
            raise InvalidSettings(_l("Choose an earlier round of this dialogue."), field=key)


def _when(value: dt.datetime) -> str:
    return value.isoformat(timespec="minutes")


def create_round(
    dialogue: Dialogue,
    *,
    kind: RoundKind,
    title: str,
    prompt: str = "",
    opens_at: dt.datetime,
    closes_at: dt.datetime | None = None,
    settings: Mapping[str, Any] | None = None,
    actor_id: int | None,
) -> Round:
    """Add a round at the end of the dialogue.

    Times without a zone are wall-clock times in the dialogue's time zone; without a closing
    time the round lasts a week.
    """
    implementation = kind_of(kind)
    title = " ".join((title or "").split())
    if not title:
        raise InvalidSettings(_l("Please give the round a title."), field="title")
    cleaned = implementation.validate_settings(settings or {})
    position = (
        Session.scalar(select(func.max(Round.position)).where(Round.dialogue_id == dialogue.id))
        or 0
    ) + 1
    _check_round_refs(dialogue, cleaned, position)
    opens, closes = instants(dialogue, opens_at, closes_at)
    round_ = Round(
        dialogue_id=dialogue.id,
        position=position,
        kind=kind,
        title=title,
        prompt=(prompt or "").strip(),
        opens_at=opens,
        closes_at=closes,
        settings=stored_settings(implementation, cleaned),
    )
    Session.add(round_)
    Session.flush()
    record_event(
        actor_id,
        "round.create",
        dialogue,
        subject=f"round:{round_.id}",
        kind=kind.value,
        opens_at=_when(opens),
        closes_at=_when(closes),
    )
    Session.expire(dialogue, ["rounds"])
    return round_


def update_round(
    round_: Round,
    *,
    title: str,
    prompt: str,
    opens_at: dt.datetime,
    closes_at: dt.datetime | None,
    settings: Mapping[str, Any],
    actor_id: int | None,
    now: dt.datetime,
) -> Round:
    """Change a round's texts, schedule and settings, refusing what would invalidate input."""
    kind = kind_of(round_)
    dialogue = round_.dialogue
    title = " ".join((title or "").split())
    if not title:
        raise InvalidSettings(_l("Please give the round a title."), field="title")
    cleaned = kind.validate_settings(settings)
    _check_round_refs(dialogue, cleaned, round_.position)
    old, new = kind.settings(round_), {**kind.default_settings, **cleaned}
    changed = sorted(key for key in new if old.get(key) != new[key])
    answered = has_input(round_)
    growing = "items" in changed and only_appends(round_, new["items"])
    if answered and kind.items_may_grow and "items" in changed and not growing:
        raise SettingsLocked(ITEMS_GROW_ONLY, field="items")
    refuse_locked(round_, [k for k in changed if not (growing and k == "items")], answered=answered)
    opens, closes = instants(dialogue, opens_at, closes_at)
    _check_reschedule(round_, opens, closes, answered, now)
    rescheduled = (opens, closes) != (round_.opens_at, round_.closes_at)
    if rescheduled:
        record_event(
            actor_id,
            "round.schedule",
            dialogue,
            subject=f"round:{round_.id}",
            opens_at=_when(opens),
            closes_at=_when(closes),
            previous_opens_at=_when(round_.opens_at),
            previous_closes_at=_when(round_.closes_at),
        )
    prompt = (prompt or "").strip()
    if changed or title != round_.title or prompt != round_.prompt:
        record_event(
            actor_id, "round.update", dialogue, subject=f"round:{round_.id}", settings=changed
        )
    round_.title, round_.prompt = title, prompt
    round_.opens_at, round_.closes_at = opens, closes
    round_.settings = stored_settings(kind, cleaned)
    Session.flush()
    return round_


def _check_reschedule(round_, opens, closes, answered: bool, now: dt.datetime) -> None:
    """A new schedule may not hide input or change published results."""
    if answered and opens > now:
        raise ScheduleRefused(
            _l("This round already has input, so it cannot be moved to open in the future."),
            field="opens_at",
        )
    if round_.is_published and closes > now:
        raise ScheduleRefused(
            _l("The results of this round are published. Withdraw them before reopening it."),
            field="closes_at",
        )


def move_round(round_: Round, offset: int, *, actor_id: int | None) -> Round:
    """Move a round one place earlier (-1) or later (+1) in its dialogue's order.

    Only the order changes; the schedule is the admin's to adjust. Moving past either end
    does nothing.
    """
    if offset not in (-1, 1):
        raise ValueError("offset must be -1 or 1")
    rounds = sorted(round_.dialogue.rounds, key=lambda r: r.position)
    index = rounds.index(round_)
    if not 0 <= index + offset < len(rounds):
        return round_
    other = rounds[index + offset]
    round_.position, other.position = other.position, round_.position
    Session.flush()
    record_event(
        actor_id,
        "round.reorder",
        round_.dialogue,
        subject=f"round:{round_.id}",
        position=round_.position,
    )
    Session.expire(round_.dialogue, ["rounds"])
    return round_


def set_published(
    round_: Round, published: bool, *, actor_id: int | None, now: dt.datetime
) -> Round:
    """Publish a closed round's results to its participants, or withdraw them again.

    The publication's fingerprint is the caller's to record, after its commit: it reads every
    text of the round (``dialogue.fingerprints.jobs.record_later``).
    """
    if published and round_.state_at(now) is not RoundState.CLOSED:
        raise NotClosed(_l("Results can be published once the round has closed."))
    if round_.is_published != published:
        round_.is_published = published
        Session.flush()
        record_event(
            actor_id,
            "round.publish" if published else "round.unpublish",
            round_.dialogue,
            subject=f"round:{round_.id}",
        )
    return round_
