"""Proposal views: management and the consultant draft, revise and link proposals.

Every POST parses its form, calls one operation of ``dialogue.synthesis.services``,
commits and redirects; a refused operation is flashed and nothing is committed. Management never
sees raw contribution text here: a link to a single contribution shows its note only (TARGETS A6).
"""

from __future__ import annotations

import uuid

from flask import abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from flask_wtf import FlaskForm
from wtforms.fields.choices import SelectChoice

from dialogue.core.clock import utcnow
from dialogue.core.db import Session
from dialogue.core.models import Contribution, Proposal, ProposalSource, Role, Round, Theme
from dialogue.core.models.analysis import ACTIVE_STATES
from dialogue.core.models.proposal import Perspective, ProposalKind, ProposalStatus
from dialogue.core.views import attempt
from dialogue.synthesis import bp, forms, jobs
from dialogue.synthesis.queries.feedback import comment_themes
from dialogue.synthesis.queries.figures import FiguresPending, source_sizes
from dialogue.synthesis.queries.proposals import (
    admin_names,
    consultation_comments,
    consultation_rounds,
    proposal_or_404,
    rounds_to_feed,
    synthesis_member,
)
from dialogue.synthesis.queries.traces import consultation_outcomes, proposal_view
from dialogue.synthesis.services import proposals as operations
from dialogue.workbench.queries.figures import theme_sizes
from rounds.identifying import masked_text
from rounds.traceability import load_graph


def back_to(slug: str, proposal_id: int | None = None):
    """The proposal's page after a POST, or the list of proposals."""
    if proposal_id is None:
        return redirect(url_for("synthesis.proposals", slug=slug), 303)
    return redirect(url_for("synthesis.proposal", slug=slug, proposal_id=proposal_id), 303)


def run_operation(membership, proposal_id: int | None, form, operation, done: str):
    """Validate, run one operation, commit and redirect; flash what went wrong instead.

    A change to the proposals changes the stored figures behind them: a job computes them now,
    so the pages need not.
    """
    slug = membership.dialogue.slug
    # Not ``attempt``'s form check: these pages flash the error without the field's label.
    if not form.validate_on_submit():
        errors = [e for field_errors in form.errors.values() for e in field_errors]
        flash(str(errors[0]) if errors else _("Please check your input."), "error")
        return back_to(slug, proposal_id)
    outcome = attempt(operation)
    if outcome.message is not None:
        flash(str(outcome.message), "error")
        return back_to(slug, proposal_id)
    jobs.refresh_later(membership.dialogue_id)
    flash(done, "success")
    return back_to(slug, proposal_id)


def on_proposal(slug: str, proposal_id: int, form, operation, done: str):
    """Find the member's proposal, then :func:`run_operation` ``operation(membership, found)``."""
    membership = synthesis_member(slug)
    found = proposal_or_404(membership, proposal_id)
    return run_operation(membership, found.id, form, lambda: operation(membership, found), done)


def _round_choices(rounds) -> list[SelectChoice]:
    return [SelectChoice(round_.id, f"{round_.position}. {round_.title}") for round_ in rounds]


@bp.route("/proposals/")
@login_required
def proposals(slug: str):
    """All proposals of the dialogue, with their status, and the round they feed."""
    membership = synthesis_member(slug)
    graph = load_graph(membership.dialogue)
    outcomes = consultation_outcomes(graph.proposals.values(), published_only=False)
    feed = forms.RoundForm()
    feed.round_id.choices = _round_choices(rounds_to_feed(membership.dialogue))
    return render_template(
        "synthesis/proposals.html",
        membership=membership,
        dialogue=membership.dialogue,
        proposals=[proposal_view(p, outcomes.get(p.id)) for p in graph.proposals.values()],
        feed_form=feed,
        labels=forms,
    )


@bp.route("/proposals/new", methods=["GET", "POST"])
@login_required
def new_proposal(slug: str):
    """Draft a new proposal."""
    membership = synthesis_member(slug)
    form = forms.ProposalForm()
    if form.validate_on_submit():
        outcome = attempt(
            lambda: operations.create_proposal(
                membership.dialogue,
                kind=ProposalKind(form.kind.data),
                perspective=Perspective(form.perspective.data) if form.perspective.data else None,
                title=form.title.data,
                text=form.text.data,
                actor_id=current_user.id,
            )
        )
        if outcome.message is None:
            flash(_("The proposal is saved as a draft."), "success")
            return back_to(slug, outcome.result.id)
        form.form_errors.append(outcome.message)
    status = 422 if form.is_submitted() else 200
    return render_template(
        "synthesis/new_proposal.html",
        membership=membership,
        dialogue=membership.dialogue,
        form=form,
    ), status


@bp.route("/proposals/<int:proposal_id>")
@login_required
def proposal(slug: str, proposal_id: int):
    """One proposal: its versions, its links, its consultation outcome, and what to do next."""
    membership = synthesis_member(slug)
    found = proposal_or_404(membership, proposal_id)
    graph = load_graph(membership.dialogue)
    found = graph.proposals[found.id]
    current = found.current
    revise = forms.ProposalForm(
        kind=found.kind.value,
        perspective=found.perspective.value if found.perspective else "",
        title=current.title,
        text=current.text,
    )
    source_form = forms.SourceForm()
    themes = [t for t in graph.themes.values() if t.state in ACTIVE_STATES]
    sizes = {}  # the workbench's stored counts, per round that has themes
    rounds = {round_id: Session.get(Round, round_id) for round_id in {t.round_id for t in themes}}
    for round_ in rounds.values():
        sizes.update(theme_sizes(round_))
    # Themes of several rounds can share a name: each says its round, in the rounds' order.
    themes.sort(key=lambda t: (rounds[t.round_id].position, t.label))
    source_form.theme_id.choices = [SelectChoice("", _("— choose a theme —"))] + [
        SelectChoice(str(t.id), f"{rounds[t.round_id].title}: {t.label} ({sizes.get(t.id, 0)})")
        for t in themes
    ]
    publish = forms.RoundForm()
    publish.round_id.choices = _round_choices(consultation_rounds(membership.dialogue, utcnow()))
    is_consultant = membership.role is Role.CONSULTANT
    return render_template(
        "synthesis/proposal.html",
        membership=membership,
        dialogue=membership.dialogue,
        proposal=found,
        view=proposal_view(
            found, consultation_outcomes([found], published_only=False).get(found.id)
        ),
        sources=_sources(graph, found, is_consultant, membership.dialogue),
        revise_form=revise,
        drop_form=forms.DropForm(),
        source_form=source_form,
        publish_form=publish,
        admins=admin_names(membership.dialogue),
        comments=consultation_comments(found, utcnow()),
        comment_themes=comment_themes(found),
        ProposalStatus=ProposalStatus,
        labels=forms,
    )


def _sources(graph, proposal: Proposal, with_text: bool, dialogue) -> list[dict]:
    """The proposal's links as rows; a single contribution's text for the consultant only.

    A new link's size is counted by a job: until it is, the row says so and the page still
    shows the proposal (its author has just linked it and wants to go on).
    """
    try:
        sizes = source_sizes(graph, proposal, dialogue)
    except FiguresPending:
        jobs.refresh_later(dialogue.id)
        sizes = {}
    rows = []
    for source in proposal.sources:
        if source.theme_id is not None:
            family = graph.family(source.theme_id)
            target = graph.themes[source.theme_id]
            label = target.label
            size = sizes.get(source.theme_id)
            moved = [
                graph.themes[i].label
                for i in sorted(family)
                if i != source.theme_id and graph.themes[i].state in ACTIVE_STATES
            ]
            rows.append(
                {
                    "id": source.id,
                    "label": label,
                    "size": size,
                    "moved": moved,
                    "note": source.note,
                    "text": None,
                }
            )
        else:
            text = None
            if with_text:
                body = Session.get(Contribution, source.contribution_id).body
                text = masked_text(source.contribution_id, body)
            rows.append(
                {
                    "id": source.id,
                    "label": None,
                    "size": 1,
                    "moved": [],
                    "note": source.note,
                    "text": text,
                }
            )
    return rows


@bp.route("/proposals/<int:proposal_id>/revise", methods=["POST"])
@login_required
def revise(slug: str, proposal_id: int):
    """Write a new draft version."""
    form = forms.ProposalForm()
    return on_proposal(
        slug,
        proposal_id,
        form,
        lambda _membership, found: operations.revise_proposal(
            found,
            title=form.title.data,
            text=form.text.data,
            perspective=Perspective(form.perspective.data) if form.perspective.data else None,
            note=form.note.data,
            actor_id=current_user.id,
        ),
        _("A new version is saved."),
    )


@bp.route("/proposals/<int:proposal_id>/sources", methods=["POST"])
@login_required
def add_source(slug: str, proposal_id: int):
    """Link a theme or one contribution to the proposal."""
    form = forms.SourceForm()

    def operation(_membership, found):
        chosen = form.theme_id.data or ""
        theme = Session.get(Theme, int(chosen)) if chosen.isdigit() else None
        contribution = None
        if not theme and form.contribution_id.data:
            try:
                contribution = Session.get(
                    Contribution, uuid.UUID(form.contribution_id.data.strip())
                )
            except ValueError:
                contribution = None
            if contribution is None:
                raise operations.SynthesisError(_("There is no such contribution."))
        operations.add_source(
            found,
            theme=theme,
            contribution=contribution,
            note=form.note.data,
            actor_id=current_user.id,
        )

    return on_proposal(slug, proposal_id, form, operation, _("The link is saved."))


@bp.route("/proposals/<int:proposal_id>/sources/<int:source_id>/delete", methods=["POST"])
@login_required
def remove_source(slug: str, proposal_id: int, source_id: int):
    """Remove one link."""
    membership = synthesis_member(slug)
    found = proposal_or_404(membership, proposal_id)
    source = Session.get(ProposalSource, source_id)
    if source is None or source.proposal_id != found.id:
        abort(404)
    return run_operation(
        membership,
        found.id,
        FlaskForm(),
        lambda: operations.remove_source(source, actor_id=current_user.id),
        _("The link is removed."),
    )
