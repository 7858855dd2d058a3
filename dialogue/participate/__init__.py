"""The participant's side: contributing in open rounds and finding one's own input again."""


def init_app(app) -> None:
    """Register the blueprint."""
    from dialogue.participate import views

    app.register_blueprint(views.bp)
