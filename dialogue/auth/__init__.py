"""Logging in: staff with e-mail and password, participants with their personal link."""


def init_app(app) -> None:
    """Register the login manager and the blueprint."""
    from dialogue.auth import views
    from dialogue.db import Session
    from dialogue.extensions import login_manager
    from dialogue.models import Person

    login_manager.init_app(app)
    login_manager.login_view = "auth.login"
    login_manager.login_message = None

    @login_manager.user_loader
    def load_person(person_id: str):
        person = Session.get(Person, int(person_id))
        return person if person is not None and person.is_active else None

    app.register_blueprint(views.bp)
