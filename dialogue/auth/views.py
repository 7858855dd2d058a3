"""Login and logout views, and the TOTP step that completes every staff login."""

from contextlib import suppress

from flask import (
    Blueprint,
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
from flask_login import current_user, login_required

from dialogue.auth import forms, jobs
from dialogue.auth.services import joining, logins, oidc, totp
from dialogue.core import mail
from dialogue.core.db import Session
from dialogue.core.extensions import limiter
from dialogue.core.jobs import run_untracked
from dialogue.core.sessions import (
    complete_second_factor,
    end_session,
    second_factor_pending,
    start_session,
)
from dialogue.core.urls import external_url
from dialogue.privacy.acceptance import mark_seen

bp = Blueprint("auth", __name__)

PROVIDER_SIGN_IN = oidc.SIGNED_IN_FLAG
#: Session key naming what each started provider sign-in is for, by its state: "" for staff,
#: else a dialogue's slug. A few at most, for sign-ins started in several windows.
SIGN_IN_FOR = "oidc_for"
MAX_STARTED_SIGN_INS = 5

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
            return _after_first_factor(url_for("web.home"))
        form.password.errors.append(_("The e-mail address or the password is wrong."))
    status = 422 if form.errors else 200
    return render_template("auth/login.html", form=form, oidc_enabled=oidc.enabled()), status


def _after_first_factor(destination: str):
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
            return _after_first_factor(url_for("web.dialogue_home", slug=membership.dialogue.slug))
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


def _sign_in_error(reason: str):
    """The page for a sign-in that signed nobody in, with the reason in plain words."""
    return render_template(
        "auth/oidc_error.html", message=SIGN_IN_ERRORS[reason]()
    ), SIGN_IN_STATUS.get(reason, 400)


def _to_provider(purpose: str):
    """Send the browser to the provider, remembering what this sign-in (its state) is for."""
    try:
        url, state = oidc.authorization_url(external_url("auth.oidc_callback"))
    except oidc.SignInError as exc:
        return _sign_in_error(exc.reason)
    started = list(session.get(SIGN_IN_FOR, {}).items())[-(MAX_STARTED_SIGN_INS - 1) :]
    session[SIGN_IN_FOR] = dict([*started, (state, purpose)])
    return redirect(url)


@bp.route("/login/oidc")
@limiter.limit("20 per minute")
def oidc_staff():
    """Staff sign in through the organisation's provider instead of with a password."""
    if not oidc.enabled():
        abort(404)
    return _to_provider("")


@bp.route("/login/oidc/dialogue/<slug>")
@limiter.limit("20 per minute")
def oidc_participant(slug: str):
    """A dialogue's participants sign in through the provider instead of with their link."""
    if not oidc.enabled() or oidc.sign_in_dialogue(slug) is None:
        abort(404)
    return _to_provider(slug)


@bp.route("/login/oidc/callback")
@limiter.limit("20 per minute")
def oidc_callback():
    """The provider's answer: check the ID token, find the existing account, log it in.

    Nothing is created: an address that matches no account gets a message and no session.
    """
    if not oidc.enabled():
        abort(404)
    started = dict(session.get(SIGN_IN_FOR, {}))
    purpose = started.pop(request.args.get("state", ""), None)
    session[SIGN_IN_FOR] = started
    try:
        claims = oidc.verified_claims()
    except oidc.SignInError as exc:
        return _sign_in_error(exc.reason)
    if purpose is None:
        return _sign_in_error("state")
    if purpose:
        dialogue = oidc.sign_in_dialogue(purpose)
        person = oidc.participant(dialogue, claims) if dialogue is not None else None
        if person is None and dialogue is not None and joining.open_dialogue(purpose):
            return _join_through_provider(dialogue, claims)
        if person is None:
            return _sign_in_error("unknown_participant")
        destination = url_for("web.dialogue_home", slug=dialogue.slug)
    else:
        person = oidc.staff_member(claims)
        if person is None:
            return _sign_in_error("unknown_staff")
        destination = url_for("web.home")
    start_session(person)
    session[PROVIDER_SIGN_IN] = True
    if second_factor_pending() and oidc.checked_second_factor(claims):
        complete_second_factor(person)
        session[PROVIDER_SIGN_IN] = True
    Session.commit()
    return _after_first_factor(destination)


def _join_through_provider(dialogue, claims: dict):
    """A signed-in person without a membership asks to join the open dialogue."""
    g.dialogue_language = dialogue.language
    address = oidc.participant_address(dialogue, claims)
    if address is None or joining.membership(dialogue, address) is not None:
        return _sign_in_error("unknown_participant")  # no address, disabled, or staff here
    if not joining.admits(dialogue, address, claims):
        return _sign_in_error("not_admitted")
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
        return _sign_in_error("not_admitted")
    form = forms.ConfirmJoinForm()
    if form.validate_on_submit():
        return _join(dialogue, address, "")
    if form.errors:
        abort(400)
    return render_template("auth/confirm_join.html", form=form, dialogue=dialogue)
