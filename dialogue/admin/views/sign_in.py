"""How participants sign in: the provider's claim and whether anyone may join."""

from __future__ import annotations

from flask import flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from dialogue.admin import forms
from dialogue.admin.views.blueprint import bp
from dialogue.auth.services import joining, oidc
from dialogue.core.access import admin_membership
from dialogue.core.models import Membership
from dialogue.core.views import attempt


def _render_sign_in(membership: Membership, form, status: int = 200):
    dialogue = membership.dialogue
    return render_template(
        "admin/sign_in.html",
        membership=membership,
        dialogue=dialogue,
        form=form,
        provider=oidc.enabled(),
        waiting=joining.waiting_count(dialogue) if dialogue.open_join else 0,
    ), status


@bp.route("/sign-in", methods=["GET", "POST"])
@login_required
def sign_in_settings(slug: str):
    """How participants get in: through the provider (which claim), and whether anyone may join."""
    membership = admin_membership(slug)
    dialogue = membership.dialogue
    form = forms.SignInSettingsForm(obj=dialogue)
    if not form.is_submitted():
        return _render_sign_in(membership, form)

    def save():
        claim = (form.oidc_claim.data or "").strip() or None
        if claim != dialogue.oidc_claim:
            oidc.allow_participant_sign_in(dialogue, claim)
        joining.set_open(
            dialogue, current_user.id, open_join=form.open_join.data, rule=form.open_rule.data or ""
        )

    outcome = attempt(save, form)
    if outcome.message is not None:
        if outcome.refusal is not None and outcome.refusal.field == "open_rule":
            form.open_rule.errors.append(outcome.message)
        elif outcome.refusal is not None:
            form.form_errors.append(outcome.message)
        return _render_sign_in(membership, form, 422)
    flash(_("The sign-in settings are saved."), "success")
    return redirect(url_for(".sign_in_settings", slug=slug), 303)
