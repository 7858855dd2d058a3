"""Identifying details: the participant's warning before saving, and the consultant's redaction."""


def init_app(app) -> None:
    """Register the consultant's review pages and flag details on every flush."""
    from dialogue.core.db import Session
    from dialogue.identifying import views
    from rounds.identifying import listen

    app.register_blueprint(views.bp)
    listen(Session.session_factory)
