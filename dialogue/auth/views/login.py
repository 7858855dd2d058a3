"""Logging in with a password or a link, and out again; the sign-in errors every way shares."""

from flask import (
    Blueprint,
    abort,
    flash,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import gettext as _
from flask_login import login_required

from dialogue.auth import forms, jobs
from dialogue.auth.services import logins, oidc
from dialogue.core.db import Session
from dialogue.core.extensions import limiter
from dialogue.core.jobs.untracked import run_untracked
from dialogue.core.sessions import (
    end_session,
    second_factor_pending,
    start_session,
)
from dialogue.core.urls import external_url
from dialogue.privacy.services.notice import mark_seen

bp = Blueprint("auth", __name__)


PROVIDER_SIGN_IN = oidc.SIGNED_IN_FLAG


SIGN_IN_ERRORS = {
    "cancelled": lambda: _("The sign-in was cancelled. You can start again."),
    "state": lambda: _(
        "This sign-in has been used already or was started in another window. Start again."
    ),
    "expired": lambda: _("The answer from your organisation's sign-in has expired. Start again."),
    "invalid": lambda: _(
        "The answer from your organisation's sign-in could not be checked, so nobody was"
        " signed in. Tell the administrator if this happens again."
    ),
    "unreachable": lambda: _(
        "Your organisation's sign-in cannot be reached right now. Try again in a little while."
    ),
    "unknown_staff": lambda: _(
        "There is no staff account for this e-mail address. Ask an administrator to add you;"
        " signing in does not create accounts."
    ),
    "unknown_participant": lambda: _(
        "You are not on this dialogue's list of participants. Ask the organisers to add you."
    ),
    "not_admitted": lambda: _(
        "This dialogue is open only to some organisations or groups, and your account is not"
        " one of them. Nothing about you was stored."
    ),
}


SIGN_IN_STATUS = {
    "unreachable": 503,
    "unknown_staff": 403,
    "unknown_participant": 403,
    "not_admitted": 403,
}


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
        person = logins.find_staff(form.email.data)
        if logins.check_password(person, form.password.data):
            start_session(person)
            Session.commit()
            return after_first_factor(url_for("web.home"))
        form.password.errors.append(_("The e-mail address or the password is wrong."))
    status = 422 if form.errors else 200
    return render_template("auth/login.html", form=form, oidc_enabled=oidc.enabled()), status


def after_first_factor(destination: str):
    """Participants go on at once; staff first give their TOTP code, then go on."""
    if not second_factor_pending():
        return redirect(destination)
    session["after_login"] = destination
    return redirect(url_for("auth.second_factor"))


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
        if form.validate_on_submit():
            membership = logins.redeem_login_link(token)
            start_session(membership.person)
            mark_seen(membership.dialogue.slug)  # this page showed the notice
            Session.commit()
            return after_first_factor(url_for("web.dialogue_home", slug=membership.dialogue.slug))
        membership = logins.find_link(token)
    except logins.LinkError as exc:
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
    signed_in_with_provider = session.pop(PROVIDER_SIGN_IN, False)
    end_session()
    Session.commit()
    flash(_("You are logged out."), "info")
    if signed_in_with_provider:
        provider_logout = oidc.logout_url(external_url("web.index"))
        if provider_logout:
            return redirect(provider_logout)
    return redirect(url_for("web.index"))


def _requested_email() -> str:
    """Rate-limit key: the address asked for, so that nobody can flood one inbox."""
    return "request-link:" + request.form.get("email", "").strip().lower()


@bp.route("/login/link", methods=["GET", "POST"])
@limiter.limit("20 per minute", methods=["POST"])
@limiter.limit("5 per minute", methods=["POST"], key_func=_requested_email)
def request_link():
    """Mail a participant fresh links; known and unknown addresses get the same answer.

    The request only hands the address to a background task, the same work either way, so
    neither the answer nor its timing tells whether the address is known.
    """
    form = forms.RequestLinkForm()
    if form.validate_on_submit():
        run_untracked(jobs.mail_new_links, form.email.data.strip().lower())
        flash(
            _("If this address belongs to a participant, a new link is on its way."),
            "info",
        )
        return redirect(url_for("auth.request_link"))
    status = 422 if form.errors else 200
    return render_template("auth/request_link.html", form=form), status


def sign_in_error(reason: str):
    """The page for a sign-in that signed nobody in, with the reason in plain words."""
    return render_template(
        "auth/oidc_error.html", message=SIGN_IN_ERRORS[reason]()
    ), SIGN_IN_STATUS.get(reason, 400)
