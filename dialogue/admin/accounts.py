"""The admin's accounts page (TARGETS S5, S7).

Lock people of the dialogue out, let them in again, end their logins, and reset or unlock a
staff member's second factor.

The same operations as ``dialogue disable-user`` and friends (``accounts.services``), audit-
logged with the acting admin, the dialogue and the person's internal id only. The page shows
who may log in and which staff have set up their app, never when anybody logged in or took
part.
"""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import select
from sqlalchemy.orm import contains_eager, joinedload

from dialogue.accounts import services as accounts
from dialogue.admin import forms, services
from dialogue.admin.views import PER_PAGE, admin_membership, bp
from dialogue.auth import totp
from dialogue.core.db import Session
from dialogue.core.errors import render_error
from dialogue.core.models import Membership, Person, Role

#: What each button does: ``(person, actor_id, dialogue)``, audit event included.
ACTIONS = {
    "disable": accounts.disable_person,
    "enable": accounts.enable_person,
    "end-sessions": accounts.end_sessions_of,
    "reset-mfa": accounts.reset_second_factor,
    "unlock-mfa": accounts.unlock_second_factor,
}
ACTION_RULE = (
    "/accounts/<int:membership_id>"
    '/<any(disable,enable,"end-sessions","reset-mfa","unlock-mfa"):action>'
)


def _confirmation(action: str) -> str:
    return {
        "disable": _("The account is disabled and logged out everywhere."),
        "enable": _("The account can log in again."),
        "end-sessions": _("The person is logged out everywhere."),
        "reset-mfa": _("Two-factor login is reset: they set up their app again at next login."),
        "unlock-mfa": _("Two-factor login is unlocked: they can enter codes from their app again."),
    }[action]


def _staff(dialogue_id: int) -> list[Membership]:
    return list(
        Session.scalars(
            select(Membership)
            .join(Person)
            .options(contains_eager(Membership.person))
            .where(Membership.dialogue_id == dialogue_id, Membership.role != Role.PARTICIPANT)
            .order_by(Person.name, Person.email)
        )
    )


def _participants(dialogue, page: int) -> list[Membership]:
    """One page of participants, in the participant list's order and read the same way."""
    ids = [row[0] for row in services.participant_list(dialogue, page, PER_PAGE)]
    found = {
        membership.person_id: membership
        for membership in Session.scalars(
            select(Membership)
            .options(joinedload(Membership.person))  # the page shows each person's account
            .where(Membership.dialogue_id == dialogue.id, Membership.person_id.in_(ids))
        )
    }
    return [found[person_id] for person_id in ids]


@bp.get("/accounts")
@login_required
def accounts_page(slug: str):
    """Staff and (paged) participants of the dialogue, with a button per action."""
    membership = admin_membership(slug)
    dialogue = membership.dialogue
    total = services.participant_count(dialogue)
    pages = max((total + PER_PAGE - 1) // PER_PAGE, 1)
    page = min(max(request.args.get("page", 1, type=int) or 1, 1), pages)
    staff, participants = _staff(dialogue.id), _participants(dialogue, page)
    return render_template(
        "admin/accounts.html",
        dialogue=dialogue,
        staff=staff,
        participants=participants,
        page=page,
        pages=pages,
        form=forms.AccountActionForm(),
        me=current_user.id,
        max_code_failures=totp.MAX_FAILURES,
        # Their buttons would be refused: say so instead of offering them.
        shared=accounts.beyond_reach(
            [member.person_id for member in staff + participants], current_user.id
        ),
    )


@bp.post(ACTION_RULE)
@login_required
def account_action(slug: str, membership_id: int, action: str):
    """Do one action to one member of the admin's own dialogue."""
    admin = admin_membership(slug)
    if not forms.AccountActionForm().validate_on_submit():
        abort(400)
    target = Session.get(Membership, membership_id)
    if target is None or target.dialogue_id != admin.dialogue_id:
        abort(404)
    if target.person_id == admin.person_id and action in ("disable", "reset-mfa"):
        abort(409)  # locking oneself out is left to another admin or the command line
    if action in ("reset-mfa", "unlock-mfa") and not target.role.is_staff:
        abort(409)  # participants have no second factor
    if accounts.beyond_reach([target.person_id], admin.person_id):
        return render_error(
            403,
            _(
                "This person also belongs to a dialogue you do not administer, and their account "
                "is shared with it. Ask the operator, or an admin of all their dialogues."
            ),
        )
    ACTIONS[action](target.person, admin.person_id, admin.dialogue)
    Session.commit()
    flash(_confirmation(action), "success")
    return redirect(url_for("admin.accounts_page", slug=slug, page=request.args.get("page", 1)))
