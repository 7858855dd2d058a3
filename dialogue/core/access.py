"""Who may see what: the membership behind a request, and the role checks views share.

Non-members get 404 rather than 403, so that a dialogue's existence is not confirmed to them.
"""

from __future__ import annotations

from flask import abort, current_app, g
from flask_login import current_user
from sqlalchemy import bindparam, select
from sqlalchemy.orm import contains_eager

from dialogue.core.anonymity import author_pseudonym
from dialogue.core.db import Session
from dialogue.core.models import Dialogue, Membership, Role, Round

#: People per page of the admin's lists (participants, accounts).
PER_PAGE = 50

#: Built once: every page behind a login reads the membership, and building the statement (and
#: its cache key) cost more CPU than running it. Every caller reads the dialogue: same query.
_MEMBERSHIP = (
    select(Membership)
    .join(Dialogue)
    .options(contains_eager(Membership.dialogue))
    .where(Dialogue.slug == bindparam("slug"), Membership.person_id == bindparam("person_id"))
)
#: The membership and one round of its dialogue, for the participant's round pages.
_MEMBERSHIP_AND_ROUND = (
    select(Membership, Round)
    .join(Dialogue, Dialogue.id == Membership.dialogue_id)
    .join(Round, Round.dialogue_id == Dialogue.id)
    .options(contains_eager(Membership.dialogue))
    .where(
        Dialogue.slug == bindparam("slug"),
        Membership.person_id == bindparam("person_id"),
        Round.id == bindparam("round_id"),
    )
)


def member_or_404(slug: str) -> Membership:
    """The logged-in person's membership of dialogue ``slug``."""
    if not current_user.is_authenticated:
        abort(404)
    membership = Session.scalar(_MEMBERSHIP, {"slug": slug, "person_id": current_user.id})
    if membership is None:
        abort(404)
    g.dialogue_language = membership.dialogue.language
    return membership


def member_and_round_or_404(slug: str, round_id: int) -> tuple[Membership, Round]:
    """``member_or_404`` and ``round_or_404`` in one statement, for the busiest pages.

    No row is "not found" either way: not a member, or no such round in this dialogue.
    """
    if not current_user.is_authenticated:
        abort(404)
    row = Session.execute(
        _MEMBERSHIP_AND_ROUND,
        {"slug": slug, "person_id": current_user.id, "round_id": round_id},
    ).first()
    if row is None:
        abort(404)
    membership, round_ = row
    g.dialogue_language = membership.dialogue.language
    return membership, round_


def require_roles(membership: Membership, *roles: Role) -> Membership:
    """Abort with 403 unless the member holds one of ``roles``."""
    if membership.role not in roles:
        abort(403)
    return membership


def admin_membership(slug: str) -> Membership:
    """The current person's admin membership of ``slug``: 404 for non-members, 403 for others."""
    return require_roles(member_or_404(slug), Role.ADMIN)


def round_or_404(membership: Membership, round_id: int) -> Round:
    """A round of the member's own dialogue; another dialogue's round is "not found"."""
    round_ = Session.get(Round, round_id)
    if round_ is None or round_.dialogue_id != membership.dialogue_id:
        abort(404)
    return round_


def current_author(membership: Membership) -> str:
    """The pseudonym under which this member's input is stored."""
    return author_pseudonym(
        current_app.config["ANON_SECRET"], membership.dialogue_id, membership.person_id
    )
