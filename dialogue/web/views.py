"""Views for every role."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import Blueprint, abort, jsonify, redirect, render_template, session, url_for
from flask_login import current_user, login_required
from sqlalchemy import select, text
from sqlalchemy.exc import SQLAlchemyError

from dialogue.core.access import member_or_404
from dialogue.core.clock import utcnow
from dialogue.core.db import Session
from dialogue.core.models import Dialogue, Membership
from dialogue.web.forms import LanguageForm

bp = Blueprint("web", __name__)


@bp.route("/")
def index():
    """The front page: public dialogues, and a logged-in person's own."""
    public = Session.scalars(
        select(Dialogue).where(Dialogue.is_public).order_by(Dialogue.title)
    ).all()
    return render_template("web/index.html", public_dialogues=public)


@bp.route("/home")
@login_required
def home():
    """The dialogues the logged-in person takes part in."""
    memberships = Session.scalars(
        select(Membership)
        .join(Dialogue)
        .where(Membership.person_id == current_user.id)
        .order_by(Dialogue.title)
    ).all()
    if len(memberships) == 1:
        return redirect(url_for("web.dialogue_home", slug=memberships[0].dialogue.slug))
    return render_template("web/home.html", memberships=memberships)


@bp.route("/d/<slug>/")
@login_required
def dialogue_home(slug: str):
    """A member's overview of a dialogue: its rounds with their state and dates."""
    membership = member_or_404(slug)
    now = utcnow()
    rounds = [(round_, round_.state_at(now)) for round_ in membership.dialogue.rounds]
    return render_template("web/dialogue_home.html", membership=membership, rounds=rounds)


@bp.route("/accessibility")
def accessibility():
    """The accessibility statement (an organisation may link its own instead)."""
    return render_template("web/accessibility.html")


@bp.route("/language", methods=["POST"])
def set_language():
    """Remember the visitor's language and go back to where they were."""
    form = LanguageForm()
    if not form.validate_on_submit():
        abort(400)
    session["language"] = form.language.data
    target = form.next.data or url_for("web.index")
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/"):
        target = url_for("web.index")
    return redirect(target)


@bp.route("/healthz")
def healthz():
    """For monitoring: 200 when the database answers, 503 when it does not."""
    try:
        Session.execute(text("SELECT 1"))
    except SQLAlchemyError:
        return jsonify(status="unavailable", database="unreachable"), 503
    return jsonify(status="ok", database="ok")
