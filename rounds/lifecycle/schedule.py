"""Scheduling a round: the wall-clock times an admin types, as the UTC instants stored.

Times an admin types are wall-clock times in the dialogue's time zone; they are stored in UTC.
Whether a round is upcoming, open or closed is derived from the clock (``Round.state_at``), so
scheduling is nothing more than storing two instants.
"""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from flask_babel import lazy_gettext as _l

from dialogue.core.models import Dialogue
from rounds.errors import RoundError

#: A round lasts a week unless the admin says otherwise (the reference process).
DEFAULT_DURATION = dt.timedelta(weeks=1)


class ScheduleRefused(RoundError):
    """The times given do not make a valid schedule."""


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


def instants(dialogue: Dialogue, opens_at: dt.datetime, closes_at: dt.datetime | None):
    """Opening and closing in UTC; closing defaults to a week of wall-clock time later."""
    if closes_at is None:
        local = to_local(opens_at, dialogue.timezone) if opens_at.tzinfo else opens_at
        closes_at = default_closing(local)
    opens, closes = to_utc(opens_at, dialogue.timezone), to_utc(closes_at, dialogue.timezone)
    if closes <= opens:
        raise ScheduleRefused(_l("The round must close after it opens."), field="closes_at")
    return opens, closes
