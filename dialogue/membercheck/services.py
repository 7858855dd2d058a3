"""Member checking: storing a participant's answer and the consultant's response.

Operations flush and never commit; the view that calls them commits. A participant's answer
is not audited (participants are never recorded); the consultant's response is, by
contribution id and without any text.
"""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from dialogue.core.audit import record_event
from dialogue.core.db import Session
from dialogue.core.models import (
    Contribution,
    MemberCheck,
    ModerationState,
    Theme,
)
from dialogue.core.models.membercheck import CheckAnswer
from dialogue.workbench.services import edits as workbench
from rounds.errors import RoundError
from rounds.submissions import clean_text
from rounds.traceability import Graph, proposal_id_of


class MemberCheckError(RoundError):
    """A member-check operation that cannot be done as asked; nothing was changed."""


def _placed(graph: Graph, contribution: Contribution) -> bool:
    if graph.themes_of(contribution.id):
        return True
    return any(contribution.id in graph.contributions_behind(p) for p in graph.proposals.values())


def answer_check(
    graph: Graph, contribution: Contribution, *, answer: CheckAnswer, comment: str
) -> MemberCheck:
    """Store (or replace) the answer about one contribution the caller has shown to be own.

    A changed answer re-opens the question for the consultant: their earlier response was to
    what the participant said before.
    """
    if (
        contribution.moderation is ModerationState.HIDDEN
        or proposal_id_of(contribution.target) is not None
        or not _placed(graph, contribution)
    ):
        raise MemberCheckError(
            _l(
                "This contribution has not been placed in a theme yet, so there is nothing "
                "to check."
            )
        )
    comment = clean_text(comment)
    check = Session.get(MemberCheck, contribution.id)
    if check is None:
        check = MemberCheck(contribution_id=contribution.id, answer=answer, comment=comment)
        Session.add(check)
    elif (check.answer, check.comment) != (answer, comment):
        check.answer, check.comment, check.response = answer, comment, None
    Session.flush()
    return check


def deal_with(
    check: MemberCheck,
    *,
    response: str,
    move_to: Theme | None = None,
    actor_id: int | None = None,
) -> MemberCheck:
    """Answer a contested check, after moving its contribution to ``move_to`` if given.

    The move is the workbench's own logged (and undoable) edit.
    """
    if not check.answer.contested:
        raise MemberCheckError(_l("Only a “partly” or “no” answer needs to be dealt with."))
    response = clean_text(response)
    if not response:
        raise MemberCheckError(_l("Say what was done: the participant will read it."))
    contribution = Session.get(Contribution, check.contribution_id)
    if move_to is not None:
        workbench.move_contributions(
            contribution.round, [contribution.id], move_to, actor_id=actor_id
        )
    check.response = response
    Session.flush()
    record_event(
        actor_id,
        "member_check.dealt_with",
        contribution.round.dialogue,
        subject=f"contribution:{contribution.id}",
        moved_to=move_to.id if move_to is not None else None,
    )
    return check
