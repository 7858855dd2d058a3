"""Signing in through the organisation's OpenID provider (OpenID Connect), when configured.

Authlib does the protocol: discovery, the authorization code flow with PKCE (S256), state and
nonce kept in the signed session cookie, and the ID token's signature checked against the
provider's published keys. The claims it must check are named here explicitly (issuer,
audience, expiry), because Authlib only checks the audience through ``azp`` by itself.

Signing in writes nothing to the database (TARGETS A11): the ID token only says which
existing account is signing in. In an open dialogue a person without a membership asks to join
instead (``dialogue.auth.services.joining``), which creates memberships in cohorts, never at once.
Staff are matched by e-mail address, participants by the claim their dialogue names
(``Dialogue.oidc_claim``) against their membership's e-mail. The
provider's subject identifier is read and forgotten; contributions stay under the pseudonym
HMAC(ANON_SECRET, person, dialogue), as with a link.

A provider that checked a second factor says so in ``amr`` ("mfa") or with an ``acr`` value the
installation lists in ``OIDC_MFA_ACR_VALUES``; only then does it replace the app's TOTP step.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from authlib.common.errors import AuthlibBaseError
from authlib.integrations.base_client import MismatchingStateError
from authlib.integrations.flask_client import OAuth
from flask import current_app, session
from joserfc.errors import ExpiredTokenError, JoseError
from requests import RequestException
from sqlalchemy import func, select

from dialogue.auth.services.logins import find_staff
from dialogue.core.audit import record_event
from dialogue.core.db import Session
from dialogue.core.models import Dialogue, Membership, Person, Role
from dialogue.core.security import CONTENT_SECURITY_POLICY

#: Authlib's registry; the provider is registered only when the installation configures one.
oauth = OAuth()
NAME = "provider"
#: Session flag of a login through the provider: logging out then ends its session too.
SIGNED_IN_FLAG = "oidc"
#: Seconds of clock difference allowed between the provider and this server.
LEEWAY = 60


class SignInError(Exception):
    """The provider's answer cannot sign anybody in; ``reason`` says why, for the message."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


def init_app(app) -> None:
    """Register the provider from OIDC_ISSUER, OIDC_CLIENT_ID and OIDC_CLIENT_SECRET, if set."""
    if not app.config["OIDC_ENABLED"]:
        return
    oauth.init_app(app)
    oauth.register(
        NAME,
        client_id=app.config["OIDC_CLIENT_ID"],
        client_secret=app.config["OIDC_CLIENT_SECRET"],
        server_metadata_url=app.config["OIDC_ISSUER"].rstrip("/")
        + "/.well-known/openid-configuration",
        client_kwargs={"scope": "openid email profile", "code_challenge_method": "S256"},
        overwrite=True,
    )
    issuer = urlsplit(app.config["OIDC_ISSUER"])
    provider_origin = f"{issuer.scheme}://{issuer.netloc}"
    policy = CONTENT_SECURITY_POLICY.replace(
        "form-action 'self'", f"form-action 'self' {provider_origin}"
    )

    @app.after_request
    def let_logout_reach_the_provider(response):
        """The logout form's redirect goes on to the provider, which form-action must allow.

        Only for sessions signed in through it; runs before the security headers are set,
        which keep a policy already there.
        """
        if session.get(SIGNED_IN_FLAG):
            response.headers["Content-Security-Policy"] = policy
        return response


def enabled() -> bool:
    """Whether this installation signs people in through a provider."""
    return bool(current_app.config.get("OIDC_ENABLED"))


def client():
    """The registered provider client (only when ``enabled()``)."""
    return oauth.create_client(NAME)


def authorization_url(redirect_uri: str) -> tuple[str, str]:
    """The provider's authorization address, and its state.

    Authlib keeps the state, the nonce and the PKCE verifier in the session for the callback.
    """
    provider = client()
    try:
        found = provider.create_authorization_url(redirect_uri)
    except (RequestException, ValueError) as exc:
        raise SignInError("unreachable") from exc
    provider.save_authorize_data(redirect_uri=redirect_uri, **found)
    return found["url"], found["state"]


def verified_claims() -> dict:
    """The checked claims of the ID token the provider's answer leads to.

    Raises ``SignInError`` with reason "cancelled", "state" (unknown, used or foreign
    callback), "expired", "invalid" (signature, issuer, audience, nonce) or "unreachable".
    """
    provider = client()
    try:
        metadata = provider.load_server_metadata()
        options = {
            "iss": {"essential": True, "value": metadata["issuer"]},
            "aud": {"essential": True, "value": provider.client_id},
            "exp": {"essential": True},
            "iat": {"essential": True},
        }
        token = provider.authorize_access_token(claims_options=options, leeway=LEEWAY)
    except MismatchingStateError as exc:
        raise SignInError("state") from exc
    except ExpiredTokenError as exc:
        raise SignInError("expired") from exc
    except RequestException as exc:
        raise SignInError("unreachable") from exc
    except AuthlibBaseError as exc:
        reason = "cancelled" if exc.error in {"access_denied", "login_required"} else "invalid"
        raise SignInError(reason) from exc
    except (JoseError, KeyError, ValueError) as exc:
        raise SignInError("invalid") from exc
    claims = token.get("userinfo")
    if not claims:
        raise SignInError("invalid")
    return dict(claims)


def checked_second_factor(claims: dict) -> bool:
    """Whether the provider says it checked a second factor (``amr`` or a configured ``acr``)."""
    amr = claims.get("amr") or []
    if isinstance(amr, str):
        amr = [amr]
    acr_values = current_app.config["OIDC_MFA_ACR_VALUES"]
    return "mfa" in amr or (bool(acr_values) and claims.get("acr") in acr_values)


def _address(claims: dict, claim: str) -> str | None:
    """The e-mail address in ``claim``, unless the provider says it is not verified."""
    value = claims.get(claim)
    if not isinstance(value, str) or not value.strip() or claims.get("email_verified") is False:
        return None
    return value.strip().lower()


def staff_member(claims: dict) -> Person | None:
    """The active staff account with the token's e-mail address; never a new one."""
    address = _address(claims, "email")
    person = find_staff(address) if address else None
    if person is None or not any(m.role.is_staff for m in person.memberships):
        return None
    return person


def sign_in_dialogue(slug: str) -> Dialogue | None:
    """The dialogue whose participants may sign in through the provider, by its slug."""
    return Session.scalar(
        select(Dialogue).where(Dialogue.slug == slug, Dialogue.oidc_claim.is_not(None))
    )


def allow_participant_sign_in(dialogue: Dialogue, claim: str | None) -> None:
    """Let participants sign in with ``claim`` as their e-mail address, or not (None)."""
    dialogue.oidc_claim = claim
    Session.flush()
    subject = f"dialogue:{dialogue.id}"
    record_event(None, "dialogue.oidc_sign_in", dialogue, subject=subject, claim=claim or "")


def participant_address(dialogue: Dialogue, claims: dict) -> str | None:
    """The verified e-mail address in the claim the dialogue names."""
    return _address(claims, dialogue.oidc_claim or "email")


def participant(dialogue: Dialogue, claims: dict) -> Person | None:
    """The active participant of ``dialogue`` whose e-mail is in the dialogue's claim."""
    address = participant_address(dialogue, claims)
    if address is None:
        return None
    return Session.scalar(
        select(Person)
        .join(Membership, Membership.person_id == Person.id)
        .where(
            func.lower(Person.email) == address,
            Person.is_active.is_(True),
            Membership.dialogue_id == dialogue.id,
            Membership.role == Role.PARTICIPANT,
        )
    )


def logout_url(post_logout_redirect_uri: str) -> str | None:
    """The provider's end-session address, when its metadata has one."""
    try:
        metadata = client().load_server_metadata()
    except (RequestException, ValueError):
        return None
    if not metadata.get("end_session_endpoint"):
        return None
    return client().create_logout_url(
        post_logout_redirect_uri=post_logout_redirect_uri, client_id=client().client_id
    )["url"]
