"""Operations on a participant's own contributions: add, edit, withdraw. They flush only.

Every operation checks that the round is open at ``now`` and that the contribution belongs to
the author pseudonym given, so every caller (view, CLI, test) gets the same rules.
"""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
import re
import unicodedata
import uuid

from flask_babel import lazy_gettext as _l
from sqlalchemy import Integer, bindparam, exists, func, or_, select
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.exc import IntegrityError

from dialogue.core.db import Session, read_apart
from dialogue.core.models import Contribution, ModerationState, Round, RoundState
from dialogue.core.models.question import QUESTION_TARGET_PREFIX, kind_input
from rounds import identifying, release
from rounds.errors import RoundClosed, SubmissionRejected
from rounds.traceability import record_withdrawals

#: No text, whatever a round's settings say, may be longer than this.
HARD_MAX_LENGTH = 5000
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")


def clean_text(text: str | None) -> str:
    r"""Drop control characters, normalise line breaks and Unicode, trim.

    Control characters go first: removed after normalising, one between a letter and its accent
    ("N\x01\u0301") would leave text that is not NFC and changes when it is cleaned again.
    """
    text = _CONTROL.sub("", text or "").replace("\r\n", "\n").replace("\r", "\n")
    return unicodedata.normalize("NFC", text).strip()


def ensure_open(round_: Round, now: dt.datetime) -> None:
    """Refuse input outside the round's opening hours, judged by the server's clock."""
    if round_.state_at(now) is not RoundState.OPEN:
        raise RoundClosed(_l("This round is closed. Nothing was saved."))


def submission_key(author: str, nonce: str, round_id: int) -> str:
    """The stored form nonce, salted with author and round so that no two keys collide."""
    return hashlib.sha256(f"{author}:{round_id}:{nonce}".encode()).hexdigest()


def own_keys(round_: Round, author: str) -> dict[str, uuid.UUID]:
    """The submission keys of ``author``'s contributions in ``round_``, with their ids.

    One query answers both questions a new text raises: how many the author has written (a
    round's limit is at most 50), and whether this form was saved already (a retry).
    """
    return {
        key: cid
        for cid, key in Session.execute(
            select(Contribution.id, Contribution.submission_key).where(
                Contribution.round_id == round_.id, Contribution.author == author, kind_input()
            )
        )
    }


#: The columns :func:`insert_text` writes, in the order of its SELECT.
_TEXT_COLUMNS = (
    "id",
    "round_id",
    "author",
    "body",
    "created_on",
    "moderation",
    "submission_key",
    "released",
)


@functools.cache
def _text_insert(dialect: str):
    """The guarded INSERT of :func:`insert_text`, built once per dialect with bound parameters.

    Building a statement of this size costs more CPU than running it, so it is built once.
    """
    table = Contribution.__table__
    rounds = Round.__table__
    written = table.alias("written")
    guard = select(*(bindparam(name, type_=table.c[name].type) for name in _TEXT_COLUMNS)).where(
        exists().where(
            rounds.c.id == bindparam("round_id"),
            rounds.c.opens_at <= bindparam("now"),
            rounds.c.closes_at > bindparam("now"),
        ),
        select(func.count())
        .select_from(written)
        .where(
            written.c.round_id == bindparam("round_id"),
            written.c.author == bindparam("author"),
            # Like kind_input(): text answers to extra questions do not count to the limit.
            or_(
                written.c.target.is_(None),
                written.c.target.not_like(f"{QUESTION_TARGET_PREFIX}%"),
            ),
        )
        .scalar_subquery()
        < bindparam("limit", type_=Integer),
    )
    statement = (postgresql_insert if dialect == "postgresql" else sqlite_insert)(table)
    return (
        statement.from_select(list(_TEXT_COLUMNS), guard)
        .on_conflict_do_nothing(index_elements=["submission_key"])
        .returning(table.c.id)
    )


def insert_text(
    round_: Round, author: str, *, body: str, nonce: str, now: dt.datetime, limit: int
) -> uuid.UUID | None:
    """Store one text in one guarded statement; its id, or None when nothing was stored.

    The INSERT itself checks that the round is open at ``now``, that the author has fewer than
    ``limit`` texts in it and that this form (its nonce) was not saved already, so the write
    lock is held for one statement and no row is read into Python first. The caller finds out
    why nothing was stored, if it matters (:func:`explain_refusal`). The text is flagged for
    identifying details as the ORM's flush would (``rounds.identifying``), and waits for its
    batch (``rounds.release``).
    """
    # Read before the INSERT, so that on SQLite the write lock is not held for it.
    names = read_apart(lambda: identifying.member_name_keys(round_.dialogue_id))
    stored = Session.scalar(
        _text_insert(Session.get_bind().dialect.name),
        {
            "id": uuid.uuid4(),
            "round_id": round_.id,
            "author": author,
            "body": body,
            "created_on": now.date(),
            "moderation": ModerationState.VISIBLE,
            "submission_key": submission_key(author, nonce, round_.id),
            "released": False,
            "now": now,
            "limit": limit,
        },
    )
    if stored is None:
        return None
    identifying.flag_new_text(stored, body, names)
    release.release_waiting(round_)
    return stored


def explain_refusal(
    round_: Round, author: str, *, nonce: str, now: dt.datetime, limit: int
) -> uuid.UUID:
    """Why :func:`insert_text` stored nothing: the first row of a retried form, or an error.

    Raises ``RoundClosed`` or ``SubmissionRejected`` (the limit) for the participant to read.
    """
    ensure_open(round_, now)
    own = own_keys(round_, author)
    retry = own.get(submission_key(author, nonce, round_.id))
    if retry is not None:
        return retry
    if len(own) >= limit:
        raise SubmissionRejected(
            _l(
                "You have already written %(count)d contributions in this round, which is "
                "the most it allows. You can still edit them.",
                count=limit,
            )
        )
    raise RoundClosed(_l("This round is closed. Nothing was saved."))


#: Built once: every round page lists the author's own contributions.
_OWN = select(Contribution).where(
    Contribution.round_id == bindparam("round_id"), Contribution.author == bindparam("author")
)
_OWN_ALL = _OWN.order_by(Contribution.id)
_OWN_KIND_ONLY = _OWN.where(kind_input()).order_by(Contribution.id)


def list_own(round_: Round, author: str, *, kind_only: bool = False) -> list[Contribution]:
    """The author's contributions in ``round_``; only those to the kind's own form if asked.

    The kind's form replaces and counts only its own rows, never the text answers to the
    round's extra questions.
    """
    statement = _OWN_KIND_ONLY if kind_only else _OWN_ALL
    return list(Session.scalars(statement, {"round_id": round_.id, "author": author}))


def get_own(contribution_id: uuid.UUID, author: str) -> Contribution | None:
    """A contribution, but only if ``author`` wrote it; others' look like missing ones."""
    contribution = Session.get(Contribution, contribution_id)
    if contribution is None or contribution.author != author:
        return None
    return contribution


def add_contribution(
    round_: Round,
    author: str,
    *,
    body: str,
    nonce: str,
    now: dt.datetime,
    known_new: bool = False,
    **fields,
) -> Contribution:
    """Store one contribution; a retried form (same nonce) returns the first one instead.

    ``known_new``: the caller has just looked the key up (:func:`own_keys`), so it is not
    looked up again; a retry that arrives in between still gets the first row (the unique key).
    """
    ensure_open(round_, now)
    key = submission_key(author, nonce, round_.id)
    if not known_new:
        existing = Session.scalar(select(Contribution).where(Contribution.submission_key == key))
        if existing is not None:
            return existing
    contribution = Contribution(
        round_id=round_.id,
        author=author,
        body=body,
        created_on=now.date(),
        submission_key=key,
        **fields,
    )
    release.hold(contribution)
    try:
        with Session.begin_nested():
            Session.add(contribution)
    except IntegrityError:
        # A concurrent retry of the same form won the race: one row, the same receipt.
        return Session.scalar(select(Contribution).where(Contribution.submission_key == key))
    release.release_waiting(round_)
    return contribution


def edit_contribution(contribution: Contribution, *, now: dt.datetime, **fields) -> Contribution:
    """Change a contribution while its round is open."""
    ensure_open(contribution.round, now)
    for name, value in fields.items():
        setattr(contribution, name, value)
    release.hold(contribution)  # a changed text is news too: it waits for the next batch
    release.release_waiting(contribution.round)
    return contribution


def withdraw_contribution(contribution: Contribution, *, now: dt.datetime) -> None:
    """Delete a contribution while its round is open; it is gone, not hidden."""
    ensure_open(contribution.round, now)
    record_withdrawals(contribution.round.dialogue, [contribution.id])
    Session.delete(contribution)
    Session.flush()


def require_text(text: str, *, min_length: int, max_length: int) -> str:
    """Clean ``text`` and check its length against the round's limits."""
    text = clean_text(text)
    if not text:
        raise SubmissionRejected(_l("Please write something before you save."), field="body")
    if len(text) < min_length:
        raise SubmissionRejected(
            _l("Please write at least %(count)d characters.", count=min_length), field="body"
        )
    if len(text) > min(max_length, HARD_MAX_LENGTH):
        raise SubmissionRejected(
            _l(
                "Please keep it within %(count)d characters.",
                count=min(max_length, HARD_MAX_LENGTH),
            ),
            field="body",
        )
    return text
