"""Follow-up: initiatives under the final values and critical factors, tracked until closed.

Initiatives come from management or from the action round's commitments; critical factors from
the consultant's coverage decisions. Each has an owner unit, a status and dated notes, and a
periodic review prints what moved and what did not as a one-page status.
"""

from flask import Blueprint

bp = Blueprint("followup", __name__, url_prefix="/d/<slug>/follow-up")


def init_app(app) -> None:
    """Register the blueprint and the status labels templates use."""
    from dialogue.followup import forms
    from dialogue.followup.views import items, reviews  # noqa: F401 - their routes

    app.register_blueprint(bp)
    app.jinja_env.globals["follow_up_label"] = forms.label
