"""What the synthesis pages read, and the public and follow-up pages with them.

Who may author proposals, a proposal of the member's own dialogue, the strategy map's cells,
and what "why this value?" adds to close the loop (member-check confirmations and progress).
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import selectinload
from werkzeug.exceptions import NotFound

from dialogue.core.access import member_or_404, require_roles
from dialogue.core.anonymity import VERBATIM_MIN_AUTHORS
from dialogue.core.db import Session
from dialogue.core.models import (
    Contribution,
    Dialogue,
    FollowUp,
    Membership,
    ModerationState,
    Person,
    Proposal,
    Role,
    Round,
    RoundKind,
    RoundState,
)
from dialogue.core.models.proposal import Perspective
from dialogue.membercheck.queries import confirmation
from dialogue.synthesis.queries.traces import proposal_view
from rounds import get_kind
from rounds.answered import has_input
from rounds.identifying import masked_pairs
from rounds.release import shown_to_staff
from rounds.traceability import Graph

AUTHORS = (Role.CONSULTANT, Role.MANAGEMENT)


def synthesis_member(slug: str):
    """Management or the consultant of dialogue ``slug``."""
    return require_roles(member_or_404(slug), *AUTHORS)


def proposal_or_404(membership, proposal_id: int) -> Proposal:
    """A proposal of the member's own dialogue."""
    proposal = Session.get(Proposal, proposal_id)
    if proposal is None or proposal.dialogue_id != membership.dialogue_id:
        raise NotFound()
    return proposal


def consultation_rounds(dialogue: Dialogue, now) -> list[Round]:
    """The consultation rounds a draft can still be sent into: not closed, no answers yet.

    Answers given to one list of drafts must not be read against another.
    """
    return [
        round_
        for round_ in dialogue.rounds
        if round_.kind is RoundKind.CONSULTATION
        and round_.state_at(now) is not RoundState.CLOSED
        and not has_input(round_)
    ]


def rounds_to_feed(dialogue: Dialogue) -> list[Round]:
    """Rounds that can take the final values as items.

    Those without answers yet, and those of a kind whose items may grow (values finalised
    later are added after the others).
    """
    return [
        round_
        for round_ in dialogue.rounds
        if (kind := get_kind(round_.kind)) is not None
        and "items" in kind.default_settings
        and (kind.items_may_grow or not has_input(round_))
    ]


def admin_names(dialogue: Dialogue) -> list[str]:
    """Whom management and the consultant ask for a new round: the dialogue's admins (staff)."""
    return list(
        Session.scalars(
            select(func.coalesce(func.nullif(Person.name, ""), Person.email))
            .join(Membership, Membership.person_id == Person.id)
            .where(Membership.dialogue_id == dialogue.id, Membership.role == Role.ADMIN)
            .order_by(Person.name, Person.email)
        )
    )


@dataclass(frozen=True)
class Comments:
    """The consultation's comments on one draft, as management may read them.

    ``texts`` is None while fewer than ``needed`` people have commented: verbatim text outside
    the consultant's view comes only from groups that large (TARGETS A6).
    """

    round_title: str
    commenters: int
    needed: int
    texts: list[str] | None


def consultation_comments(proposal: Proposal, now) -> Comments | None:
    """The comments written on ``proposal`` in its consultation round, by the staff rules.

    The same rules as everywhere staff read texts: only what moderation lets through, only
    released batches while the round is open (``rounds.release``), flagged details masked
    (``rounds.identifying``), in random-id order; and whole only from ``VERBATIM_MIN_AUTHORS``
    commenters on, as every quote outside the consultant's view.
    """
    round_ = (
        Session.get(Round, proposal.consultation_round_id)
        if proposal.consultation_round_id is not None
        else None
    )
    if round_ is None:
        return None
    rows = Session.execute(
        select(Contribution.id, Contribution.author, Contribution.body)
        .where(
            Contribution.round_id == round_.id,
            Contribution.target == proposal.item_key,
            Contribution.moderation == ModerationState.VISIBLE,
            Contribution.body.is_not(None),
            Contribution.body != "",
            shown_to_staff(round_, now),
        )
        .order_by(Contribution.id)
    ).all()
    commenters = len({author for _cid, author, _body in rows})
    needed = max(VERBATIM_MIN_AUTHORS, round_.dialogue.min_group_size)
    texts = None
    if commenters >= needed:
        texts = [body for _cid, body in masked_pairs([(cid, body) for cid, _a, body in rows])]
    return Comments(round_.title, commenters, needed, texts)


def strategy_map_cells(graph) -> tuple[list[tuple[Perspective, list]], list]:
    """Final proposals by perspective (the four cells), and those placed on none."""
    finals = [graph.proposals[i] for i in sorted(graph.final_ids())]
    finals.sort(key=lambda p: (p.position, p.id))
    cells = [(p, [proposal_view(x) for x in finals if x.perspective is p]) for p in Perspective]
    unplaced = [proposal_view(x) for x in finals if x.perspective is None]
    return cells, unplaced


def closing_the_loop(graph: Graph, proposal: Proposal, dialogue: Dialogue) -> dict:
    """Template context for a value's page: confirmations (k-gated) and initiatives with notes."""
    progress = Session.scalars(
        select(FollowUp)
        .where(FollowUp.proposal_id == proposal.id)
        .options(selectinload(FollowUp.notes))
        .order_by(FollowUp.created_on, FollowUp.id)
    ).all()
    return {
        "confirmation": confirmation(graph, graph.proposals[proposal.id], dialogue),
        "progress": list(progress),
    }
