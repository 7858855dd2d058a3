"""A participant erasing their own input: only theirs goes, and the trace notes each lost source."""

from __future__ import annotations

from sqlalchemy import func, select

from dialogue.core.clock import utcnow
from dialogue.core.db import Session
from dialogue.core.models import (
    AuditEvent,
    Contribution,
    Proposal,
    ProposalSource,
    Round,
    Theme,
    ThemeMember,
)
from dialogue.core.models.proposal import ProposalKind, ProposalStatus
from dialogue.privacy.services import erasure
from rounds import submissions
from tests.dialogue.privacy.services.test_retention import author_of, small_dialogue
from tests.factories import make_contribution, make_dialogue, make_member, make_round


def test_erasing_removes_only_the_authors_input_and_keeps_themes_and_values(app_context):
    dialogue, member, round_, text = small_dialogue()
    other = make_member(dialogue)
    others_text = make_contribution(round_, other, "Bedre planlægning")
    theme = Session.scalar(select(Theme).where(Theme.round_id == round_.id))
    Session.add(ThemeMember(theme_id=theme.id, contribution_id=others_text.id))
    value = Proposal(dialogue_id=dialogue.id, kind=ProposalKind.VALUE, status=ProposalStatus.FINAL)
    Session.add(value)
    Session.flush()
    Session.add_all(
        [
            ProposalSource(proposal_id=value.id, theme_id=theme.id),
            ProposalSource(proposal_id=value.id, contribution_id=text.id),
        ]
    )
    Session.flush()
    audit_before = Session.scalar(select(func.count()).select_from(AuditEvent))

    assert erasure.erase_own_input(dialogue, author_of(member)) == 1

    assert set(Session.scalars(select(Contribution.body))) == {"Bedre planlægning"}
    assert set(Session.scalars(select(ThemeMember.contribution_id))) == {others_text.id}
    assert [(s.theme_id, s.contribution_id) for s in Session.scalars(select(ProposalSource))] == [
        (theme.id, None)
    ]
    assert Session.scalar(select(func.count()).select_from(AuditEvent)) == audit_before
    assert Session.get(Round, round_.id) is not None
    # The trace notes the lost source: a count on the theme and on the value, nothing more.
    assert Session.get(Theme, theme.id).withdrawn_sources == 1
    assert Session.get(Proposal, value.id).withdrawn_sources == 1


def test_erasing_notes_each_lost_source_once_and_only_where_it_was(app_context):
    dialogue, member, round_, text = small_dialogue()
    theme = Session.scalar(select(Theme).where(Theme.round_id == round_.id))
    second = make_contribution(round_, member, "Og flere kurser")
    untouched = Theme(round_id=round_.id, label="Andet")
    Session.add(untouched)
    Session.flush()
    Session.add(ThemeMember(theme_id=theme.id, contribution_id=second.id))
    value = Proposal(dialogue_id=dialogue.id, kind=ProposalKind.VALUE, status=ProposalStatus.FINAL)
    elsewhere = Proposal(dialogue_id=dialogue.id, kind=ProposalKind.VALUE)
    Session.add_all([value, elsewhere])
    Session.flush()
    Session.add_all(
        [
            ProposalSource(proposal_id=value.id, theme_id=theme.id),
            ProposalSource(proposal_id=elsewhere.id, theme_id=untouched.id),
        ]
    )
    Session.flush()

    assert erasure.erase_own_input(dialogue, author_of(member)) == 2

    assert Session.get(Theme, theme.id).withdrawn_sources == 2
    assert Session.get(Proposal, value.id).withdrawn_sources == 2
    assert Session.get(Theme, untouched.id).withdrawn_sources == 0
    assert Session.get(Proposal, elsewhere.id).withdrawn_sources == 0


def test_withdrawing_one_text_leaves_the_same_note(app_context):
    dialogue = make_dialogue()
    round_ = make_round(dialogue)
    member = make_member(dialogue)
    text = make_contribution(round_, member, "Tag den tilbage")
    theme = Theme(round_id=round_.id, label="Tilbage")
    Session.add(theme)
    Session.flush()
    Session.add(ThemeMember(theme_id=theme.id, contribution_id=text.id))
    value = Proposal(dialogue_id=dialogue.id, kind=ProposalKind.VALUE)
    Session.add(value)
    Session.flush()
    Session.add(ProposalSource(proposal_id=value.id, contribution_id=text.id))
    Session.flush()

    submissions.withdraw_contribution(text, now=utcnow())

    assert Session.get(Theme, theme.id).withdrawn_sources == 1
    assert Session.get(Proposal, value.id).withdrawn_sources == 1
    assert Session.scalar(select(func.count()).select_from(ProposalSource)) == 0
