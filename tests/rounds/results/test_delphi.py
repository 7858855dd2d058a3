"""The Delphi loop: the declared consensus and stop rule, reasons beside ratings, asking again."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select

from dialogue.core.clock import utcnow
from dialogue.core.db import Session
from dialogue.core.models import (
    AuditEvent,
    Contribution,
    ModerationState,
    QuestionAnswer,
    QuestionType,
    RoundKind,
)
from rounds import get_kind
from rounds.errors import InvalidSettings, SubmissionRejected
from rounds.lifecycle import carry_over, editing
from rounds.questions import answering, reading, setup
from rounds.questions.answering import field_name
from rounds.questions.setup import QuestionSpec
from rounds.results.delphi import declared_rule, stop_verdict
from rounds.results.reasons import shared_reasons
from tests.factories import make_dialogue
from tests.rounds.factories import ITEMS, answer, author_of, make_item_round, participants

pytestmark = pytest.mark.usefixtures("request_context")


def close(round_):
    """End an open round a minute ago, once its answers are in."""
    now = utcnow()
    round_.opens_at, round_.closes_at = now - dt.timedelta(days=7), now - dt.timedelta(minutes=1)
    Session.flush()


def consult(round_, member, ratings, reasons=None):
    """``member`` rates proposals by key (and gives reasons) in a consultation round."""
    given = {key: (rating, None) for key, rating in ratings.items()}
    return answer(round_, member, given, reasons=reasons)


def test_the_declared_rule_has_defaults_and_applies_only_where_people_rate(db_session):
    dialogue = make_dialogue()
    consultation = make_item_round(dialogue, RoundKind.CONSULTATION)
    ranking = make_item_round(dialogue, RoundKind.PRIORITISATION)
    rating = make_item_round(dialogue, RoundKind.PRIORITISATION, method="rate", stop_after=2)
    rule = declared_rule(consultation)
    assert (rule.min_share, rule.max_iqr, rule.stop_after, rule.stop_change) == (0.7, 1, 3, 0.1)
    assert rule.iteration == 1
    assert declared_rule(ranking) is None
    assert declared_rule(rating).stop_after == 2


@pytest.mark.parametrize(
    ("settings", "field"),
    [({"stop_after": 0}, "stop_after"), ({"stop_after": 11}, "stop_after")]
    + [({"stop_change": -0.1}, "stop_change"), ({"stop_change": 1.5}, "stop_change")],
)
def test_a_stop_rule_out_of_range_is_refused(db_session, settings, field):
    with pytest.raises(InvalidSettings) as refused:
        get_kind(RoundKind.CONSULTATION).validate_settings({"items": ITEMS, **settings})
    assert refused.value.field == field


def test_the_share_who_changed_pairs_answers_by_pseudonym_only_from_k_people(db_session):
    dialogue = make_dialogue()
    first = make_item_round(dialogue, RoundKind.CONSULTATION)
    members = participants(dialogue, 6)
    for member, rating in zip(members, "344455", strict=True):
        consult(first, member, {"arbejdsmiljo": rating, "samarbejde": "4"})
    second = make_item_round(dialogue, RoundKind.CONSULTATION, repeat_of=first.id)
    # The first changes 3 to 4; the last does not answer again: 1 of 5 paired people changed.
    for member, rating in zip(members[:5], "44445", strict=True):
        consult(second, member, {"arbejdsmiljo": rating, "samarbejde": "4"})
    results = get_kind(second.kind).results(second, None)
    items = {item.key: item for item in results.items}
    assert items["arbejdsmiljo"].changed == pytest.approx(0.2)
    assert items["samarbejde"].changed == 0
    assert results.changed == pytest.approx(0.2)
    third = make_item_round(dialogue, RoundKind.CONSULTATION, repeat_of=second.id)
    for member in [*members[:4], *participants(dialogue, 1)]:  # 4 of them answered both times
        consult(third, member, {"arbejdsmiljo": "4"})
    later = get_kind(third.kind).results(third, None)
    assert later.changed is None
    assert next(i for i in later.items if i.key == "arbejdsmiljo").changed is None


def test_the_stop_rule_says_stop_or_continue_as_declared(db_session):
    dialogue = make_dialogue()
    members = participants(dialogue, 5)
    first = make_item_round(dialogue, RoundKind.CONSULTATION, items=[ITEMS[0], ITEMS[3]])
    for member, rating in zip(members, "12345", strict=True):
        consult(first, member, {"arbejdsmiljo": "5", "samarbejde": rating})
    results = get_kind(first.kind).results(first, None)
    verdict = stop_verdict(first, results)
    assert not verdict.stop
    assert verdict.why == "continue"
    assert verdict.open_items == ("Samarbejde",)  # Arbejdsmiljø met the rule

    second = make_item_round(
        dialogue,
        RoundKind.CONSULTATION,
        items=ITEMS[3:],
        stop_after=3,
        stop_change=0.25,
        repeat_of=first.id,
    )
    for member, rating in zip(members, "12355", strict=True):
        consult(second, member, {"samarbejde": rating})
    results = get_kind(second.kind).results(second, None)
    assert declared_rule(second).iteration == 2
    assert results.changed == pytest.approx(0.2)  # one in five moved, fewer than the 25 % declared
    verdict = stop_verdict(second, results)
    assert verdict.stop
    assert verdict.why == "stable"


def test_the_stop_rule_counts_rounds_and_settled_items(db_session):
    dialogue = make_dialogue()
    members = participants(dialogue, 5)
    first = make_item_round(dialogue, RoundKind.CONSULTATION, items=ITEMS[:1], stop_after=1)
    for member, rating in zip(members, "12345", strict=True):
        consult(first, member, {"arbejdsmiljo": rating})
    assert stop_verdict(first, get_kind(first.kind).results(first, None)).why == "limit"
    agreed = make_item_round(dialogue, RoundKind.CONSULTATION, items=ITEMS[:1])
    for member in members:
        consult(agreed, member, {"arbejdsmiljo": "5"})
    verdict = stop_verdict(agreed, get_kind(agreed.kind).results(agreed, None))
    assert verdict.stop
    assert verdict.why == "settled"


def test_a_reason_is_a_row_of_its_own_with_a_pseudonym_and_a_day_only(db_session):
    dialogue = make_dialogue()
    round_ = make_item_round(dialogue, RoundKind.PRIORITISATION, method="rate")
    (member,) = participants(dialogue, 1)
    answer(round_, member, {"arbejdsmiljo": "5"}, reasons={"arbejdsmiljo": "  Vi er slidte. "})
    rows = Session.scalars(select(Contribution).where(Contribution.round_id == round_.id)).all()
    (reason,) = [row for row in rows if row.target == "arbejdsmiljo"]
    (rating,) = [row for row in rows if row.target is None]
    assert reason.body == "Vi er slidte."
    assert reason.data == {"aspect": "reason"}
    assert reason.author == author_of(member)
    assert isinstance(reason.created_on, dt.date)
    assert not isinstance(reason.created_on, dt.datetime)
    assert rating.data["ratings"] == {"arbejdsmiljo": 5}
    kind = get_kind(round_.kind)
    assert kind.form_defaults(round_, author_of(member))["data"]["item_arbejdsmiljo_reason"] == (
        "Vi er slidte."
    )
    assert "Arbejdsmiljø" in kind.describe(round_, reason)[0]


def test_reasons_are_refused_where_nothing_is_rated_and_when_too_long(db_session):
    dialogue = make_dialogue()
    ranking = make_item_round(dialogue, RoundKind.PRIORITISATION)
    rating = make_item_round(dialogue, RoundKind.PRIORITISATION, method="rate")
    (member,) = participants(dialogue, 1)
    with pytest.raises(SubmissionRejected):
        answer(ranking, member, ["arbejdsmiljo"], reasons={"arbejdsmiljo": "Fordi"})
    with pytest.raises(SubmissionRejected) as refused:
        answer(rating, member, {"arbejdsmiljo": "4"}, reasons={"arbejdsmiljo": "x" * 501})
    assert refused.value.field == "item_arbejdsmiljo_reason"
    with pytest.raises(SubmissionRejected):
        answer(rating, member, {"arbejdsmiljo": "4"}, reasons={"ukendt": "Fordi"})
    assert Session.scalars(select(Contribution).where(Contribution.target.is_not(None))).all() == []


def test_reasons_are_shown_once_closed_from_eight_writers_masked_and_sorted(db_session):
    dialogue = make_dialogue(min_group_size=5)
    round_ = make_item_round(dialogue, RoundKind.CONSULTATION)
    members = participants(dialogue, 9)
    for number, member in enumerate(members[:8]):
        # Seven reasons about Samarbejde are too few to be read outside the consultant's view.
        reasons = {"arbejdsmiljo": f"Grund {8 - number}", "samarbejde": "Sammen" * (number < 7)}
        consult(round_, member, {"arbejdsmiljo": "4", "samarbejde": "4"}, reasons)
    hidden = answer(
        round_, members[8], {"arbejdsmiljo": ("4", None)}, reasons={"arbejdsmiljo": "Skjult"}
    )
    next(
        r for r in hidden if r.target == "arbejdsmiljo" and r.body
    ).moderation = ModerationState.HIDDEN
    keys = [item["key"] for item in ITEMS]
    assert shared_reasons(round_, keys, utcnow()) == {}  # still open
    close(round_)
    reasons = shared_reasons(round_, keys, utcnow())
    assert set(reasons) == {"arbejdsmiljo"}
    assert reasons["arbejdsmiljo"] == tuple(f"Grund {n}" for n in range(1, 9))


def test_a_repeat_round_asks_again_only_about_items_without_consensus(db_session):
    dialogue = make_dialogue()
    members = participants(dialogue, 5)
    first = make_item_round(dialogue, RoundKind.CONSULTATION, max_length=300, stop_change=0.05)
    for member, rating in zip(members, "12345", strict=True):
        consult(first, member, {"arbejdsmiljo": "5", "samarbejde": rating, "rekruttering": "1"})
    with pytest.raises(editing.NotClosed):
        carry_over.repeat_round(first, actor_id=None, now=utcnow())
    close(first)
    second = carry_over.repeat_round(first, actor_id=None, now=utcnow())
    kind = get_kind(second.kind)
    # Consensus for and against both settle an item; the unanswered one is asked again.
    assert [item.key for item in kind.items(second)] == ["digitalisering", "samarbejde"]
    settings = kind.settings(second)
    assert settings["repeat_of"] == first.id
    assert (settings["max_length"], settings["stop_change"]) == (300, 0.05)
    assert second.position == first.position + 1
    assert second.opens_at >= first.closes_at
    event = Session.scalars(select(AuditEvent).where(AuditEvent.action == "round.repeat")).one()
    assert event.subject == f"round:{second.id}"
    # Each participant's form starts from their own earlier answer, to keep or change.
    defaults = kind.form_defaults(second, author_of(members[1]))
    assert defaults["data"]["item_samarbejde_rating"] == "2"
    assert "item_arbejdsmiljo_rating" not in defaults["data"]


def question_shape(question):
    """What a participant is asked: everything of a question but its ids."""
    options = [(o.position, o.label_da, o.label_en) for o in question.options]
    return (question.type, question.text_da, question.text_en, question.required,
            question.maximum, question.band_set, options)  # fmt: skip


def question_answers(round_):
    """How many choice rows and text answers the round's extra questions have."""
    ids = [q.id for q in reading.questions_of(round_)]
    chosen = select(QuestionAnswer).where(QuestionAnswer.question_id.in_(ids))
    texts = select(Contribution).where(reading.text_answers(round_))
    return len(Session.scalars(chosen).all()) + len(Session.scalars(texts).all())


def test_a_repeat_round_asks_the_extra_questions_again_but_keeps_no_answers(db_session):
    dialogue = make_dialogue()
    members = participants(dialogue, 5)
    first = make_item_round(dialogue, RoundKind.CONSULTATION)
    specs = [
        QuestionSpec(QuestionType.BACKGROUND, "", "", band_set="seniority"),
        QuestionSpec(
            QuestionType.MULTIPLE, "Hvilke kanaler?", "Which channels?", required=True,
            maximum=2, options=[("Mail", "Mail"), ("Møder", "Meetings"), ("Intranet", "Intranet")],
        ),
        QuestionSpec(QuestionType.TEXT, "Hvorfor?", "Why?", maximum=40),
    ]  # fmt: skip
    asked = [setup.add_question(first, spec, actor_id=None) for spec in specs]
    setup.move_question(asked[0], 1, actor_id=None)
    for member, rating in zip(members, "12345", strict=True):
        consult(first, member, {"samarbejde": rating})
        channel = str(asked[1].options[0].id)
        raw = {field_name(asked[1]): [channel], field_name(asked[2]): "Fordi vi mødes for lidt"}
        answering.answer_questions(first, author_of(member), raw, now=utcnow())
    close(first)
    second = carry_over.repeat_round(first, actor_id=None, now=utcnow())
    before, after = reading.questions_of(first), reading.questions_of(second)
    assert [question_shape(q) for q in after] == [question_shape(q) for q in before]
    assert [q.type for q in after][:2] == [QuestionType.MULTIPLE, QuestionType.BACKGROUND]
    assert {q.id for q in after}.isdisjoint(q.id for q in before)
    assert (question_answers(first), question_answers(second)) == (10, 0)
    event = Session.scalars(select(AuditEvent).where(AuditEvent.action == "round.repeat")).one()
    assert event.details["questions"] == 3


def test_a_repeat_is_refused_when_the_declared_rule_says_stop(db_session):
    dialogue = make_dialogue()
    members = participants(dialogue, 5)
    agreed = make_item_round(dialogue, RoundKind.CONSULTATION, items=ITEMS[:1])
    limited = make_item_round(dialogue, RoundKind.CONSULTATION, items=ITEMS[:1], stop_after=1)
    ranked = make_item_round(dialogue, RoundKind.PRIORITISATION)
    for member, rating in zip(members, "12345", strict=True):
        consult(agreed, member, {"arbejdsmiljo": "5"})
        consult(limited, member, {"arbejdsmiljo": rating})
        answer(ranked, member, ["arbejdsmiljo"])
    for round_ in (agreed, limited, ranked):
        close(round_)
    with pytest.raises(InvalidSettings) as refused:
        carry_over.repeat_round(agreed, actor_id=None, now=utcnow())
    assert "nothing to ask again" in str(refused.value.message)
    with pytest.raises(InvalidSettings) as refused:
        carry_over.repeat_round(limited, actor_id=None, now=utcnow())
    assert "largest number of rounds" in str(refused.value.message)
    with pytest.raises(InvalidSettings):
        carry_over.repeat_round(ranked, actor_id=None, now=utcnow())
    assert len(dialogue.rounds) == 3
