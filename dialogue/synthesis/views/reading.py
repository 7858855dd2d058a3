"""Reading pages of the synthesis: why this value, the strategy map, the report and exports.

Raw contribution text appears only for the consultant (exports with text); everyone else sees
labels, suppressed counts and quotes from themes large enough (TARGETS A6). Exports are POSTs:
each one is recorded as an audit event, and GET never writes.
"""

from __future__ import annotations

from flask import Response, abort, render_template
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required
from flask_wtf import FlaskForm

from dialogue.core.access import member_or_404
from dialogue.core.audit import record_event
from dialogue.core.db import Session
from dialogue.core.models import Role
from dialogue.core.models.proposal import ProposalStatus
from dialogue.synthesis import bp, forms, jobs
from dialogue.synthesis.queries.downloads import EXPORT_FILES, export_bytes
from dialogue.synthesis.queries.figures import FiguresPending
from dialogue.synthesis.queries.proposals import (
    closing_the_loop,
    proposal_or_404,
    strategy_map_cells,
    synthesis_member,
)
from dialogue.synthesis.queries.report import report_contents
from dialogue.synthesis.queries.traces import value_trace
from rounds.traceability import load_graph

#: Button labels where the file name alone does not tell a reader what they get.
EXPORT_LABELS = {"report.docx": _l("Download the report as Word (.docx)")}


@bp.route("/values/<int:proposal_id>")
@login_required
def value(slug: str, proposal_id: int):
    """Why this value? Staff see any proposal; participants see final ones."""
    membership = member_or_404(slug)
    proposal = proposal_or_404(membership, proposal_id)
    if not membership.role.is_staff and proposal.status is not ProposalStatus.FINAL:
        abort(404)
    graph = load_graph(membership.dialogue)
    trace = value_trace(
        graph, graph.proposals[proposal.id], membership.dialogue, staff=membership.role.is_staff
    )
    return render_template(
        "synthesis/value.html",
        membership=membership,
        dialogue=membership.dialogue,
        trace=trace,
        labels=forms,
        **closing_the_loop(graph, proposal, membership.dialogue),
    )


@bp.route("/strategy-map")
@login_required
def strategy_map(slug: str):
    """Final values and initiatives in the four perspectives of a strategy map."""
    membership = member_or_404(slug)
    cells, unplaced = strategy_map_cells(load_graph(membership.dialogue))
    return render_template(
        "synthesis/strategy_map.html",
        membership=membership,
        dialogue=membership.dialogue,
        cells=cells,
        unplaced=unplaced,
        labels=forms,
        value_endpoint="synthesis.value",
    )


@bp.route("/report")
@login_required
def report(slug: str):
    """A printable report: rounds and results, themes, final values with their trace."""
    membership = synthesis_member(slug)
    contents = report_contents(membership.dialogue)
    page = render_template(
        "synthesis/report.html",
        membership=membership,
        dialogue=membership.dialogue,
        rounds=contents.rounds,
        themes=contents.themes,
        traces=contents.traces,
        dropped=contents.dropped,
        labels=forms,
        export_form=FlaskForm(),
        export_files=EXPORT_FILES,
        export_labels=EXPORT_LABELS,
    )
    # Accepted, not done: a job is computing a round's results, and the page says so.
    pending = any(results is not None and results.pending for _round, results in contents.rounds)
    return page, 202 if pending else 200


@bp.route("/export/<name>", methods=["POST"])
@login_required
def export(slug: str, name: str):
    """Download an anonymous export; raw text for the consultant only. Audited."""
    membership = synthesis_member(slug)
    if name not in EXPORT_FILES or not FlaskForm().validate_on_submit():
        abort(404 if name not in EXPORT_FILES else 400)
    raw_text = membership.role is Role.CONSULTANT
    body = export_bytes(membership.dialogue, name, raw_text=raw_text)
    record_event(current_user.id, "export", membership.dialogue, subject=name, raw_text=raw_text)
    Session.commit()
    filename = f"{membership.dialogue.slug}-{name}"
    return Response(
        body,
        mimetype=EXPORT_FILES[name],
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )


def figures_pending(exc: FiguresPending):
    """A page whose figures were never computed: ask the job for them, and say so."""
    jobs.refresh_later(exc.dialogue_id)
    return render_template("synthesis/pending.html"), 202  # accepted, not done: no error
