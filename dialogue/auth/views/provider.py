"""Signing in through the organisation's OpenID provider: off to it, and its answer back."""

from flask import (
    abort,
    redirect,
    request,
    session,
    url_for,
)

from dialogue.auth.services import joining, oidc
from dialogue.auth.views.joining import join_through_provider
from dialogue.auth.views.login import PROVIDER_SIGN_IN, after_first_factor, bp, sign_in_error
from dialogue.core.db import Session
from dialogue.core.extensions import limiter
from dialogue.core.sessions import (
    complete_second_factor,
    second_factor_pending,
    start_session,
)
from dialogue.core.urls import external_url

#: Session key naming what each started provider sign-in is for, by its state: "" for staff,
#: else a dialogue's slug. A few at most, for sign-ins started in several windows.
SIGN_IN_FOR = "oidc_for"


MAX_STARTED_SIGN_INS = 5


def _to_provider(purpose: str):
    """Send the browser to the provider, remembering what this sign-in (its state) is for."""
    try:
        url, state = oidc.authorization_url(external_url("auth.oidc_callback"))
    except oidc.SignInError as exc:
        return sign_in_error(exc.reason)
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
        return sign_in_error(exc.reason)
    if purpose is None:
        return sign_in_error("state")
    if purpose:
        dialogue = oidc.sign_in_dialogue(purpose)
        person = oidc.participant(dialogue, claims) if dialogue is not None else None
        if person is None and dialogue is not None and joining.open_dialogue(purpose):
            return join_through_provider(dialogue, claims)
        if person is None:
            return sign_in_error("unknown_participant")
        destination = url_for("web.dialogue_home", slug=dialogue.slug)
    else:
        person = oidc.staff_member(claims)
        if person is None:
            return sign_in_error("unknown_staff")
        destination = url_for("web.home")
    start_session(person)
    session[PROVIDER_SIGN_IN] = True
    if second_factor_pending() and oidc.checked_second_factor(claims):
        complete_second_factor(person)
        session[PROVIDER_SIGN_IN] = True
    Session.commit()
    return after_first_factor(destination)
