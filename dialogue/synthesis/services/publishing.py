"""Proposals become a round's items: drafts sent out for consultation, final values fed on.

Rounds learn about proposals only through the seam every kind shares, ``settings["items"]``;
the kind's locked settings decide whether the items may still change
(``rounds.lifecycle.locks``). Operations flush and never commit.
"""

from __future__ import annotations

from collections.abc import Sequence

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from dialogue.core.audit import record_event
from dialogue.core.db import Session
from dialogue.core.models import Dialogue, Proposal, Round
from dialogue.core.models.proposal import ProposalKind, ProposalStatus, VersionStage
from dialogue.synthesis.services.proposals import SynthesisError, add_version, audit
from rounds import get_kind
from rounds.answered import has_input
from rounds.errors import InvalidSettings
from rounds.lifecycle.locks import ITEMS_LOCKED, only_appends, refuse_locked


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
        add_version(proposal, VersionStage.CONSULTATION, current.title, current.text, "", actor_id)
        audit(proposal, "proposal.publish", actor_id, round=f"round:{round_.id}")
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
