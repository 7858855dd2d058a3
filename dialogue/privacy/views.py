"""The privacy notice: its page, the admin's form, and the gate before a dialogue's first page.

The gate is for a participant who did not pass the login link's confirmation page, which shows
the notice beside its button: one who came through the organisation's OpenID provider, or
through one dialogue's link while a participant of another dialogue too. Going on is
remembered in the login's signed cookie only (``services.notice``).
"""

from __future__ import annotations

from flask import Blueprint, abort, flash, g, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import select

from dialogue.core.access import member_or_404, require_roles
from dialogue.core.db import Session
from dialogue.core.extensions import login_manager
from dialogue.core.models import Dialogue, Membership, Role
from dialogue.core.views import attempt
from dialogue.privacy.forms import GoOnForm, PrivacySettingsForm
from dialogue.privacy.queries import retention_ends, standard_notice
from dialogue.privacy.services import notice as notice_seen
from dialogue.privacy.services import retention

bp = Blueprint("privacy", __name__, url_prefix="/d/<slug>")


@bp.get("/privacy")
def notice(slug: str):
    """The dialogue's privacy notice, in the visitor's language.

    A public dialogue's notice is public. Any other slug, known or not, asks an anonymous
    visitor to log in, as members' pages do, so that nobody learns which dialogues exist.
    """
    dialogue = Session.scalar(select(Dialogue).where(Dialogue.slug == slug, Dialogue.is_public))
    if dialogue is not None:
        g.dialogue_language = dialogue.language
    elif not current_user.is_authenticated:
        return login_manager.unauthorized()
    else:
        dialogue = member_or_404(slug).dialogue
    return render_template("privacy/notice.html", dialogue=dialogue)


@bp.route("/privacy/go-on", methods=["GET", "POST"])
@login_required
def go_on(slug: str):
    """The notice before a participant's first page of the dialogue, and the button to go on.

    Participants come here from ``require_notice``; going on is remembered in the
    login's cookie only. Staff have nothing to accept and go straight on.
    """
    membership = member_or_404(slug)
    destination = safe_next(slug, request.values.get("next"))
    if membership.role is not Role.PARTICIPANT:
        return redirect(destination)
    form = GoOnForm()
    if form.validate_on_submit():
        notice_seen.mark_seen(slug)
        return redirect(destination, 303)
    if form.errors:
        abort(400)
    return render_template(
        "privacy/go_on.html", dialogue=membership.dialogue, form=form, destination=destination
    )


def admin_membership(slug: str) -> Membership:
    """Only the dialogue's admins set its notice: 404 for non-members, 403 for other roles."""
    return require_roles(member_or_404(slug), Role.ADMIN)


def _render_settings(membership: Membership, form, status: int = 200):
    dialogue = membership.dialogue
    return render_template(
        "privacy/settings.html",
        membership=membership,
        dialogue=dialogue,
        form=form,
        standard={language: standard_notice(dialogue, language) for language in ("da", "en")},
        retention_ends=retention_ends(dialogue),
    ), status


@bp.route("/manage/privacy", methods=["GET", "POST"])
@login_required
def settings(slug: str):
    """The admin's form: data controller, retention period, what is kept, the notice's text."""
    membership = admin_membership(slug)
    dialogue = membership.dialogue
    form = PrivacySettingsForm(obj=dialogue)
    if not form.is_submitted():
        return _render_settings(membership, form)
    outcome = attempt(
        lambda: retention.save_settings(
            dialogue,
            current_user.id,
            data_controller=form.data_controller.data or "",
            retention_days=form.retention_days.data,
            keep_results=form.keep_results.data,
            notice_da=form.notice_da.data or "",
            notice_en=form.notice_en.data or "",
        ),
        form,
    )
    if outcome.message is not None:
        if outcome.refusal is not None:
            form.form_errors.append(outcome.message)
        return _render_settings(membership, form, 422)
    flash(_("The privacy notice and retention settings are saved."), "success")
    return redirect(url_for(".settings", slug=slug), 303)


#: Pages that need no notice first: logging in and out, the public pages, the notice itself.
OPEN_BLUEPRINTS = {"auth", "public", "privacy"}


def has_seen(slug: str) -> bool:
    """Whether this login has shown the notice of dialogue ``slug``."""
    return slug in session.get(notice_seen.SEEN, ())


def is_participant(slug: str) -> bool:
    """Whether the logged-in person takes part in dialogue ``slug`` (staff read no notice)."""
    return (
        Session.scalar(
            select(Membership.id)
            .join(Dialogue)
            .where(
                Dialogue.slug == slug,
                Membership.person_id == current_user.id,
                Membership.role == Role.PARTICIPANT,
            )
        )
        is not None
    )


def safe_next(slug: str, target: str | None) -> str:
    """Where to go on to: a page of the same dialogue, else its home page (no open redirect)."""
    prefix = f"/d/{slug}/"
    if target and target.startswith(prefix) and "\\" not in target and "//" not in target:
        return target
    return url_for("web.dialogue_home", slug=slug)


def require_notice():
    """Before any page of a dialogue: a participant who has not seen its notice sees it first.

    A GET comes back to its page afterwards; a POST (a form kept open since before the login)
    is not replayed: the participant sends it again once they have read the notice.
    """
    slug = (request.view_args or {}).get("slug")
    if not slug or request.blueprint in OPEN_BLUEPRINTS or has_seen(slug):
        return None
    if not current_user.is_authenticated or not is_participant(slug):
        return None
    query = request.query_string.decode("utf-8", "replace")
    here = request.path + (f"?{query}" if query else "")
    target = here if request.method == "GET" else None
    return redirect(url_for("privacy.go_on", slug=slug, next=target), 303)
