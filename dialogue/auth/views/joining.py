"""Joining an open dialogue, through the provider or by a link mailed to the address."""

from contextlib import suppress

from flask import (
    abort,
    flash,
    g,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import gettext as _

from dialogue.auth import forms, jobs
from dialogue.auth.services import joining, oidc
from dialogue.auth.views.login import PROVIDER_SIGN_IN, bp, sign_in_error
from dialogue.core import mail
from dialogue.core.db import Session
from dialogue.core.extensions import limiter
from dialogue.core.jobs.untracked import run_untracked
from dialogue.core.sessions import (
    start_session,
)
from dialogue.privacy.services.notice import mark_seen


def join_through_provider(dialogue, claims: dict):
    """A signed-in person without a membership asks to join the open dialogue."""
    g.dialogue_language = dialogue.language
    address = oidc.participant_address(dialogue, claims)
    if address is None or joining.membership(dialogue, address) is not None:
        return sign_in_error("unknown_participant")  # no address, disabled, or staff here
    if not joining.admits(dialogue, address, claims):
        return sign_in_error("not_admitted")
    name = claims.get("name") if isinstance(claims.get("name"), str) else ""
    return _join(dialogue, address, name, by_provider=True)


def _join(dialogue, address: str, name: str, *, by_provider: bool = False):
    """Wait for enough others, or be admitted with them; the one who completes the cohort is in.

    Everyone admitted gets an invitation with their personal link, sent after the commit.
    """
    try:
        admitted = joining.ask_to_join(dialogue, address, name)
    except joining.JoinRefused as exc:
        Session.rollback()
        return render_template("auth/oidc_error.html", message=exc.message), 429
    mails = joining.invitations(admitted)
    Session.commit()
    with suppress(mail.MailError):  # logged by send_batch; the links can be asked for again
        if mails:
            mail.send_batch(mails)
    mine = next((m for m in admitted if m.person.email == address), None)
    if mine is None:
        return render_template("auth/join_waiting.html", dialogue=dialogue, by_provider=by_provider)
    start_session(mine.person)
    if by_provider:
        session[PROVIDER_SIGN_IN] = True
    else:
        mark_seen(dialogue.slug)  # the mailed link's page showed the notice
    Session.commit()
    flash(_("Welcome. You have joined the dialogue."), "success")
    return redirect(url_for("web.dialogue_home", slug=dialogue.slug))


def _join_email() -> str:
    """Rate-limit key: the address that asks to join, so that nobody can flood one inbox."""
    return "join:" + request.form.get("email", "").strip().lower()[:254]


def _join_session() -> str:
    """Rate-limit key: the browser session, which every POST has (its CSRF token lives there)."""
    return "join-session:" + str(session.get("csrf_token", ""))


def _join_token() -> str:
    """Rate-limit key: the mailed link to join, so one link cannot be hammered."""
    return "join-link:" + (request.view_args or {}).get("token", "")[:200]


@bp.route("/join/<slug>", methods=["GET", "POST"])
@limiter.limit("20 per hour", methods=["POST"])
@limiter.limit("10 per hour", methods=["POST"], key_func=_join_session)
@limiter.limit("3 per hour", methods=["POST"], key_func=_join_email)
def join(slug: str):
    """An open dialogue's link: sign in through the provider, or get a link to join by mail.

    As with a new link, the answer and its timing are the same whoever asks: a background task
    mails a participant a fresh link, an address the rule admits a link to join, others nothing.
    """
    dialogue = joining.open_dialogue(slug)
    if dialogue is None:
        abort(404)
    g.dialogue_language = dialogue.language
    form = forms.JoinForm()
    if form.validate_on_submit():
        run_untracked(jobs.mail_join_link, dialogue.id, form.email.data.strip().lower())
        flash(
            _(
                "If this address may join, a link is on its way. If you take part already,"
                " it is a new personal link."
            ),
            "info",
        )
        return redirect(url_for("auth.join", slug=slug), 303)
    provider = oidc.enabled() and dialogue.oidc_claim is not None
    status = 422 if form.errors else 200
    return render_template(
        "auth/join.html", form=form, dialogue=dialogue, provider=provider
    ), status


@bp.route("/join/<slug>/<token>", methods=["GET", "POST"])
@limiter.limit("20 per minute", methods=["POST"])
@limiter.limit("10 per hour", methods=["POST"], key_func=_join_session)
@limiter.limit("5 per minute", methods=["POST"], key_func=_join_token)
def confirm_join(slug: str, token: str):
    """The mailed link to join: GET shows the privacy notice and a button, the POST joins."""
    dialogue = joining.open_dialogue(slug)
    if dialogue is None:
        abort(404)
    g.dialogue_language = dialogue.language
    address = joining.confirmed_email(dialogue, token)
    if address is None:
        message = _("This link is not valid or has expired. Ask for a new one on the join page.")
        return render_template("auth/link_error.html", message=message), 410
    if joining.membership(dialogue, address) is not None:
        message = _("You take part in this dialogue already. Ask for a new personal link.")
        return render_template("auth/link_error.html", message=message), 409
    if not joining.admits(dialogue, address):  # the rule changed since the link was mailed
        return sign_in_error("not_admitted")
    form = forms.ConfirmJoinForm()
    if form.validate_on_submit():
        return _join(dialogue, address, "")
    if form.errors:
        abort(400)
    return render_template("auth/confirm_join.html", form=form, dialogue=dialogue)
