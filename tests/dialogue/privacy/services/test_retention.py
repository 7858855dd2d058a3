"""Deleting a dialogue, and the purge after its retention period.

The deletion test reads every table of the schema before and after, so a table added later is
covered without touching this file.
"""

from __future__ import annotations

import datetime as dt
import json

import time_machine
from sqlalchemy import func, select

from dialogue.core.anonymity import author_pseudonym
from dialogue.core.audit import record_event
from dialogue.core.clock import utcnow
from dialogue.core.db import Base, Session
from dialogue.core.models import (
    AuditEvent,
    Contribution,
    ContributionEmbedding,
    Dialogue,
    FollowUpReview,
    Job,
    MemberCheck,
    Membership,
    Person,
    Proposal,
    ProposalSource,
    QuestionAnswer,
    QuestionOption,
    QuestionType,
    Role,
    RoundKind,
    RoundQuestion,
    RoundResultsCache,
    Theme,
    ThemeMember,
)
from dialogue.core.models.followup import ReviewPeriod
from dialogue.core.models.membercheck import CheckAnswer
from dialogue.core.models.proposal import ProposalKind, ProposalStatus
from dialogue.core.models.sends import KeptLink, MailSend, ReminderSchedule, SendKind
from dialogue.demo.cli import build_demo
from dialogue.demo.services import content
from dialogue.privacy.jobs import purge_due
from dialogue.privacy.services import outside, retention
from rounds.traceability import load_graph
from tests.conftest import TEST_SECRETS
from tests.factories import make_contribution, make_dialogue, make_member, make_round


def all_rows() -> dict[str, set[str]]:
    """Every row of every table in the schema, each as the JSON of its column values."""
    return {
        table.name: {
            json.dumps(list(row), sort_keys=True, default=str)
            for row in Session.execute(select(table))
        }
        for table in Base.metadata.sorted_tables
    }


def small_dialogue(**values):
    """A dialogue with a closed, published round, a participant's text placed in a theme."""
    dialogue = make_dialogue(**values)
    now = utcnow()
    round_ = make_round(
        dialogue,
        opens_at=now - dt.timedelta(days=20),
        closes_at=now - dt.timedelta(days=10),
        is_published=True,
    )
    member = make_member(dialogue, department="IT")
    contribution = make_contribution(round_, member, "Mere tid til faglig sparring")
    theme = Theme(round_id=round_.id, label="Sparring")
    Session.add(theme)
    Session.flush()
    Session.add(ThemeMember(theme_id=theme.id, contribution_id=contribution.id))
    Session.flush()
    return dialogue, member, round_, contribution


def author_of(member):
    return author_pseudonym(TEST_SECRETS["ANON_SECRET"], member.dialogue_id, member.person_id)


def add_what_the_demo_leaves_out(demo: Dialogue) -> None:
    """A row of the demo in each table it leaves empty, so that every table is put to the test."""
    round_ = demo.rounds[0]
    text = Session.scalar(select(Contribution).where(Contribution.round_id == round_.id).limit(1))
    Session.add_all(
        [
            Job(id="a" * 32, kind="analysis", key=f"round:{round_.id}", dialogue_id=demo.id),
            RoundResultsCache(round_id=round_.id, variant="v", version="1", payload={}),
            FollowUpReview(
                dialogue_id=demo.id,
                period=ReviewPeriod.MONTH,
                since=utcnow().date(),
                held_on=utcnow().date(),
            ),
        ]
    )
    # The demo embeds its texts where the semantic extra is installed, and not without it.
    if not Session.scalar(select(ContributionEmbedding.contribution_id).limit(1)):
        Session.add(
            ContributionEmbedding(
                contribution_id=text.id, model="m", text_hash="h", vector=b"", tokens=1
            )
        )
    question = RoundQuestion(
        round_id=round_.id,
        position=1,
        type=QuestionType.SINGLE,
        text_da="Ja?",
        text_en="Yes?",
        options=[QuestionOption(position=1, label_da="Ja", label_en="Yes")],
    )
    Session.add(question)
    Session.flush()
    Session.add(
        QuestionAnswer(
            question_id=question.id,
            author=text.author,
            option_id=question.options[0].id,
            created_on=text.created_on,
        )
    )
    schedule = ReminderSchedule(round_id=round_.id, hours_before_close=48)
    member = Session.scalar(select(Membership).where(Membership.dialogue_id == demo.id).limit(1))
    Session.add_all(
        [
            schedule,
            KeptLink(
                membership_id=member.id,
                token_hash="k" * 64,
                expires_at=utcnow() + dt.timedelta(days=7),
            ),
        ]
    )
    Session.flush()
    Session.add(
        MailSend(
            dialogue_id=demo.id,
            round_id=round_.id,
            kind=SendKind.REMINDER,
            count=1,
            scheduled=True,
            schedule_id=schedule.id,
        )
    )
    Session.flush()


def test_deleting_the_demo_leaves_nothing_of_it_in_any_table(app_context):
    other, other_member, _round, _text = small_dialogue()
    # One person in both dialogues: they stay, with their other membership.
    shared = other_member.person
    Session.commit()
    untouched = all_rows()
    build_demo()
    demo = Session.scalar(select(Dialogue).where(Dialogue.slug == content.SLUG))
    Session.add(Membership(person=shared, dialogue=demo, role=Role.PARTICIPANT))
    add_what_the_demo_leaves_out(demo)
    grown = all_rows()
    assert all(grown[name] - untouched[name] for name in grown), "a table without demo rows"

    removal = retention.delete_dialogue(demo)
    Session.commit()

    assert all_rows() == untouched
    assert removal.rows["contributions"] == len(grown["contributions"] - untouched["contributions"])
    assert removal.rows["people"] == len(grown["people"] - untouched["people"])
    assert Session.get(Person, shared.id) is not None
    assert Session.get(Dialogue, other.id).rounds


def test_deletion_removes_audit_events_about_its_people_and_their_outbox_mail(
    app, app_context, tmp_path, monkeypatch
):
    dialogue, member, _round, _text = small_dialogue()
    record_event(None, "mfa_locked", subject=f"person:{member.person_id}")
    outbox = tmp_path / "outbox"
    outbox.mkdir()
    monkeypatch.setitem(app.config, "MAIL_SERVER", "")
    monkeypatch.setitem(app.config, "MAIL_OUTBOX", str(outbox))
    mine = outbox / "a.eml"
    mine.write_text(f"To: {member.person.email}\nSubject: Link\n\nHello\n")
    about = outbox / "b.eml"
    about.write_text(f"To: x@example.org\nSubject: Link\n\nhttp://h/d/{dialogue.slug}/rounds/1/\n")
    other = outbox / "c.eml"
    other.write_text("To: x@example.org\nSubject: Link\n\nhttp://h/d/another/\n")

    removal = retention.delete_dialogue(dialogue)
    outside.forget_outside_database(removal)

    assert Session.scalar(select(func.count()).select_from(AuditEvent)) == 0
    assert sorted(path.name for path in outbox.iterdir()) == ["c.eml"]
    assert removal.mails == 2


def test_purge_acts_only_after_the_retention_period(app_context):
    dialogue, member, round_, _text = small_dialogue(retention_days=30)
    person_id = member.person_id
    last_close = round_.closes_at
    with time_machine.travel(last_close + dt.timedelta(days=29, hours=23), tick=False):
        assert purge_due(Session.flush) == []
        assert Session.get(Person, person_id) is not None
    with time_machine.travel(last_close + dt.timedelta(days=30, minutes=1), tick=False):
        (removal,) = purge_due(Session.flush)
        assert purge_due(Session.flush) == []  # once only
    assert removal.slug == dialogue.slug
    assert Session.get(Person, person_id) is None
    assert Session.get(Dialogue, dialogue.id).purged_on is not None


def test_the_purge_keeps_published_results_and_final_values_anonymously(app_context):
    dialogue, member, round_, text = small_dialogue(retention_days=1)
    unpublished = make_round(
        dialogue,
        kind=RoundKind.CULTURE,
        opens_at=round_.opens_at,
        closes_at=round_.closes_at,
    )
    make_contribution(unpublished, member, "Kun i en upubliceret runde")
    Session.add(MemberCheck(contribution_id=text.id, answer=CheckAnswer.YES))
    final = Proposal(dialogue_id=dialogue.id, kind=ProposalKind.VALUE, status=ProposalStatus.FINAL)
    draft = Proposal(dialogue_id=dialogue.id, kind=ProposalKind.VALUE)
    Session.add_all([final, draft])
    Session.flush()
    Session.add(ProposalSource(proposal_id=final.id, contribution_id=text.id))
    record_event(None, "round.publish", dialogue)
    pseudonym = text.author
    question = RoundQuestion(
        round_id=round_.id,
        position=1,
        type=QuestionType.SCALE,
        text_da="Hvor?",
        text_en="How?",
    )
    Session.add(question)
    Session.flush()
    Session.add(
        QuestionAnswer(
            question_id=question.id, author=pseudonym, value=4, created_on=text.created_on
        )
    )

    removal = retention.purge_dialogue(dialogue, utcnow().date())

    assert Session.scalar(select(func.count()).select_from(Membership)) == 0
    assert Session.scalar(select(func.count()).select_from(Person)) == 0
    assert Session.scalar(select(func.count()).select_from(AuditEvent)) == 0
    assert Session.scalar(select(func.count()).select_from(MemberCheck)) == 0
    assert [r.id for r in Session.get(Dialogue, dialogue.id).rounds] == [round_.id]
    assert set(Session.scalars(select(Proposal.id))) == {final.id}
    kept = Session.get(Contribution, text.id)
    assert kept.body == "Mere tid til faglig sparring"
    assert kept.author != pseudonym
    assert kept.submission_key is None
    # The same new pseudonym on the answer, so that the author still counts once.
    assert Session.scalars(select(QuestionAnswer.author)).all() == [kept.author]
    assert Session.scalar(select(func.count()).select_from(ProposalSource)) == 1
    assert removal.rows["rounds"] == 1
    assert removal.rows["proposals"] == 1


def test_a_kept_value_still_traces_into_an_unpublished_round_after_the_purge(app_context):
    dialogue, member, round_, _text = small_dialogue(retention_days=1)
    other = make_member(dialogue)
    # Unpublished, yet its themes fed the value.
    challenges = make_round(dialogue, opens_at=round_.opens_at, closes_at=round_.closes_at)
    placed = make_contribution(challenges, member, "Faste møder på tværs")
    merged_text = make_contribution(challenges, other, "Flere møder med andre teams")
    direct = make_contribution(challenges, other, "Fælles kalender")
    unused = make_contribution(challenges, member, "Kantinen er for lille")
    kept_theme = Theme(round_id=challenges.id, label="Samarbejde")
    retired = Theme(round_id=challenges.id, label="Møder")
    unlinked = Theme(round_id=challenges.id, label="Kantine")
    Session.add_all([kept_theme, retired, unlinked])
    Session.flush()
    retired.merged_into_id = kept_theme.id  # the value links the theme merged away
    Session.add_all(
        [
            ThemeMember(theme_id=kept_theme.id, contribution_id=placed.id),
            ThemeMember(theme_id=kept_theme.id, contribution_id=merged_text.id),
            ThemeMember(theme_id=unlinked.id, contribution_id=unused.id),
            RoundResultsCache(round_id=challenges.id, variant="v", version="1", payload={}),
        ]
    )
    elsewhere = make_round(
        dialogue, RoundKind.CULTURE, opens_at=round_.opens_at, closes_at=round_.closes_at
    )
    make_contribution(elsewhere, member, "Kun i en upubliceret runde uden spor")
    value = Proposal(dialogue_id=dialogue.id, kind=ProposalKind.VALUE, status=ProposalStatus.FINAL)
    Session.add(value)
    Session.flush()
    Session.add_all(
        [
            ProposalSource(proposal_id=value.id, theme_id=retired.id),
            ProposalSource(proposal_id=value.id, contribution_id=direct.id),
        ]
    )
    Session.flush()
    before = load_graph(dialogue)
    behind = before.contributions_behind(before.proposals[value.id])
    assert behind == {placed.id, merged_text.id, direct.id}
    pseudonyms = {placed.author, merged_text.author, direct.author}

    removal = retention.purge_dialogue(dialogue, utcnow().date())

    after = load_graph(Session.get(Dialogue, dialogue.id))
    assert after.orphan_sources() == []
    assert after.contributions_behind(after.proposals[value.id]) == behind
    assert {r.id for r in Session.get(Dialogue, dialogue.id).rounds} == {round_.id, challenges.id}
    assert set(Session.scalars(select(Theme.label).where(Theme.round_id == challenges.id))) == {
        "Samarbejde",
        "Møder",
    }
    kept = set(
        Session.scalars(select(Contribution.id).where(Contribution.round_id == challenges.id))
    )
    assert kept == behind
    # Nothing personal stays: no people, no memberships, no pseudonym that ANON_SECRET derives.
    assert Session.scalar(select(func.count()).select_from(Person)) == 0
    assert Session.scalar(select(func.count()).select_from(Membership)) == 0
    authors = set(Session.scalars(select(Contribution.author)))
    assert authors.isdisjoint(pseudonyms | {author_of(member), author_of(other)})
    assert Session.scalar(select(func.count()).select_from(RoundResultsCache)) == 0
    assert removal.rows["rounds"] == 1
    assert (
        "kept of the unpublished round 'Challenges': only the themes and texts behind the final "
        "values" in removal.lines()
    )


def test_a_purge_without_keeping_results_deletes_the_dialogue(app_context):
    dialogue, _member, _round, _text = small_dialogue(keep_results=False)
    dialogue_id = dialogue.id
    retention.purge_dialogue(dialogue, utcnow().date())
    assert Session.get(Dialogue, dialogue_id) is None
    assert Session.scalar(select(func.count()).select_from(Contribution)) == 0
