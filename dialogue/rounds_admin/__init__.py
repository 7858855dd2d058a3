"""Round management for admins: list, create, edit, reorder and schedule a dialogue's rounds."""

from flask import Blueprint

bp = Blueprint("rounds_admin", __name__, url_prefix="/d/<slug>/manage/rounds")


def init_app(app) -> None:
    """Register the blueprint."""
    from dialogue.rounds_admin.views import questions, rounds  # noqa: F401 - their routes

    app.register_blueprint(bp)
