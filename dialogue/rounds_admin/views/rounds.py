"""Admin views for rounds: the list, creating and editing (schedule and settings), reordering.

Each view parses the form, calls one operation of ``rounds.lifecycle``, commits and redirects;
a refused change re-renders the form with the reason beside the field it concerns.
"""

from __future__ import annotations

import datetime as dt

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from wtforms import SelectChoice

from dialogue.core.access import member_or_404, require_roles, round_or_404
from dialogue.core.clock import utcnow
from dialogue.core.models import Membership, Role, RoundKind, RoundState
from dialogue.core.views import attempt
from dialogue.rounds_admin import bp, forms
from rounds import KINDS, get_kind
from rounds.answered import has_input
from rounds.errors import RoundError
from rounds.lifecycle import carry_over, editing, locks, schedule


def admin_membership(slug: str) -> Membership:
    """Only the dialogue's admins manage rounds: 404 for non-members, 403 for other roles."""
    return require_roles(member_or_404(slug), Role.ADMIN)


@bp.route("/")
@login_required
def round_list(slug: str):
    """Every round with its kind, schedule in local time, state and publication."""
    return _render_list(admin_membership(slug))


def _render_list(membership, status=200):
    now = utcnow()
    rounds = [(r, r.state_at(now), has_input(r)) for r in membership.dialogue.rounds]
    return render_template(
        "rounds_admin/list.html",
        membership=membership,
        dialogue=membership.dialogue,
        rounds=rounds,
        kinds=KINDS,
        move_form=forms.MoveForm(),
    ), status


def _attach(form, exc: RoundError) -> None:
    """Show a refusal beside its field, or above the form."""
    name = exc.field if exc.field in ("title", "opens_at", "closes_at") else None
    if name is None and exc.field:
        name = forms.SETTING_PREFIX + exc.field
    if name and name in form:
        form[name].errors = [*form[name].errors, exc.message]
    else:
        form.form_errors.append(exc.message)


def _read(form, kind, round_=None):
    """Everything the round form holds, as values, or FormInvalid."""
    values = {
        "title": form.title.data,
        "prompt": form.prompt.data or "",
        "opens_at": forms.read_local_time(form.opens_at, required=True),
        "closes_at": forms.read_local_time(form.closes_at, required=False),
    }
    values["settings"] = forms.read_settings(kind, form, round_)
    return values


def _render_form(membership, form, kind, round_=None, status=200, items_form=None):
    dialogue = membership.dialogue
    earlier = [r for r in dialogue.rounds if round_ is None or r.position < round_.position]
    answered = has_input(round_) if round_ is not None else False
    return render_template(
        "rounds_admin/form.html",
        membership=membership,
        dialogue=dialogue,
        form=form,
        kind=kind,
        round_=round_,
        locked=answered,
        fixed=_fix(form, round_) if round_ is not None else frozenset(),
        may_grow=answered and kind.items_may_grow,
        items_form=items_form,
        earlier=earlier,
    ), status


def _fix(form, round_, stored=None) -> frozenset[str]:
    """Show the settings that can no longer change as such; on a POST, keep their stored values.

    A disabled field sends nothing, so what the round has is read back; a value that is sent
    anyway goes to ``rounds.lifecycle``, which refuses it if it differs.
    """
    fixed = locks.fixed_settings(round_)
    for name in fixed:
        field = form[forms.SETTING_PREFIX + name]
        field.render_kw = {**(field.render_kw or {}), "disabled": True}
        if stored is not None and field.name not in request.form:
            field.data = stored[field.name]
    return fixed


def _default_opening(dialogue) -> str:
    """After the last round closes, or tomorrow at 08:00, in the dialogue's time zone."""
    if dialogue.rounds:
        last = max(dialogue.rounds, key=lambda r: r.closes_at)
        return schedule.to_local(last.closes_at, dialogue.timezone).strftime(forms.LOCAL_FORMAT)
    tomorrow = schedule.to_local(utcnow(), dialogue.timezone).date() + dt.timedelta(days=1)
    return dt.datetime.combine(tomorrow, dt.time(8)).strftime(forms.LOCAL_FORMAT)


@bp.route("/new", methods=["GET", "POST"])
@login_required
def create(slug: str):
    """Choose a kind, then fill in the round's form; the round is added at the end."""
    membership = admin_membership(slug)
    dialogue = membership.dialogue
    try:
        kind_value = RoundKind(request.args.get("kind", ""))
    except ValueError:
        return render_template(
            "rounds_admin/choose_kind.html", membership=membership, dialogue=dialogue, kinds=KINDS
        )
    kind = get_kind(kind_value)
    defaults = {
        "data": {
            **forms.setting_data(kind, kind.default_settings),
            "opens_at": _default_opening(dialogue),
        }
    }
    form = forms.build_form(kind, dialogue.rounds, **(defaults if request.method == "GET" else {}))
    if not form.validate_on_submit():
        return _render_form(membership, form, kind, status=422 if form.is_submitted() else 200)
    try:
        values = _read(form, kind)
    except forms.FormInvalid:
        return _render_form(membership, form, kind, status=422)
    outcome = attempt(
        lambda: editing.create_round(dialogue, kind=kind_value, actor_id=current_user.id, **values)
    )
    if outcome.refusal is not None:
        _attach(form, outcome.refusal)
        return _render_form(membership, form, kind, status=outcome.refusal.status)
    round_ = outcome.result
    flash(_("The round “%(title)s” is created.", title=round_.title), "success")
    return redirect(url_for(".round_list", slug=slug), 303)


@bp.route("/<int:round_id>/edit", methods=["GET", "POST"])
@login_required
def edit(slug: str, round_id: int):
    """Change a round's texts, schedule and settings."""
    membership = admin_membership(slug)
    round_ = round_or_404(membership, round_id)
    kind = get_kind(round_.kind)
    if kind is None:
        abort(404)
    dialogue = membership.dialogue
    earlier = [r for r in dialogue.rounds if r.position < round_.position]
    data = forms.form_data(kind, round_, dialogue.timezone)
    form = forms.build_form(kind, earlier, **({"data": data} if request.method == "GET" else {}))
    items_form = _items_form(kind, earlier)
    if request.method == "POST":
        _fix(form, round_, data)
    if not form.validate_on_submit():
        status = 422 if form.is_submitted() else 200
        return _render_form(membership, form, kind, round_, status, items_form)
    try:
        values = _read(form, kind, round_)
    except forms.FormInvalid:
        return _render_form(membership, form, kind, round_, 422, items_form)
    outcome = attempt(
        lambda: editing.update_round(round_, actor_id=current_user.id, now=utcnow(), **values)
    )
    if outcome.refusal is not None:
        _attach(form, outcome.refusal)
        return _render_form(membership, form, kind, round_, outcome.refusal.status, items_form)
    flash(_("The round “%(title)s” is saved.", title=round_.title), "success")
    return redirect(url_for(".round_list", slug=slug), 303)


def _items_form(kind, earlier):
    """The "take the top items of an earlier round" form, for kinds with items."""
    if "items" not in kind.default_settings:
        return None
    form = forms.TakeItemsForm(prefix="take")
    now = utcnow()
    form.source.choices = [
        SelectChoice(str(r.id), r.title) for r in earlier if r.state_at(now) is RoundState.CLOSED
    ]
    return form if form.source.choices else None


@bp.route("/<int:round_id>/items", methods=["POST"])
@login_required
def take_items(slug: str, round_id: int):
    """Copy the top items of an earlier closed round (e.g. the top priorities) into this one."""
    membership = admin_membership(slug)
    round_ = round_or_404(membership, round_id)
    form = forms.TakeItemsForm(prefix="take")
    if not form.validate_on_submit():
        abort(422)
    source = next((r for r in membership.dialogue.rounds if str(r.id) == form.source.data), None)
    try:
        count = int((form.count.data or "").strip())
    except ValueError:
        count = None
    if source is None or count is None:
        flash(_("Please choose a round and enter how many items to take."), "error")
        return redirect(url_for(".edit", slug=slug, round_id=round_id), 303)
    outcome = attempt(
        lambda: carry_over.take_items_from(
            round_, source, count, actor_id=current_user.id, now=utcnow()
        )
    )
    if outcome.message is not None:
        flash(str(outcome.message), "error")
    else:
        flash(_("The items are taken from “%(title)s”.", title=source.title), "success")
    return redirect(url_for(".edit", slug=slug, round_id=round_id), 303)


@bp.route("/<int:round_id>/move", methods=["POST"])
@login_required
def move(slug: str, round_id: int):
    """Move a round one place up or down in the order."""
    membership = admin_membership(slug)
    round_ = round_or_404(membership, round_id)
    form = forms.MoveForm()
    if not form.validate_on_submit():
        abort(422)
    offset = -1 if form.direction.data == "up" else 1
    attempt(lambda: editing.move_round(round_, offset, actor_id=current_user.id))
    return redirect(url_for(".round_list", slug=slug), 303)


@bp.route("/<int:round_id>/repeat", methods=["POST"])
@login_required
def repeat(slug: str, round_id: int):
    """Add a round asking again about the items of a closed rating round without consensus."""
    membership = admin_membership(slug)
    round_ = round_or_404(membership, round_id)
    outcome = attempt(
        lambda: carry_over.repeat_round(round_, actor_id=current_user.id, now=utcnow()),
        forms.RepeatForm(),
    )
    if outcome.message is not None:
        flash(str(outcome.message), "error")
        status = outcome.refusal.status if outcome.refusal is not None else 422
        return _render_list(membership, status)
    new = outcome.result
    flash(
        _("The round “%(title)s” is added. Check its schedule before it opens.", title=new.title),
        "success",
    )
    return redirect(url_for(".edit", slug=slug, round_id=new.id), 303)
