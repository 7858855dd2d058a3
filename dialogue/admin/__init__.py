"""Administration of a dialogue's participants: import, invitations, reminders."""


def init_app(app) -> None:
    """Register the ``admin`` blueprint."""
    from dialogue.admin import accounts, views  # noqa: F401 - accounts adds its routes to bp

    app.register_blueprint(views.bp)
