"""Identifying details in stored contributions: flag them, mask them on the way out, redact them.

Every time a contribution's text is stored or changed, :func:`flag_changed_texts` (a
``before_flush`` hook) scans it with :func:`analysis.identifying.scan` and stores the spans found,
whichever path wrote it: a participant's form, the command line, the demo. So whatever got past
the participant's warning is flagged for the consultant, and the other functions here mask it
wherever text leaves the database (analysis input, quotes, exports) until the consultant redacts
it. A redaction replaces the span by a marker in the stored text; the original is kept nowhere.
"""

from __future__ import annotations

import uuid
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from time import monotonic
from typing import Any

from flask_babel import force_locale
from flask_babel import lazy_gettext as _l
from sqlalchemy import event, func, insert, select
from sqlalchemy.orm import attributes

from analysis.identifying import Span, mask, name_keys, scan
from dialogue.core.audit import record_event
from dialogue.core.db import Session
from dialogue.core.models import (
    Contribution,
    ContributionEmbedding,
    IdentifyingSpan,
    Membership,
    Person,
    Redaction,
    Round,
)
from dialogue.core.results_cache.store import invalidate

#: What each kind of detail is called in warnings, masks and redaction markers.
KIND_LABELS = {
    "cpr": _l("CPR number"),
    "email": _l("e-mail address"),
    "phone": _l("phone number"),
    "name": _l("name"),
}
#: Largest number of ids in one ``IN (…)`` query.
_CHUNK = 500


@dataclass
class _NameIndex:
    keys: frozenset[str]
    stamp: tuple
    built: float


#: Per process: each dialogue's name keys, read once instead of at every saved text.
_name_indexes: dict[int, _NameIndex] = {}
#: A rename in another process is seen after this many seconds at the latest.
NAME_INDEX_SECONDS = 60.0


#: Built once: it runs at every saved text, and building it cost more than running it.
_NEWEST_MEMBERSHIP = select(func.max(Membership.id))


def _membership_stamp() -> tuple:
    """The newest membership's id, in any dialogue: it moves when people are added.

    One row read from the end of the primary key, whatever the number of members; removals and
    renames made by other processes are caught by :data:`NAME_INDEX_SECONDS`.
    """
    return (Session.scalar(_NEWEST_MEMBERSHIP),)


def member_name_keys(dialogue_id: int) -> frozenset[str]:
    """The dialogue's name keys (:func:`analysis.identifying.name_keys`), as a set to look up in.

    Looking a text's word runs up in a set costs the same for 30 members or 100,000. The set is
    read from the database when this process has none for the dialogue, when people were added
    anywhere, when the session wrote people or memberships (:func:`flag_changed_texts`) and
    after :data:`NAME_INDEX_SECONDS`, so that a rename made by another process is seen too.
    """
    stamp = _membership_stamp()
    index = _name_indexes.get(dialogue_id)
    if index is None or index.stamp != stamp or monotonic() - index.built > NAME_INDEX_SECONDS:
        names = Session.scalars(
            select(Person.name)
            .join(Membership, Membership.person_id == Person.id)
            .where(Membership.dialogue_id == dialogue_id)
        )
        index = _NameIndex(name_keys(names), stamp, monotonic())
        _name_indexes[dialogue_id] = index
    return index.keys


# --- flagging ------------------------------------------------------------------------------------


def _changed_texts(session) -> list[Contribution]:
    new = [obj for obj in session.new if isinstance(obj, Contribution)]
    dirty = [
        obj
        for obj in session.dirty
        if isinstance(obj, Contribution) and attributes.get_history(obj, "body").has_changes()
    ]
    return new + dirty


def flag_changed_texts(session, _flush_context, _instances) -> None:
    """Scan every contribution whose text is new or changed, and store what looks identifying.

    Spans found earlier in a changed text are replaced: offsets into an old text mean nothing.
    """
    if any(
        isinstance(obj, Person | Membership)
        for obj in (*session.new, *session.dirty, *session.deleted)
    ):
        _name_indexes.clear()  # names may have changed: read them again at the next text
    changed = _changed_texts(session)
    if not changed:
        return
    with session.no_autoflush:
        for contribution in changed:
            if contribution.id is None:
                contribution.id = uuid.uuid4()  # the column default comes too late for the spans
            elif contribution not in session.new:
                _drop_derived(session, contribution.id)
            round_ = contribution.round or session.get(Round, contribution.round_id)
            text = contribution.body or ""
            names = member_name_keys(round_.dialogue_id or round_.dialogue.id)
            for span in scan(text, names):
                session.add(
                    IdentifyingSpan(
                        contribution=contribution,
                        span_start=span.start,
                        span_end=span.end,
                        kind=span.kind,
                    )
                )


def flag_new_text(contribution_id: uuid.UUID, text: str, names: frozenset[str]) -> int:
    """Flag a text stored without the ORM (``submissions.insert_text``); the spans stored.

    The same scan as :func:`flag_changed_texts`, for the one statement that bypasses the flush.
    ``names`` is :func:`member_name_keys` of the text's dialogue, read by the caller before it
    wrote.
    """
    spans = scan(text, names)
    if spans:
        Session.execute(
            insert(IdentifyingSpan),
            [
                {
                    "contribution_id": contribution_id,
                    "span_start": span.start,
                    "span_end": span.end,
                    "kind": span.kind,
                }
                for span in spans
            ],
        )
    return len(spans)


def _drop_derived(session, contribution_id: uuid.UUID) -> None:
    """Forget what was derived from a contribution's old text: its spans and its vector.

    Offsets into an old text mean nothing; a vector of it is stale, and without one the
    embedding worker finds the text again (``rounds.embeddings``).
    """
    for model in (IdentifyingSpan, ContributionEmbedding):
        column = model.contribution_id
        for row in session.scalars(select(model).where(column == contribution_id)):
            session.delete(row)


def listen(session_factory) -> None:
    """Flag identifying details on every flush of sessions made by ``session_factory``."""
    if not event.contains(session_factory, "before_flush", flag_changed_texts):
        event.listen(session_factory, "before_flush", flag_changed_texts)


# --- masking on the way out ------------------------------------------------------------------


def spans_of(contribution_ids: Iterable[uuid.UUID]) -> dict[uuid.UUID, list[Span]]:
    """The flagged, unredacted spans of these contributions."""
    ids = list(dict.fromkeys(contribution_ids))
    found: dict[uuid.UUID, list[Span]] = defaultdict(list)
    for i in range(0, len(ids), _CHUNK):
        rows = Session.execute(
            select(
                IdentifyingSpan.contribution_id,
                IdentifyingSpan.span_start,
                IdentifyingSpan.span_end,
                IdentifyingSpan.kind,
            ).where(IdentifyingSpan.contribution_id.in_(ids[i : i + _CHUNK]))
        )
        for cid, start, end, kind in rows:
            found[cid].append(Span(start, end, kind))
    return dict(found)


def spans_of_round(round_id: int) -> dict[uuid.UUID, list[Span]]:
    """The flagged, unredacted spans of a whole round, in one query (few rows, however large)."""
    found: dict[uuid.UUID, list[Span]] = defaultdict(list)
    rows = Session.execute(
        select(
            IdentifyingSpan.contribution_id,
            IdentifyingSpan.span_start,
            IdentifyingSpan.span_end,
            IdentifyingSpan.kind,
        )
        .join(Contribution, Contribution.id == IdentifyingSpan.contribution_id)
        .where(Contribution.round_id == round_id)
    )
    for cid, start, end, kind in rows:
        found[cid].append(Span(start, end, kind))
    return dict(found)


def shown_marker(kind: str) -> str:
    """What pages show instead of a flagged span, in the reader's language."""
    return str(_l("[hidden: %(kind)s]", kind=KIND_LABELS.get(kind, kind)))


def export_marker(kind: str) -> str:
    """What exports and fingerprints hold instead of a flagged span: fixed, whatever the language.

    Documented in ``docs/fingerprints.md`` so that an export's texts can be hashed again.
    """
    return f"[hidden:{kind}]"


def blank_marker(kind: str) -> str:
    """What the theme analysis reads instead of a flagged span: nothing it could make a term of."""
    del kind
    return " "


def masked_pairs(
    pairs: Sequence[tuple[Any, str | None]],
    *,
    round_id: int | None = None,
    marker: Callable[[str], str] = shown_marker,
) -> list[tuple[Any, str | None]]:
    """``(contribution id, text)`` pairs with every flagged span masked.

    With ``round_id`` the spans are read for the whole round at once, for long lists such as the
    analysis input; otherwise for the ids given.
    """
    spans = spans_of_round(round_id) if round_id is not None else spans_of(cid for cid, _ in pairs)
    return [
        (cid, mask(text, spans[cid], marker) if text and cid in spans else text)
        for cid, text in pairs
    ]


def masked_text(contribution_id: uuid.UUID, text: str | None, marker=shown_marker) -> str | None:
    """One contribution's text with its flagged spans masked."""
    return masked_pairs([(contribution_id, text)], marker=marker)[0][1]


# --- review and redaction ----------------------------------------------------------------------


def flagged_in_round(round_id: int) -> list[tuple[Contribution, list[IdentifyingSpan]]]:
    """The round's contributions with flagged spans, each with its spans in text order."""
    rows = Session.execute(
        select(Contribution, IdentifyingSpan)
        .join(IdentifyingSpan, IdentifyingSpan.contribution_id == Contribution.id)
        .where(Contribution.round_id == round_id)
        .order_by(Contribution.id, IdentifyingSpan.span_start)
    )
    grouped: dict[uuid.UUID, tuple[Contribution, list[IdentifyingSpan]]] = {}
    for contribution, span in rows:
        grouped.setdefault(contribution.id, (contribution, []))[1].append(span)
    return list(grouped.values())


def count_flagged(round_id: int) -> int:
    """How many flagged spans wait for the consultant in the round."""
    return Session.scalar(
        select(func.count())
        .select_from(IdentifyingSpan)
        .join(Contribution, Contribution.id == IdentifyingSpan.contribution_id)
        .where(Contribution.round_id == round_id)
    )


def redaction_marker(kind: str, language: str) -> str:
    """The marker stored in place of a redacted span, in the dialogue's language."""
    with force_locale(language):
        return str(_l("[redacted: %(kind)s]", kind=KIND_LABELS.get(kind, kind)))


def redact(span: IdentifyingSpan, *, actor_id: int | None) -> Redaction:
    """Replace the span by a marker in the stored text, and record who did it (flushes only).

    The original is kept nowhere: not in the redaction, not in the audit event, and stored
    results that could hold the text (quotes in the results cache) are dropped, to be
    recomputed from the redacted text. Changing the text makes the flush scan it again, which
    replaces the contribution's remaining spans with ones that fit the new text.
    """
    contribution = span.contribution
    round_ = contribution.round
    body = contribution.body or ""
    marker = redaction_marker(span.kind, round_.dialogue.language)
    contribution.body = body[: span.span_start] + marker + body[span.span_end :]
    redaction = Redaction(contribution_id=contribution.id, kind=span.kind, actor_id=actor_id)
    Session.add(redaction)
    Session.delete(span)
    Session.flush()
    invalidate(round_id=round_.id)
    record_event(
        actor_id,
        "contribution.redact",
        round_.dialogue,
        subject=f"round:{round_.id}",
        contribution=str(contribution.id),
        kind=span.kind,
    )
    return redaction
