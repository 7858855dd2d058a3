"""Logging in: staff with e-mail and password, participants with their personal link.

Both may instead sign in through the organisation's OpenID provider when it is configured
(``dialogue.auth.services.oidc``).

Staff also give a TOTP code (TARGETS S7). Until they do, every page behind a login answers
403; only the login steps themselves and the pages anyone may see stay open.
"""

from flask import render_template, request
from flask_login import current_user

#: Pages open to a staff member who has not given their code yet: logging in (again) or out,
#: and what an anonymous visitor may see anyway.
OPEN_BLUEPRINTS = {"auth", "public"}
OPEN_ENDPOINTS = {"static", "web.index", "web.accessibility", "web.healthz", "web.set_language"}


def refuse_half_logged_in():
    """403 on every other page while the second factor is pending."""
    from dialogue.core.sessions import second_factor_pending

    if request.blueprint in OPEN_BLUEPRINTS or request.endpoint in OPEN_ENDPOINTS:
        return None
    if current_user.is_authenticated and second_factor_pending():
        return render_template("auth/second_factor_required.html"), 403
    return None


def init_app(app) -> None:
    """Register the login manager, the second-factor gate and the blueprint."""
    from dialogue.auth.cli import oidc_sign_in_command, open_dialogue_command
    from dialogue.auth.services import oidc
    from dialogue.auth.views import joining, login, provider, second_factor  # noqa: F401 - routes
    from dialogue.core.extensions import login_manager
    from dialogue.core.sessions import load_session_person

    login_manager.init_app(app)
    login_manager.login_view = "auth.login"
    login_manager.login_message = None

    login_manager.user_loader(load_session_person)

    app.before_request(refuse_half_logged_in)
    app.register_blueprint(login.bp)
    app.cli.add_command(oidc_sign_in_command)
    app.cli.add_command(open_dialogue_command)
    oidc.init_app(app)
