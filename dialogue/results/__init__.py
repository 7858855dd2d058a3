"""Results pages of rounds: for every staff role at any time, for participants once published."""


def init_app(app) -> None:
    """Register the blueprint and the number and chart helpers its templates share."""
    from dialogue.results import views

    app.register_blueprint(views.bp)
    app.context_processor(views.template_helpers)
