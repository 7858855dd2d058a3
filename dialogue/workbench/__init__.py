"""The consultant's workbench: run the theme analysis of a round and edit its themes."""


def init_app(app) -> None:
    """Register the blueprint (the CLI commands are in ``dialogue.workbench.cli``)."""
    from dialogue.workbench import views

    app.register_blueprint(views.bp)
