"""The workbench's blueprint and what its views share.

Only the dialogue's consultant may use the workbench: management and admin see themes once the
consultant has worked on them, elsewhere. The views here find the round, part and theme, return
after a POST, and commit an edit; the analysis itself runs as a background job
(``dialogue.workbench.jobs``).
"""

from __future__ import annotations

from flask import Blueprint, abort, current_app, flash, g, redirect, url_for
from flask_babel import gettext as _

from dialogue.core.access import member_or_404, require_roles, round_or_404
from dialogue.core.forms import first_error
from dialogue.core.models import Role, Round
from dialogue.core.results_cache.final import finalise_later
from dialogue.core.results_cache.store import is_cacheable
from dialogue.core.views import attempt
from rounds.theme_run.reading import theme_parts

bp = Blueprint("workbench", __name__, url_prefix="/d/<slug>/workbench")


def round_route(rule: str, **options):
    """Register a view of a part of a round: the plain URL is part "", others sit under /parts/.

    A round whose texts all answer one question (round 1) has only the plain URLs; the culture
    round's strengths and weaknesses, a consultation's comments per draft value, are themed
    apart, each part at its own URLs.
    """

    def register(view):
        bp.route(f"/rounds/<int:round_id>{rule}", defaults={"part": ""}, **options)(view)
        return bp.route(f"/rounds/<int:round_id>/parts/<part>{rule}", **options)(view)

    return register


@bp.url_value_preprocessor
def _remember_part(_endpoint, values) -> None:
    g.workbench_part = (values or {}).get("part", "")


@bp.url_defaults
def _stay_in_part(endpoint: str, values: dict) -> None:
    """Links and forms of a part's pages stay in that part unless they name another."""
    if "part" not in values and current_app.url_map.is_endpoint_expecting(endpoint, "part"):
        values["part"] = g.get("workbench_part", "")


def consultant(slug: str):
    """The consultant's membership of the dialogue; 403 or 404 for anyone else."""
    return require_roles(member_or_404(slug), Role.CONSULTANT)


def consultant_round(slug: str, round_id: int, part: str = ""):
    """The consultant's membership and the round; 404 for a part the round does not have."""
    membership = consultant(slug)
    round_ = round_or_404(membership, round_id)
    if part and part not in dict(theme_parts(round_)):
        abort(404)
    g.workbench_round = round_
    return membership, round_


def round_url(slug: str, round_: Round, part: str = "") -> str:
    """The workbench page of the round's part."""
    return url_for("workbench.round_page", slug=slug, round_id=round_.id, part=part)


def _back(slug: str, default: str, requested: str | None = None) -> str:
    """Where to return after a POST: a workbench page the form named, else `default`."""
    prefix = url_for("workbench.index", slug=slug)
    if requested and requested.startswith(prefix) and "//" not in requested:
        return requested
    return default


def done(slug: str, default: str, form=None):
    """Redirect back, flashing the first form error if the form was not valid."""
    if form is not None and form.errors:
        flash(first_error(form), "error")
    requested = getattr(getattr(form, "next", None), "data", None)
    return redirect(_back(slug, default, requested))


def apply_edit(edit, message):
    """Run one edit of the themes, then commit and say ``message`` (or why it was refused).

    ``message`` may be a function of the edit's result, for counts. Two consultants (or two
    windows) editing the same themes at once can break the one-member-per-theme constraint;
    the database refuses the second edit and we say so instead of a 500.
    """
    outcome = attempt(
        edit, conflict=_("The themes were changed elsewhere at the same moment. Please try again.")
    )
    if outcome.message is not None:
        flash(str(outcome.message), "error")
        return outcome
    if message is not None:
        flash(message(outcome.result) if callable(message) else message)
    round_ = g.get("workbench_round")
    if round_ is not None and is_cacheable(round_):
        # A closed round's results read its themes and hidden texts: a job computes them anew
        # now, so that the participants' and the public's pages need not wait for them.
        finalise_later(round_)
    return outcome
