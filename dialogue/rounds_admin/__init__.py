"""Round management for admins: list, create, edit, reorder and schedule a dialogue's rounds."""


def init_app(app) -> None:
    """Register the blueprint."""
    from dialogue.rounds_admin import views

    app.register_blueprint(views.bp)
