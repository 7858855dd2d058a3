"""What the participant's pages read: their membership, their own contributions, their key.

Other features (the member check on "my input") use these too; none of them reads a request
body or writes.
"""

from __future__ import annotations

import uuid

from flask import abort, session

from dialogue.core.access import current_author, member_or_404, require_roles
from dialogue.core.models import Membership, Role
from rounds import submissions


def participant_or_404(slug: str) -> Membership:
    """Only participants contribute; staff have their own pages."""
    return require_roles(member_or_404(slug), Role.PARTICIPANT)


def session_key() -> str:
    """Rate-limit key for submissions: the login session, not the address (many share one)."""
    return "submit:" + session.get("sid", "anonymous")


def own_contribution_or_404(membership: Membership, contribution_id: uuid.UUID):
    """One of the member's own contributions; anybody else's is "not found"."""
    contribution = submissions.get_own(contribution_id, current_author(membership))
    if contribution is None:
        abort(404)
    return contribution
