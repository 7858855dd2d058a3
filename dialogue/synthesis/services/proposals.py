"""Operations on proposals and their links. They flush and never commit.

A proposal is drafted (version 1), revised (more versions), published into a consultation
round, and then finalised with a note on what changed, or set aside with a reason. Rounds learn
about proposals only through the seam every kind shares, ``settings["items"]``: the item key
``proposal:<id>`` is what consultation ratings and action commitments store as their target, so
they link back to the proposal whatever its wording becomes.
"""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select

from dialogue.core.audit import record_event
from dialogue.core.db import Session
from dialogue.core.models import (
    Contribution,
    Dialogue,
    Proposal,
    ProposalSource,
    ProposalVersion,
    Round,
    Theme,
)
from dialogue.core.models.analysis import ACTIVE_STATES
from dialogue.core.models.proposal import (
    Perspective,
    ProposalKind,
    ProposalStatus,
    VersionStage,
)
from rounds.errors import RoundError

MAX_TITLE = 200
MAX_NOTE = 500


class SynthesisError(RoundError):
    """A proposal operation that breaks a rule; nothing was changed."""


def _clean_title(title: str) -> str:
    title = " ".join((title or "").split())
    if not title or len(title) > MAX_TITLE:
        raise SynthesisError(
            _l("Please give a title of at most %(count)d characters.", count=MAX_TITLE), "title"
        )
    return title


def add_version(proposal: Proposal, stage: VersionStage, title, text, note, actor_id) -> None:
    """Append the next version of ``proposal``, its title cleaned and checked."""
    number = max((v.number for v in proposal.versions), default=0) + 1
    proposal.versions.append(
        ProposalVersion(
            number=number,
            stage=stage,
            title=_clean_title(title),
            text=(text or "").strip(),
            change_note=(note or "").strip(),
            actor_id=actor_id,
        )
    )
    Session.flush()


def audit(proposal: Proposal, action: str, actor_id: int | None, **details) -> None:
    """Record ``action`` on ``proposal`` in the dialogue's audit log."""
    dialogue = Session.get(Dialogue, proposal.dialogue_id)
    record_event(actor_id, action, dialogue, subject=proposal.item_key, **details)


def create_proposal(
    dialogue: Dialogue,
    *,
    kind: ProposalKind,
    title: str,
    text: str = "",
    perspective: Perspective | None = None,
    actor_id: int | None,
) -> Proposal:
    """Draft a new proposal: version 1, no links yet."""
    position = Session.scalar(
        select(func.max(Proposal.position)).where(Proposal.dialogue_id == dialogue.id)
    )
    proposal = Proposal(
        dialogue_id=dialogue.id,
        kind=kind,
        perspective=perspective,
        position=(position or 0) + 1,
        actor_id=actor_id,
    )
    Session.add(proposal)
    add_version(proposal, VersionStage.DRAFT, title, text, "", actor_id)
    audit(proposal, "proposal.create", actor_id)
    return proposal


def revise_proposal(
    proposal: Proposal,
    *,
    title: str,
    text: str,
    perspective: Perspective | None,
    note: str = "",
    actor_id: int | None,
) -> Proposal:
    """Write a new draft version; the consulted wording stays fixed while consultation runs."""
    if proposal.status is not ProposalStatus.DRAFT:
        raise SynthesisError(_l("Only a draft can be revised. Finalise it instead."))
    proposal.perspective = perspective
    add_version(proposal, VersionStage.DRAFT, title, text, note, actor_id)
    audit(proposal, "proposal.revise", actor_id, version=proposal.current.number)
    return proposal


def add_source(
    proposal: Proposal,
    *,
    theme: Theme | None = None,
    contribution: Contribution | None = None,
    note: str = "",
    actor_id: int | None,
) -> ProposalSource:
    """Link a theme (or one contribution) of the same dialogue to the proposal, with a note."""
    if (theme is None) == (contribution is None):
        raise SynthesisError(_l("Choose a theme or a contribution."), "theme_id")
    round_id = theme.round_id if theme is not None else contribution.round_id
    round_ = Session.get(Round, round_id)
    if round_ is None or round_.dialogue_id != proposal.dialogue_id:
        raise SynthesisError(_l("That theme or contribution is not part of this dialogue."))
    if theme is not None and theme.state not in ACTIVE_STATES:
        raise SynthesisError(_l("That theme was merged or retired; link the theme it went to."))
    for source in proposal.sources:
        if (theme is not None and source.theme_id == theme.id) or (
            contribution is not None and source.contribution_id == contribution.id
        ):
            raise SynthesisError(_l("That link exists already."), "theme_id")
    source = ProposalSource(
        theme_id=theme.id if theme is not None else None,
        contribution_id=contribution.id if contribution is not None else None,
        note=(note or "").strip()[:MAX_NOTE],
        actor_id=actor_id,
    )
    proposal.sources.append(source)
    Session.flush()
    linked = f"theme:{theme.id}" if theme is not None else "contribution"
    audit(proposal, "proposal.link", actor_id, source=linked)
    return source


def remove_source(source: ProposalSource, *, actor_id: int | None) -> None:
    """Remove one link from a proposal."""
    proposal = source.proposal
    proposal.sources.remove(source)
    Session.flush()
    audit(proposal, "proposal.unlink", actor_id, source_id=source.id)


def finalise_proposal(
    proposal: Proposal, *, title: str, text: str, note: str, actor_id: int | None
) -> Proposal:
    """Write the final version; after a consultation, a note on what changed is required."""
    if proposal.status not in (ProposalStatus.DRAFT, ProposalStatus.CONSULTATION):
        raise SynthesisError(_l("This proposal is already final or set aside."))
    if proposal.consultation_round_id is not None and not (note or "").strip():
        raise SynthesisError(
            _l("Say what changed in response to the consultation (or that nothing did)."),
            "note",
        )
    proposal.status = ProposalStatus.FINAL
    add_version(proposal, VersionStage.FINAL, title, text, note, actor_id)
    audit(proposal, "proposal.finalise", actor_id, version=proposal.current.number)
    return proposal


def reopen_proposal(proposal: Proposal, *, note: str, actor_id: int | None) -> Proposal:
    """Take a final proposal back to draft, with the reason; the final version stays in history.

    The new draft version repeats the final wording, so that management edits from what readers
    saw; the final version, its note and the audit event keep what was decided and when.
    """
    if proposal.status is not ProposalStatus.FINAL:
        raise SynthesisError(_l("Only a final proposal can be reopened."))
    if not (note or "").strip():
        raise SynthesisError(_l("Please say why it is reopened."), "note")
    final = proposal.current
    proposal.status = ProposalStatus.DRAFT
    add_version(proposal, VersionStage.DRAFT, final.title, final.text, note, actor_id)
    audit(proposal, "proposal.reopen", actor_id, previous_version=final.number)
    return proposal


def drop_proposal(proposal: Proposal, *, note: str, actor_id: int | None) -> Proposal:
    """Set a proposal aside, with a reason that participants and the public can read."""
    if proposal.status not in (ProposalStatus.DRAFT, ProposalStatus.CONSULTATION):
        raise SynthesisError(_l("This proposal is already final or set aside."))
    if not (note or "").strip():
        raise SynthesisError(_l("Please give a reason."), "note")
    proposal.status = ProposalStatus.DROPPED
    current = proposal.current
    add_version(proposal, VersionStage.DROPPED, current.title, current.text, note, actor_id)
    audit(proposal, "proposal.drop", actor_id)
    return proposal
