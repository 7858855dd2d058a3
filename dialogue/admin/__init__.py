"""Administration of a dialogue's participants: import, invitations, reminders."""


def init_app(app) -> None:
    """Register the ``admin`` blueprint."""
    from dialogue.admin import views

    app.register_blueprint(views.bp)
