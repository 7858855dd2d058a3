"""The round lifecycle: create, edit, reorder, schedule and publish rounds. Operations flush only.

Times an admin types are wall-clock times in the dialogue's time zone; they are stored in UTC.
Whether a round is upcoming, open or closed is derived from the clock (``Round.state_at``), so
scheduling is nothing more than storing two instants. Every change by staff is recorded as an
audit event with ids and times, never with contribution text.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from typing import Any
from zoneinfo import ZoneInfo

from flask_babel import force_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select

from dialogue.core.audit import record_event
from dialogue.core.db import Session
from dialogue.core.models import Dialogue, Round, RoundKind, RoundState
from rounds import get_kind
from rounds.errors import InvalidSettings, RoundError
from rounds.questions import copy_questions
from rounds.results.delphi import SETTLED, declared_rule, stop_verdict
from rounds.results.records import top_items
from rounds.submissions import has_input

#: A round lasts a week unless the admin says otherwise (the reference process).
DEFAULT_DURATION = dt.timedelta(weeks=1)


class ScheduleRefused(RoundError):
    """The times given do not make a valid schedule."""


class SettingsLocked(RoundError):
    """A change would invalidate input the round already has."""

    status = 409


#: The refusal to replace the items of a round that has input (see :func:`refuse_locked`).
ITEMS_LOCKED = _l("This round already has input, so its items can no longer change.")
#: The same, for a kind whose items may still grow (see :func:`only_appends`).
ITEMS_GROW_ONLY = _l(
    "This round already has input: its items can no longer change, but new items can be added "
    "after them. Nothing was saved."
)


class NotClosed(RoundError):
    """Results are published only once the round has closed."""

    status = 409


# --- Time ---------------------------------------------------------------------------------


def to_utc(value: dt.datetime, timezone: str) -> dt.datetime:
    """An instant in UTC from a wall-clock time in ``timezone`` (or an aware datetime).

    Daylight saving time makes two kinds of local times special. A time in the spring gap
    (02:30 on the last Sunday of March in Copenhagen) never happens: it is refused, with the
    first valid time after the gap suggested, because silently moving a deadline by an hour is
    worse than asking. A time in the autumn overlap (02:30 on the last Sunday of October)
    happens twice: the first occurrence, still in summer time, is meant – what people expect
    of "the night to Sunday" and the earlier, safer deadline.
    """
    if value.tzinfo is not None:
        return value.astimezone(dt.UTC)
    zone = ZoneInfo(timezone)
    first = value.replace(tzinfo=zone, fold=0)
    shifted = first.astimezone(dt.UTC).astimezone(zone)
    if shifted.replace(tzinfo=None) != value:
        raise ScheduleRefused(
            _l(
                "%(time)s does not exist in %(zone)s: the clocks are put forward that night. "
                "Choose %(suggestion)s instead.",
                time=value.strftime("%Y-%m-%d %H:%M"),
                zone=timezone,
                suggestion=shifted.replace(minute=0).strftime("%H:%M"),
            )
        )
    return first.astimezone(dt.UTC)


def to_local(value: dt.datetime, timezone: str) -> dt.datetime:
    """A stored UTC instant as the naive wall-clock time a datetime-local input shows."""
    return value.astimezone(ZoneInfo(timezone)).replace(tzinfo=None)


def default_closing(opens_local: dt.datetime) -> dt.datetime:
    """A week after opening by the wall clock: Monday 08:00 to Monday 08:00, across DST too."""
    return opens_local + DEFAULT_DURATION


def _instants(dialogue: Dialogue, opens_at: dt.datetime, closes_at: dt.datetime | None):
    """Opening and closing in UTC; closing defaults to a week of wall-clock time later."""
    if closes_at is None:
        local = to_local(opens_at, dialogue.timezone) if opens_at.tzinfo else opens_at
        closes_at = default_closing(local)
    opens, closes = to_utc(opens_at, dialogue.timezone), to_utc(closes_at, dialogue.timezone)
    if closes <= opens:
        raise ScheduleRefused(_l("The round must close after it opens."), field="closes_at")
    return opens, closes


# --- Queries ------------------------------------------------------------------------------


def _kind(round_or_kind):
    kind = get_kind(getattr(round_or_kind, "kind", round_or_kind))
    if kind is None:
        raise InvalidSettings(_l("This kind of round is not available."), field="kind")
    return kind


def _stored(kind, cleaned: Mapping[str, Any]) -> dict[str, Any]:
    """What a round stores of its settings: only what differs from the kind's defaults."""
    return {k: v for k, v in cleaned.items() if kind.default_settings.get(k) != v}


def refuse_locked(
    round_: Round, changed: Iterable[str], *, answered: bool, message=None, field=None
) -> None:
    """Refuse changing settings the round's kind locks once it has input: they would invalidate it.

    Without ``message`` the refusal names the locked settings, as the settings form needs;
    replacing the items gives its own words. ``field`` defaults to the first locked setting.
    """
    kind = _kind(round_)
    locked = [key for key in changed if key in kind.locked_settings]
    if not (answered and locked):
        return
    if message is None:
        labels = {f.name: str(f.label) for f in kind.form_fields}
        message = _l(
            "This round already has input, so these settings can no longer change: "
            "%(names)s. Nothing was saved.",
            names=", ".join(labels.get(key, key) for key in locked),
        )
    raise SettingsLocked(message, field=field or locked[0])


def only_appends(round_: Round, items: list[Mapping[str, str]]) -> bool:
    """Whether ``items`` are the round's items as they are plus new ones after them.

    Only on a kind whose items are answered each on its own: then the change touches no
    answer given.
    """
    kind = _kind(round_)
    old = list(kind.settings(round_).get("items") or [])
    return kind.items_may_grow and len(items) > len(old) and list(items[: len(old)]) == old


def fixed_settings(round_: Round) -> frozenset[str]:
    """The settings the admin can no longer change, since the round has input.

    Items that may still grow at the end are not among them.
    """
    kind = _kind(round_)
    if not has_input(round_):
        return frozenset()
    return kind.locked_settings - ({"items"} if kind.items_may_grow else set())


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


# --- Operations ---------------------------------------------------------------------------


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
    implementation = _kind(kind)
    title = " ".join((title or "").split())
    if not title:
        raise InvalidSettings(_l("Please give the round a title."), field="title")
    cleaned = implementation.validate_settings(settings or {})
    position = (
        Session.scalar(select(func.max(Round.position)).where(Round.dialogue_id == dialogue.id))
        or 0
    ) + 1
    _check_round_refs(dialogue, cleaned, position)
    opens, closes = _instants(dialogue, opens_at, closes_at)
    round_ = Round(
        dialogue_id=dialogue.id,
        position=position,
        kind=kind,
        title=title,
        prompt=(prompt or "").strip(),
        opens_at=opens,
        closes_at=closes,
        settings=_stored(implementation, cleaned),
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
    kind = _kind(round_)
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
    opens, closes = _instants(dialogue, opens_at, closes_at)
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
    round_.settings = _stored(kind, cleaned)
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


def take_items_from(
    round_: Round, source: Round, count: int, *, actor_id: int | None, now: dt.datetime
) -> Round:
    """Copy the top ``count`` items of an earlier closed round into this round's items.

    This is how a culture round asks about the top priorities of the prioritisation round.
    Keys are kept, so results of the two rounds line up item by item.
    """
    kind = _kind(round_)
    if "items" not in kind.default_settings:
        raise InvalidSettings(_l("This kind of round has no items."), field="items")
    if source.dialogue_id != round_.dialogue_id or source.position >= round_.position:
        raise InvalidSettings(_l("Choose an earlier round of this dialogue."), field="source_round")
    if source.state_at(now) is not RoundState.CLOSED:
        raise NotClosed(_l("Take items from a round once it has closed."))
    refuse_locked(round_, ["items"], answered=has_input(round_), message=ITEMS_LOCKED)
    chosen = top_items(_kind(source).results(source, None), count)
    if not chosen:
        raise InvalidSettings(
            _l("That round has no results to take items from yet."), field="source_round"
        )
    settings = {
        **(round_.settings or {}),
        "items": [item.as_setting() for item in chosen],
        "source_round": source.id,
    }
    round_.settings = _stored(kind, kind.validate_settings(settings))
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
    kind = _kind(source)
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
