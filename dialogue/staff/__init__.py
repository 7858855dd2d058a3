"""Staff pages shared by consultant, management and admin: round overviews and raw input."""


def init_app(app) -> None:
    """Register the blueprint."""
    from dialogue.staff import views

    app.register_blueprint(views.bp)
