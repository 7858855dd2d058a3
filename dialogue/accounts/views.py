"""The admin's accounts page (TARGETS S5, S7).

Lock people of the dialogue out, let them in again, end their logins, and reset or unlock a
staff member's second factor.

The same operations as ``dialogue disable-user`` and friends (``services``), audit-
logged with the acting admin, the dialogue and the person's internal id only. The page shows
who may log in and which staff have set up their app, never when anybody logged in or took
part.
"""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import func, select

from dialogue.accounts import forms, queries
from dialogue.accounts import services as accounts
from dialogue.auth.services import totp
from dialogue.core.access import PER_PAGE, admin_membership
from dialogue.core.db import Session
from dialogue.core.errors import render_error
from dialogue.core.models import Membership, Person
from dialogue.core.views import attempt

#: The page sits among the admin's pages of the dialogue.
bp = Blueprint("accounts", __name__, url_prefix="/d/<slug>/admin")

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


#: The longest search the page takes; a longer one is cut, never refused.
MAX_SEARCH = 200


@bp.get("/accounts")
@login_required
def accounts_page(slug: str):
    """Staff and (paged) participants of the dialogue, with a button per action."""
    membership = admin_membership(slug)
    dialogue = membership.dialogue
    search = request.args.get("q", "").strip()[:MAX_SEARCH]
    matching = queries.matching_participants(dialogue.id, search)
    total = Session.scalar(select(func.count()).select_from(matching.subquery()))
    pages = max((total + PER_PAGE - 1) // PER_PAGE, 1)
    page = min(max(request.args.get("page", 1, type=int) or 1, 1), pages)
    participants = list(
        Session.scalars(
            matching.order_by(Person.name, Person.email)
            .limit(PER_PAGE)
            .offset((page - 1) * PER_PAGE)
        )
    )
    staff = queries.staff(dialogue.id)
    return render_template(
        "admin/accounts.html",
        dialogue=dialogue,
        staff=staff,
        participants=participants,
        search=search,
        total=total,
        page=page,
        pages=pages,
        form=forms.AccountActionForm(),
        me=current_user.id,
        max_code_failures=totp.MAX_FAILURES,
        # Their buttons would be refused: say so instead of offering them.
        shared=queries.beyond_reach(
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
    if queries.beyond_reach([target.person_id], admin.person_id):
        return render_error(
            403,
            _(
                "This person also belongs to a dialogue you do not administer, and their account "
                "is shared with it. Ask the operator, or an admin of all their dialogues."
            ),
        )
    attempt(lambda: ACTIONS[action](target.person, admin.person_id, admin.dialogue))
    flash(_confirmation(action), "success")
    return redirect(
        url_for(
            "accounts.accounts_page",
            slug=slug,
            page=request.args.get("page", 1, type=int),
            q=request.args.get("q", "")[:MAX_SEARCH] or None,
        )
    )
