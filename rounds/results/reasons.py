"""The reasons participants gave for their answers, as others may read them beside the results.

A reason is a contribution of its own about one item (``target``, ``data["aspect"] == "reason"``),
written in a field that tells the participant others may read it; comments stay with the
consultant. Like every text outside the consultant's view,
reasons are shown only from a closed round, only visible ones (not hidden by moderation), with
flagged identifying details masked, and only for an item that at least ``VERBATIM_MIN_AUTHORS``
distinct people (and the dialogue's minimum group size) gave a reason for (TARGETS A5, A6).
Within an item they are sorted alphabetically, which says nothing about who wrote them or when.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict

from sqlalchemy import select

from dialogue.core.anonymity import VERBATIM_MIN_AUTHORS
from dialogue.core.db import Session
from dialogue.core.models import Contribution, ModerationState, Round, RoundState
from rounds.identifying import masked_pairs

#: The aspect a reason is stored under (``data["aspect"]``), beside the item it explains.
REASON = "reason"
#: A reason beside a rating is a sentence or two, not an essay.
REASON_MAX_LENGTH = 500


def shared_reasons(round_: Round, keys, now: dt.datetime) -> dict[str, tuple[str, ...]]:
    """The reasons per item key of ``keys`` that may be shown, once ``round_`` has closed.

    Items with too few writers are left out just like items nobody gave a reason for, so that
    the page does not tell that a handful of people wrote one.
    """
    keys = list(keys)
    if not keys or round_.state_at(now) is not RoundState.CLOSED:
        return {}
    rows = Session.execute(
        select(
            Contribution.id,
            Contribution.target,
            Contribution.author,
            Contribution.body,
            Contribution.data,
        ).where(
            Contribution.round_id == round_.id,
            Contribution.moderation == ModerationState.VISIBLE,
            Contribution.target.in_(keys),
            Contribution.body.is_not(None),
            Contribution.body != "",
        )
    ).all()
    authors: dict[str, set[str]] = defaultdict(set)
    pairs: dict[str, list] = defaultdict(list)
    for cid, target, author, body, data in rows:
        if (data or {}).get("aspect") != REASON:
            continue
        authors[target].add(author)
        pairs[target].append((cid, body))
    least = max(VERBATIM_MIN_AUTHORS, round_.dialogue.min_group_size)
    reasons = {}
    for key in keys:
        if len(authors.get(key, ())) >= least:
            texts = (" ".join((text or "").split()) for _cid, text in masked_pairs(pairs[key]))
            reasons[key] = tuple(sorted(t for t in texts if t))
    return reasons
