"""Synthesis and traceability: proposals from themes, final values, coverage, exports, report."""


def init_app(app) -> None:
    """Register the blueprint (the export command is in ``dialogue.synthesis.cli``)."""
    from dialogue.synthesis import forms, pages, views
    from dialogue.synthesis.figures import FiguresPending

    del pages  # its routes are registered on ``views.bp`` when it is imported
    app.register_blueprint(views.bp)
    app.register_error_handler(FiguresPending, views.figures_pending)
    app.context_processor(lambda: {"proposal_label": forms.label})
