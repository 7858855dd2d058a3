"""Operations on proposals and their links. They flush and never commit.

A proposal is drafted (version 1), revised (more versions), published into a consultation
round, and then finalised with a note on what changed, or set aside with a reason. Rounds learn
about proposals only through the seam every kind shares, ``settings["items"]``: the item key
``proposal:<id>`` is what consultation ratings and action commitments store as their target, so
they link back to the proposal whatever its wording becomes.
"""

from __future__ import annotations

from collections.abc import Sequence

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
from rounds import get_kind
from rounds.answered import has_input
from rounds.errors import InvalidSettings, RoundError
from rounds.lifecycle.locks import ITEMS_LOCKED, only_appends, refuse_locked

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


def _add_version(proposal: Proposal, stage: VersionStage, title, text, note, actor_id) -> None:
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


def _audit(proposal: Proposal, action: str, actor_id: int | None, **details) -> None:
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
    _add_version(proposal, VersionStage.DRAFT, title, text, "", actor_id)
    _audit(proposal, "proposal.create", actor_id)
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
    _add_version(proposal, VersionStage.DRAFT, title, text, note, actor_id)
    _audit(proposal, "proposal.revise", actor_id, version=proposal.current.number)
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
    _audit(proposal, "proposal.link", actor_id, source=linked)
    return source


def remove_source(source: ProposalSource, *, actor_id: int | None) -> None:
    """Remove one link from a proposal."""
    proposal = source.proposal
    proposal.sources.remove(source)
    Session.flush()
    _audit(proposal, "proposal.unlink", actor_id, source_id=source.id)


def publish_for_consultation(
    proposals: Sequence[Proposal], round_: Round, *, actor_id: int | None
) -> Round:
    """Send drafts out for consultation in ``round_`` and make them the round's items.

    The consulted wording is kept as its own version, so the final version can say what changed
    since. Refused, with nothing changed, when the round already has input and its items would
    change (ratings given to one list must not be read against another).
    """
    for proposal in proposals:
        if proposal.dialogue_id != round_.dialogue_id:
            raise SynthesisError(_l("Choose a round of this dialogue."), "round_id")
        if proposal.status is not ProposalStatus.DRAFT:
            raise SynthesisError(_l("Only drafts can be sent out for consultation."))
    published = _published_into(round_) + [p for p in proposals if p not in _published_into(round_)]
    _set_items(round_, [_item(p, p.current.title) for p in published], actor_id)
    for proposal in proposals:
        proposal.status, proposal.consultation_round_id = ProposalStatus.CONSULTATION, round_.id
        current = proposal.current
        _add_version(proposal, VersionStage.CONSULTATION, current.title, current.text, "", actor_id)
        _audit(proposal, "proposal.publish", actor_id, round=f"round:{round_.id}")
    return round_


def _published_into(round_: Round) -> list[Proposal]:
    return list(
        Session.scalars(
            select(Proposal)
            .where(Proposal.consultation_round_id == round_.id)
            .order_by(Proposal.position, Proposal.id)
        )
    )


def _item(proposal: Proposal, label: str) -> dict[str, str]:
    return {"key": proposal.item_key, "label": label}


def _set_items(round_: Round, items: list[dict[str, str]], actor_id: int | None) -> None:
    """Make ``items`` the round's items, respecting the kind's locked settings."""
    kind = get_kind(round_.kind)
    if kind is None or "items" not in kind.default_settings:
        raise InvalidSettings(_l("This kind of round has no items."), field="round_id")
    if kind.settings(round_).get("items") == items:
        return
    if not only_appends(round_, items):
        refuse_locked(
            round_,
            ["items"],
            answered=has_input(round_),
            message=ITEMS_LOCKED,
            field="round_id",
        )
    cleaned = kind.validate_settings({**(round_.settings or {}), "items": items})
    round_.settings = {k: v for k, v in cleaned.items() if kind.default_settings.get(k) != v}
    Session.flush()
    record_event(
        actor_id,
        "round.items",
        round_.dialogue,
        subject=f"round:{round_.id}",
        source="proposals",
        count=len(items),
    )


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
    _add_version(proposal, VersionStage.FINAL, title, text, note, actor_id)
    _audit(proposal, "proposal.finalise", actor_id, version=proposal.current.number)
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
    _add_version(proposal, VersionStage.DRAFT, final.title, final.text, note, actor_id)
    _audit(proposal, "proposal.reopen", actor_id, previous_version=final.number)
    return proposal


def drop_proposal(proposal: Proposal, *, note: str, actor_id: int | None) -> Proposal:
    """Set a proposal aside, with a reason that participants and the public can read."""
    if proposal.status not in (ProposalStatus.DRAFT, ProposalStatus.CONSULTATION):
        raise SynthesisError(_l("This proposal is already final or set aside."))
    if not (note or "").strip():
        raise SynthesisError(_l("Please give a reason."), "note")
    proposal.status = ProposalStatus.DROPPED
    current = proposal.current
    _add_version(proposal, VersionStage.DROPPED, current.title, current.text, note, actor_id)
    _audit(proposal, "proposal.drop", actor_id)
    return proposal


def list_final_values(dialogue: Dialogue) -> list[Proposal]:
    """The dialogue's final values, in order."""
    return list(
        Session.scalars(
            select(Proposal)
            .where(
                Proposal.dialogue_id == dialogue.id,
                Proposal.kind == ProposalKind.VALUE,
                Proposal.status == ProposalStatus.FINAL,
            )
            .order_by(Proposal.position, Proposal.id)
        )
    )


def feed_final_values(round_: Round, *, actor_id: int | None) -> Round:
    """Make the dialogue's final values the items of ``round_`` (an action round, say).

    Once the round has answers, its items stay as they are and values finalised since are
    added after them, where the kind allows that (``rounds.lifecycle.locks.only_appends``).
    """
    values = list_final_values(round_.dialogue)
    if not values:
        raise SynthesisError(_l("There are no final values yet."), "round_id")
    items = [_item(p, p.current.title) for p in values]
    if has_input(round_):
        kept = list((round_.settings or {}).get("items") or [])
        keys = {item["key"] for item in kept}
        items = kept + [item for item in items if item["key"] not in keys]
    _set_items(round_, items, actor_id)
    return round_
