"""Follow-up views: progress per final value for every member; initiatives and notes for staff.

Management and the consultant add initiatives (their own, or promoted from a commitment of the
action round), track critical factors from the coverage view, write progress notes and hold
periodic reviews. Participants and admins read the progress; the public reads it on the value
pages. A refused operation re-renders the page with its message (422) and stores nothing.
"""

from __future__ import annotations

import uuid

from flask import abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from dialogue.core.access import member_or_404
from dialogue.core.db import Session
from dialogue.core.models import (
    Contribution,
    CoverageMark,
    FollowUp,
)
from dialogue.core.models.followup import FollowUpStatus
from dialogue.core.views import attempt
from dialogue.followup import bp, forms, queries, services
from dialogue.synthesis.queries.proposals import AUTHORS, proposal_or_404, synthesis_member
from dialogue.synthesis.queries.traces import proposal_view
from rounds.traceability import load_graph, proposal_id_of

#: A value's commitments are listed as text only up to this many (the rest are counted).
COMMITMENT_LIMIT = 200


def _overview(membership, *, error=None, forms_used=None, status=200):
    dialogue = membership.dialogue
    graph = load_graph(dialogue)
    items = queries.items_of(dialogue)
    under = queries.by_value(items)
    finals = queries.final_values(graph)
    initiative = forms.InitiativeForm()
    initiative.proposal_id.choices = [(str(p.id), p.current.title) for p in finals]
    return render_template(
        "followup/overview.html",
        membership=membership,
        dialogue=dialogue,
        values=[(proposal_view(p), under.get(p.id, [])) for p in finals],
        reopened=queries.reopened(under, {p.id for p in finals}),
        factors=queries.critical_factors(dialogue, items) if _is_staff(membership) else [],
        counts=queries.counts_by_status(items),
        statuses=list(FollowUpStatus),
        is_staff=_is_staff(membership),
        initiative_form=initiative,
        forms_used=forms_used or {},
        error=error,
    ), status


def _is_staff(membership) -> bool:
    return membership.role in AUTHORS


@bp.route("/")
@login_required
def overview(slug: str):
    """Every final value with its initiatives and their progress; staff also track and add."""
    return _overview(member_or_404(slug))


def _attempt(membership, form, key: str, operation, message: str):
    """Validate ``form``, run ``operation`` and commit; or show why nothing was saved (422).

    The overview is shown again with the reason beside the form it concerns. ``operation``
    returns the item or note it wrote, whose item the redirect scrolls to.
    """
    outcome = attempt(operation, form)
    if outcome.message is not None:
        return _overview(membership, error=str(outcome.message), forms_used={key: form}, status=422)
    written = outcome.result
    item_id = getattr(written, "follow_up_id", None) or written.id
    flash(message, "success")
    slug = membership.dialogue.slug
    return redirect(url_for(".overview", slug=slug, _anchor=f"item-{item_id}"), 303)


@bp.route("/initiatives", methods=["POST"])
@login_required
def add_initiative(slug: str):
    """Management's own initiative under a final value."""
    membership = synthesis_member(slug)
    form = forms.InitiativeForm()
    return _attempt(
        membership,
        form,
        "initiative",
        lambda: services.add_initiative(
            proposal_or_404(membership, _int(form.proposal_id.data)),
            title=form.title.data,
            owner_unit=form.owner_unit.data,
            description=form.description.data or "",
            status=FollowUpStatus(form.status.data),
            actor_id=current_user.id,
            day=queries.local_today(membership.dialogue),
        ),
        _("The initiative is added."),
    )


def _int(value) -> int:
    if not str(value or "").isdigit():
        abort(404)
    return int(value)


@bp.route("/items/<int:item_id>/notes", methods=["POST"])
@login_required
def add_note(slug: str, item_id: int):
    """A progress note, with the item's status after it."""
    membership = synthesis_member(slug)
    item = Session.get(FollowUp, item_id)
    if item is None or item.dialogue_id != membership.dialogue_id:
        abort(404)
    form = forms.NoteForm()
    return _attempt(
        membership,
        form,
        f"note-{item.id}",
        lambda: services.add_note(
            item,
            status=FollowUpStatus(form.status.data),
            text=form.text.data or "",
            actor_id=current_user.id,
            day=queries.local_today(membership.dialogue),
        ),
        _("The note is saved."),
    )


@bp.route("/factors/<int:mark_id>/track", methods=["POST"])
@login_required
def track_factor(slug: str, mark_id: int):
    """Track a critical factor from the coverage view like an initiative."""
    membership = synthesis_member(slug)
    mark = Session.get(CoverageMark, mark_id)
    if mark is None or mark.dialogue_id != membership.dialogue_id:
        abort(404)
    form = forms.ItemForm()
    return _attempt(
        membership,
        form,
        f"factor-{mark.id}",
        lambda: services.track_factor(
            mark,
            title=form.title.data,
            owner_unit=form.owner_unit.data,
            status=FollowUpStatus(form.status.data),
            actor_id=current_user.id,
            day=queries.local_today(membership.dialogue),
        ),
        _("The critical factor is tracked."),
    )


# --- commitments of the action round -------------------------------------------------------------


@bp.route("/values/<int:proposal_id>/commitments")
@login_required
def commitments(slug: str, proposal_id: int):
    """A final value's commitments from the action round, each one a possible initiative."""
    membership = synthesis_member(slug)
    proposal = proposal_or_404(membership, proposal_id)
    texts, count = queries.commitments(membership, proposal)
    return render_template(
        "followup/commitments.html",
        membership=membership,
        dialogue=membership.dialogue,
        proposal=proposal_view(proposal),
        texts=texts[:COMMITMENT_LIMIT],
        count=count,
        limit=COMMITMENT_LIMIT,
        form=forms.ItemForm(),
    )


@bp.route("/commitments/<uuid:commitment_id>/promote", methods=["POST"])
@login_required
def promote(slug: str, commitment_id: uuid.UUID):
    """Make one commitment an initiative of the value it was written for."""
    membership = synthesis_member(slug)
    commitment = Session.get(Contribution, commitment_id)
    if commitment is None or commitment.round.dialogue_id != membership.dialogue_id:
        abort(404)
    proposal = proposal_or_404(membership, proposal_id_of(commitment.target) or 0)
    texts, _count = queries.commitments(membership, proposal)
    if commitment.id not in {cid for cid, _text in texts}:
        abort(404)  # not readable for this member, so not promotable by them either
    form = forms.ItemForm()
    return _attempt(
        membership,
        form,
        "promote",
        lambda: services.add_initiative(
            proposal,
            title=form.title.data,
            owner_unit=form.owner_unit.data,
            status=FollowUpStatus(form.status.data),
            commitment=commitment,
            actor_id=current_user.id,
            day=queries.local_today(membership.dialogue),
        ),
        _("The commitment is now an initiative."),
    )
