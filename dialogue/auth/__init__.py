"""Logging in: staff with e-mail and password, participants with their personal link."""


def init_app(app) -> None:
    """Register the login manager and the blueprint."""
    from dialogue.auth import views
    from dialogue.extensions import login_manager
    from dialogue.sessions import load_session_person

    login_manager.init_app(app)
    login_manager.login_view = "auth.login"
    login_manager.login_message = None

    login_manager.user_loader(load_session_person)

    app.register_blueprint(views.bp)
