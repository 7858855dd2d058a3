"""The participant's side: contributing in open rounds and finding one's own input again."""

from flask import Blueprint

bp = Blueprint("participate", __name__, url_prefix="/d/<slug>")


def unsaved_round(slug: str) -> int | None:
    """The round whose input this browser keeps for the logged-in participant, if any."""
    from flask import request
    from flask_login import current_user

    from dialogue.participate.views import unsaved

    if not current_user.is_authenticated:
        return None
    return unsaved.kept_round(
        request.cookies.get(unsaved.COOKIE), slug=slug, person_id=current_user.get_id()
    )


def init_app(app) -> None:
    """Register the blueprint and the template helper that points to kept input."""
    from dialogue.participate.views import my_input, rounds  # noqa: F401 - their routes

    app.register_blueprint(bp)
    app.jinja_env.globals["unsaved_round"] = unsaved_round
