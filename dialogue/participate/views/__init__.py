"""The participant's pages, by topic: a round, "my input", and input kept from an ended session.

The access steps every page of them takes are here, beside the login session they read.
"""

from __future__ import annotations

from flask import session

from dialogue.core.access import member_and_round_or_404, member_or_404, require_roles
from dialogue.core.models import Membership, Role, Round


def participant_or_404(slug: str) -> Membership:
    """Only participants contribute; staff have their own pages."""
    return require_roles(member_or_404(slug), Role.PARTICIPANT)


def participant_round_or_404(slug: str, round_id: int) -> tuple[Membership, Round]:
    """A participant's membership and a round of its dialogue, read in one statement."""
    membership, round_ = member_and_round_or_404(slug, round_id)
    return require_roles(membership, Role.PARTICIPANT), round_


def session_key() -> str:
    """Rate-limit key for submissions: the login session, not the address (many share one)."""
    return "submit:" + session.get("sid", "anonymous")
