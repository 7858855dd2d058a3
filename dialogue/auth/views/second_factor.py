"""The TOTP step that completes every staff login, and enrolling an app at the first one."""

from flask import (
    redirect,
    render_template,
    session,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user

from dialogue.auth import forms
from dialogue.auth.services import totp
from dialogue.auth.views.login import PROVIDER_SIGN_IN, bp
from dialogue.core.db import Session
from dialogue.core.extensions import limiter
from dialogue.core.sessions import (
    complete_second_factor,
    second_factor_pending,
)


def _second_factor_person() -> str:
    """Rate-limit key of the code forms: the half-logged-in person, as the e-mail is at login."""
    return f"second-factor:{current_user.get_id()}"


def _finish_login():
    """The second factor is done: a new session id, then where the login was heading."""
    destination = session.get("after_login") or url_for("web.home")
    signed_in_with_provider = session.get(PROVIDER_SIGN_IN, False)
    complete_second_factor(current_user._get_current_object())
    Session.commit()
    if signed_in_with_provider:
        session[PROVIDER_SIGN_IN] = True
    return redirect(destination)


def _pending_or_redirect():
    """Where to send a visitor who is not half-way through a staff login, if anywhere."""
    if not current_user.is_authenticated:
        return redirect(url_for("auth.login"))
    if not second_factor_pending():
        return redirect(url_for("web.home"))
    return None


@bp.route("/login/code", methods=["GET", "POST"])
@limiter.limit("20 per minute", methods=["POST"])
@limiter.limit("5 per minute", methods=["POST"], key_func=_second_factor_person)
def second_factor():
    """The second step of a staff login: the current code from the authenticator app."""
    elsewhere = _pending_or_redirect()
    if elsewhere is not None:
        return elsewhere
    if current_user.totp_secret is None:
        return redirect(url_for("auth.enrol_second_factor"))
    form = forms.CodeForm()
    if not totp.is_locked(current_user) and form.validate_on_submit():
        if totp.verify(current_user, form.code.data):
            return _finish_login()
        Session.commit()  # the wrong code counts towards the lock, though the login fails
        if not totp.is_locked(current_user):
            form.code.errors.append(_("The code is wrong or has been used. Wait for a new code."))
    if totp.is_locked(current_user):
        return render_template("auth/second_factor.html", form=form, locked=True), 403
    status = 422 if form.errors else 200
    return render_template("auth/second_factor.html", form=form), status


@bp.route("/login/code/setup", methods=["GET", "POST"])
@limiter.limit("20 per minute", methods=["POST"])
@limiter.limit("5 per minute", methods=["POST"], key_func=_second_factor_person)
def enrol_second_factor():
    """First staff login: add the secret to an authenticator app and confirm it with a code.

    The new secret waits in the signed session cookie, not in the database, so that showing
    this page changes nothing; it is stored only once a code proves the app has it.
    """
    elsewhere = _pending_or_redirect()
    if elsewhere is not None:
        return elsewhere
    if current_user.totp_secret is not None:
        return redirect(url_for("auth.second_factor"))
    secret = session.setdefault("totp_candidate", totp.new_secret())
    form = forms.CodeForm()
    if form.validate_on_submit():
        if totp.enrol(current_user, secret, form.code.data):
            return _finish_login()
        form.code.errors.append(_("The code is wrong. Check the key in your app and try again."))
    return render_template(
        "auth/enrol_second_factor.html",
        form=form,
        secret=totp.grouped(secret),
        qr_code=totp.qr_code_data_uri(secret, current_user.email),
    ), (422 if form.errors else 200)
