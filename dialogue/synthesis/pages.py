"""Reading pages of the synthesis: why this value, coverage, strategy map, report and exports.

Raw contribution text appears only for the consultant (uncovered texts, exports with text);
everyone else sees labels, suppressed counts and quotes from themes large enough (TARGETS A6).
Exports are POSTs: each one is recorded as an audit event, and GET never writes.
"""

from __future__ import annotations

import uuid

from flask import Response, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext
from flask_login import current_user, login_required
from flask_wtf import FlaskForm

from dialogue.core.access import member_or_404, round_or_404
from dialogue.core.audit import record_event
from dialogue.core.db import Session
from dialogue.core.models import Contribution, Role, Theme
from dialogue.core.models.proposal import CoverageStatus, ProposalStatus
from dialogue.synthesis import forms, services
from dialogue.synthesis.queries import exports, report_docx
from dialogue.synthesis.queries.coverage import SORTS, coverage
from dialogue.synthesis.queries.proposals import (
    closing_the_loop,
    proposal_or_404,
    strategy_map_cells,
    synthesis_member,
)
from dialogue.synthesis.queries.report import report_contents
from dialogue.synthesis.queries.traces import value_trace
from dialogue.synthesis.queries.uncovered import group_ids, group_texts
from dialogue.synthesis.views import bp
from rounds import get_kind
from rounds.errors import RoundError
from rounds.traceability import load_graph

#: Download names and their media types.
EXPORT_FILES = {
    "dialogue.json": "application/json",
    "dialogue.xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    **{f"{table}.csv": "text/csv; charset=utf-8" for table in exports.TABLES},
    "report.docx": report_docx.MEDIA_TYPE,
}
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


@bp.route("/coverage")
@login_required
def coverage_page(slug: str):
    """How much input reaches a final value, and the themes and texts that reach none."""
    membership = synthesis_member(slug)
    sort = request.args.get("sort", "size")
    sort = sort if sort in SORTS else "size"
    is_consultant = membership.role is Role.CONSULTANT
    return render_template(
        "synthesis/coverage.html",
        membership=membership,
        dialogue=membership.dialogue,
        coverage=coverage(load_graph(membership.dialogue), membership.dialogue, sort),
        sort=sort,
        is_consultant=is_consultant,
        mark_form=forms.MarkForm(),
        group_form=forms.GroupMarkForm(),
        labels=forms,
    )


def _mark(slug: str, **target):
    membership = synthesis_member(slug)
    if membership.role is not Role.CONSULTANT:
        abort(403)
    form = forms.MarkForm()
    back = redirect(url_for("synthesis.coverage_page", slug=slug), 303)
    if not form.validate_on_submit():
        flash(_("Please choose a decision."), "error")
        return back
    try:
        services.mark_coverage(
            membership.dialogue,
            status=CoverageStatus(form.status.data) if form.status.data else None,
            reason=form.reason.data,
            actor_id=current_user.id,
            **target,
        )
    except RoundError as exc:
        flash(str(exc.message), "error")
        return back
    Session.commit()
    flash(_("The decision is saved."), "success")
    return back


@bp.route("/coverage/themes/<int:theme_id>", methods=["POST"])
@login_required
def mark_theme(slug: str, theme_id: int):
    """The consultant's decision on an uncovered theme."""
    membership = synthesis_member(slug)
    theme = Session.get(Theme, theme_id)
    if theme is None:
        abort(404)
    round_or_404(membership, theme.round_id)
    return _mark(slug, theme_id=theme.id)


@bp.route("/coverage/contributions/<uuid:contribution_id>", methods=["POST"])
@login_required
def mark_text(slug: str, contribution_id: uuid.UUID):
    """The consultant's decision on an uncovered text."""
    membership = synthesis_member(slug)
    contribution = Session.get(Contribution, contribution_id)
    if contribution is None:
        abort(404)
    round_or_404(membership, contribution.round_id)
    return _mark(slug, contribution_id=contribution.id)


#: Texts per page of a coverage group; each has its own decision form.
GROUP_PAGE = 50


def _group(slug: str, round_id: int):
    """The consultant's membership, the round and the part a coverage group page is about."""
    membership = synthesis_member(slug)
    if membership.role is not Role.CONSULTANT:  # raw text is for the consultant only (A6)
        abort(403)
    round_ = round_or_404(membership, round_id)
    kind = get_kind(round_.kind)
    part = request.args.get("part", "")
    parts = dict(kind.theme_parts(round_)) if kind is not None else {}
    if part not in parts:
        abort(404)
    return membership, round_, part, parts[part]


@bp.route("/coverage/rounds/<int:round_id>/texts")
@login_required
def coverage_group(slug: str, round_id: int):
    """One group of texts in no theme that reach no final value, a page at a time."""
    membership, round_, part, part_label = _group(slug, round_id)
    graph = load_graph(membership.dialogue)
    page = request.args.get("page", 1, type=int) or 1
    texts, pages = group_texts(graph, membership.dialogue, round_, part, page=page, size=GROUP_PAGE)
    return render_template(
        "synthesis/coverage_group.html",
        membership=membership,
        dialogue=membership.dialogue,
        round_=round_,
        part=part,
        part_label=part_label,
        texts=texts,
        page=min(max(page, 1), pages),
        pages=pages,
        mark_form=forms.MarkForm(),
        group_form=forms.GroupMarkForm(),
        labels=forms,
    )


@bp.route("/coverage/rounds/<int:round_id>/texts", methods=["POST"])
@login_required
def mark_group(slug: str, round_id: int):
    """One decision for every text of a coverage group."""
    membership, round_, part, _label = _group(slug, round_id)
    form = forms.GroupMarkForm()
    back = redirect(url_for("synthesis.coverage_page", slug=slug), 303)
    if not form.validate_on_submit():
        flash(_("Please choose a decision."), "error")
        return back
    ids = group_ids(load_graph(membership.dialogue), membership.dialogue, round_, part)
    if ids is None:
        abort(404)
    try:
        count = services.mark_group(
            membership.dialogue,
            ids,
            status=None if form.status.data == forms.CLEAR else CoverageStatus(form.status.data),
            reason=form.reason.data,
            actor_id=current_user.id,
        )
    except RoundError as exc:
        flash(str(exc.message), "error")
        return back
    Session.commit()
    flash(
        ngettext(
            "The decision is saved for %(num)d contribution.",
            "The decision is saved for %(num)d contributions.",
            count,
        )
        if form.status.data != forms.CLEAR
        else _("The decisions are cleared."),
        "success",
    )
    return back


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


def export_bytes(dialogue, name: str, *, raw_text: bool) -> bytes:
    """The file ``name`` of the dialogue's export; the Word report never holds raw text."""
    if name == "report.docx":
        return report_docx.report_docx(dialogue)
    data = exports.build_export(dialogue, raw_text=raw_text)
    if name == "dialogue.json":
        return exports.to_json(data)
    if name == "dialogue.xlsx":
        return exports.to_xlsx(data)
    return exports.to_csv(exports.tables(data)[name.removesuffix(".csv")])


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
