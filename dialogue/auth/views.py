"""Login and logout views."""

from contextlib import suppress

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import login_required

from dialogue import mail
from dialogue.admin.services import prepare_new_links
from dialogue.auth import forms, services
from dialogue.db import Session
from dialogue.extensions import limiter
from dialogue.sessions import end_session, start_session

bp = Blueprint("auth", __name__)

LINK_ERRORS = {
    "unknown": lambda: _("This link is not valid. It may have been used already."),
    "expired": lambda: _("This link has expired. Ask the organisers for a new one."),
}


def login_email() -> str:
    """Rate-limit key: the e-mail address tried, so one account cannot be guessed at fast."""
    return "login:" + request.form.get("email", "").strip().lower()[:254]


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit("20 per minute", methods=["POST"])
@limiter.limit("5 per minute", methods=["POST"], key_func=login_email)
def login():
    """Staff login with e-mail and password."""
    form = forms.LoginForm()
    if form.validate_on_submit():
        person = services.find_staff(form.email.data)
        if services.check_password(person, form.password.data):
            start_session(person)
            Session.commit()
            return redirect(url_for("web.home"))
        form.password.errors.append(_("The e-mail address or the password is wrong."))
    status = 422 if form.errors else 200
    return render_template("auth/login.html", form=form), status


def link_token() -> str:
    """Rate-limit key for a login link: the token, so one guessed link cannot be hammered."""
    return "link:" + (request.view_args or {}).get("token", "")[:64]


@bp.route("/link/<token>", methods=["GET", "POST"])
@limiter.limit("100 per minute", methods=["POST"])
@limiter.limit("5 per minute", methods=["POST"], key_func=link_token)
def link(token: str):
    """GET shows a confirmation page; only the POST behind its button logs in."""
    form = forms.ConfirmLinkForm()
    try:
        membership = services.find_link(token)
        if form.validate_on_submit():
            membership = services.redeem_login_link(token)
            start_session(membership.person)
            Session.commit()
            return redirect(url_for("web.dialogue_home", slug=membership.dialogue.slug))
    except services.LinkError as exc:
        return render_template("auth/link_error.html", message=LINK_ERRORS[exc.reason]()), 410
    if form.errors:
        abort(400)
    return render_template("auth/confirm_link.html", form=form, dialogue=membership.dialogue)


@bp.route("/logout", methods=["POST"])
@login_required
def logout():
    """End the session."""
    if not forms.LogoutForm().validate_on_submit():
        abort(400)
    end_session()
    Session.commit()
    flash(_("You are logged out."), "info")
    return redirect(url_for("web.index"))


def _requested_email() -> str:
    """Rate-limit key: the address asked for, so that nobody can flood one inbox."""
    return "request-link:" + request.form.get("email", "").strip().lower()


@bp.route("/login/link", methods=["GET", "POST"])
@limiter.limit("20 per minute", methods=["POST"])
@limiter.limit("5 per minute", methods=["POST"], key_func=_requested_email)
def request_link():
    """Mail a participant fresh links; known and unknown addresses get the same answer."""
    form = forms.RequestLinkForm()
    if form.validate_on_submit():
        mails = prepare_new_links(form.email.data)
        Session.commit()
        # A mail failure is logged by send_batch; a different answer would reveal the address.
        with suppress(mail.MailError):
            if mails:
                mail.send_batch(mails)
        flash(
            _("If this address belongs to a participant, a new link is on its way."),
            "info",
        )
        return redirect(url_for("auth.request_link"))
    status = 422 if form.errors else 200
    return render_template("auth/request_link.html", form=form), status
