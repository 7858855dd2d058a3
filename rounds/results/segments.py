"""Who belongs to which group: pseudonym → segment maps and breakdowns with small groups hidden.

Breakdowns by department and role group need to know which pseudonym belongs to which group;
``author_segments`` works that out in memory with the anonymity key, and only counts and
aggregates leave this package. Breakdowns are suppressed across both dimensions
(``analysis.suppression``).
"""

from __future__ import annotations

import hashlib
import hmac
import threading
import time
from collections import Counter
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select

from analysis.suppression import shown_groups, why_hidden
from dialogue.core.db import Session
from dialogue.core.models import Dialogue, Membership, Role

#: The breakdowns every result offers: (segment attribute, heading).
DIMENSIONS = (("department", _l("By department")), ("role_group", _l("By role group")))
#: Shown where a member has no department or role group.
NO_GROUP = "—"


@dataclass(frozen=True)
class GroupRow:
    """One department or role group: respondents and a headline value per item, or hidden."""

    name: str
    respondents: int | None
    values: Mapping[str, float | None] = field(default_factory=dict)
    #: Why the group is hidden (``analysis.suppression.why_hidden``); "" when it is shown.
    hidden_as: str = ""


@dataclass(frozen=True)
class Breakdown:
    """The groups of one dimension (department or role group)."""

    dimension: str
    heading: Any
    rows: tuple[GroupRow, ...]


#: How long a dialogue's pseudonym → segment map is reused in this process, at most.
SEGMENTS_TTL = 300.0
_segments_cache: dict[tuple[int, str], tuple[tuple, float, dict[str, dict[str, str]]]] = {}
_segments_lock = threading.Lock()


def author_segments(dialogue: Dialogue, secret: str) -> dict[str, dict[str, str]]:
    """Each participant's pseudonym → department and role group, computed in memory.

    The mapping must never be stored, logged or sent anywhere: it is exactly the link between
    people and their input that the anonymity promise keeps out of the database. Deriving it
    costs one keyed hash per member (a tenth of a second at 100,000), so this process keeps it
    for up to ``SEGMENTS_TTL`` seconds, in memory only, and derives it again as soon as the
    dialogue's membership changes in number (an import here also calls
    :func:`forget_author_segments`). Nothing another server needs lives in this cache.
    """
    fingerprint = tuple(
        Session.execute(
            select(func.count(), func.max(Membership.id), func.max(Membership.person_id)).where(
                Membership.dialogue_id == dialogue.id
            )
        ).one()
    )
    key = (dialogue.id, hashlib.sha256(secret.encode()).hexdigest())
    now = time.monotonic()
    entry = _segments_cache.get(key)
    if entry is not None and entry[0] == fingerprint and entry[1] > now:
        return entry[2]
    members = Session.execute(
        select(Membership.person_id, Membership.department, Membership.role_group).where(
            Membership.dialogue_id == dialogue.id, Membership.role == Role.PARTICIPANT
        )
    )
    keyed = hmac.new(secret.encode(), digestmod=hashlib.sha256)
    prefix = f"dialogue:{dialogue.id}:person:"
    segments = {}
    for person_id, department, role_group in members:
        digest = keyed.copy()
        digest.update(f"{prefix}{person_id}".encode())
        segments[digest.hexdigest()] = {
            "department": department or NO_GROUP,
            "role_group": role_group or NO_GROUP,
        }
    with _segments_lock:
        _segments_cache[key] = (fingerprint, now + SEGMENTS_TTL, segments)
    return segments


def forget_author_segments(dialogue_id: int | None = None) -> None:
    """Drop this process's pseudonym maps (of one dialogue, or all), e.g. after an import."""
    with _segments_lock:
        for key in [k for k in _segments_cache if dialogue_id is None or k[0] == dialogue_id]:
            del _segments_cache[key]


def breakdowns(
    answers: Mapping[str, Any],
    segments: Mapping[str, Mapping[str, str]] | None,
    min_size: int,
    values: Callable[[list[str]], Mapping[str, float | None]] | None = None,
) -> tuple[Breakdown, ...]:
    """Respondents and per-item values by department and role group, small groups hidden.

    Both dimensions are suppressed together (``analysis.suppression``): no hidden group can be
    worked out from the total and the shown ones, no two shown groups of either dimension
    differ by fewer than ``min_size`` people, and no group is shown where fewer than
    ``min_size`` of its members did not answer. ``values`` computes a group's value per item
    from its authors; it is only called for groups that are shown. Authors without a known
    segment (members who left) count in no group.
    """
    if not segments or len(answers) < min_size:  # too few to show even the total
        return ()
    members: dict[str, dict[str, list[str]]] = {dimension: {} for dimension, _h in DIMENSIONS}
    invited: dict[str, Counter] = {dimension: Counter() for dimension, _h in DIMENSIONS}
    for segment in segments.values():
        for dimension, _heading in DIMENSIONS:
            invited[dimension][segment[dimension]] += 1
    for author in answers:
        segment = segments.get(author)
        if segment is not None:
            for dimension, _heading in DIMENSIONS:
                members[dimension].setdefault(segment[dimension], []).append(author)
    sets = {
        dimension: {n: set(a) for n, a in groups.items()} for dimension, groups in members.items()
    }
    shown = shown_groups(
        sets,
        set(answers),
        min_size,
        population=invited,
    )
    result = []
    for dimension, heading in DIMENSIONS:
        groups = members[dimension]
        rows = tuple(
            GroupRow(name, len(groups[name]), values(groups[name]) if values else {})
            if name in shown[dimension]
            else GroupRow(
                name,
                None,
                {},
                hidden_as=why_hidden(len(groups[name]), min_size, invited[dimension][name]),
            )
            for name in sorted(groups)
        )
        result.append(Breakdown(dimension, heading, rows))
    return tuple(result)
