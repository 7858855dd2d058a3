"""The public side of a dialogue: what anyone may follow without logging in."""


def init_app(app) -> None:
    """Register the blueprint."""
    from dialogue.public import views

    app.register_blueprint(views.bp)
