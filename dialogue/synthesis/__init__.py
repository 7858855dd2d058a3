"""Synthesis and traceability: proposals from themes, final values, coverage, exports, report."""

from contextlib import ExitStack

from flask import Blueprint

bp = Blueprint("synthesis", __name__, url_prefix="/d/<slug>")


def init_app(app) -> None:
    """Register the blueprint, the figures' page rules, and the export and report commands.

    A GET page reads the traceability figures as stored and never computes them; after it, the
    figures it found missing or out of date are left to the refresh job. With jobs run inline
    (tests) the job would run inside the request, so there a page computes at once.
    """
    from flask import g, request

    from dialogue.core.jobs.runner import runner_name
    from dialogue.synthesis import forms, jobs
    from dialogue.synthesis.cli import export_command, report_command
    from dialogue.synthesis.queries import figures
    from dialogue.synthesis.views import coverage, decisions, proposals, reading

    del coverage, decisions, proposals  # their routes are registered on ``bp`` when imported
    app.register_blueprint(bp)
    app.cli.add_command(export_command)
    app.cli.add_command(report_command)
    app.register_error_handler(figures.FiguresPending, reading.figures_pending)
    app.context_processor(
        lambda: {"proposal_label": forms.label, "stale_figures": bool(figures.outdated())}
    )

    @app.before_request
    def read_stored_figures():
        page = request.method == "GET" and runner_name(app) != "inline"
        g.figures_page = ExitStack()
        g.figures_page.enter_context(figures.serving_page(page))

    @app.after_request
    def refresh_outdated_figures(response):
        for dialogue_id in sorted(figures.outdated()):
            jobs.refresh_later(dialogue_id, unless_within=jobs.PAGE_INTERVAL)
        return response

    @app.teardown_request
    def end_figures_page(_exc=None):
        stack = g.pop("figures_page", None)
        if stack is not None:
            stack.close()
