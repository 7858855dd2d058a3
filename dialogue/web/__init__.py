"""Pages shared by every role: the front page, a member's dialogue overview, health, language."""


def init_app(app) -> None:
    """Register the blueprint."""
    from dialogue.web import views

    app.register_blueprint(views.bp)
