"""The demo's Delphi loop: reasons in the consultation, one repeat of it, its results and pages."""

from sqlalchemy import select

from dialogue.core.anonymity import author_pseudonym
from dialogue.core.db import Session
from dialogue.core.models import Dialogue, Membership, Role, RoundKind
from dialogue.demo.services import content, rerate
from rounds import get_kind
from rounds.results import delphi
from tests.dialogue.demo.test_cli import run_demo
from tests.dialogue.participate.views.test_rounds import log_in_participant


def demo_rounds():
    dialogue = Session.scalar(select(Dialogue).where(Dialogue.slug == content.SLUG))
    return dialogue, dialogue.rounds[3], dialogue.rounds[4]


def test_the_repeat_asks_only_about_the_values_without_consensus(app, db_session):
    run_demo(app)
    _dialogue, consultation, repeat = demo_rounds()
    kind = get_kind(RoundKind.CONSULTATION)
    with app.test_request_context():
        first, second = kind.results(consultation, None), kind.results(repeat, None)
    assert repeat.kind is RoundKind.CONSULTATION
    assert repeat.settings["repeat_of"] == consultation.id
    assert repeat.opens_at == consultation.closes_at
    settled = {item.key for item in first.items if item.verdict in delphi.SETTLED}
    assert settled, "some values reached consensus in the consultation"
    assert [item.key for item in kind.items(repeat)] == [
        item.key for item in kind.items(consultation) if item.key not in settled
    ]
    assert {item.key for item in delphi.settled_earlier(repeat)} == settled
    # Some moved towards the group, and it shows per item and overall.
    assert 0 < second.changed < 1
    assert all(item.changed and 0 < item.changed < 1 for item in second.items)
    assert {item.verdict for item in second.items} & delphi.SETTLED  # one value agreed on now
    verdict = delphi.stop_verdict(repeat, second)
    assert (verdict.stop, verdict.why) == (True, "limit")  # the declared two rounds are run
    # The repeat's raters rated the consultation, and their earlier answers are theirs to see.
    before, after = kind.ratings(consultation), kind.ratings(repeat)
    assert set(after) <= set(before)
    assert any(after[a] != {k: before[a][k] for k in after[a]} for a in after)


def test_reasons_are_readable_for_every_value_in_both_rounds(app, db_session):
    run_demo(app)
    _dialogue, consultation, repeat = demo_rounds()
    kind = get_kind(RoundKind.CONSULTATION)
    with app.test_request_context():
        for round_ in (consultation, repeat):
            results = kind.results(round_, None)
            reasons = delphi.reasons_for(round_, results)
            assert set(reasons) == {item.key for item in results.items}
            written = {text for pair in rerate.REASONS.values() for texts in pair for text in texts}
            assert set().union(*reasons.values()) <= written | set(rerate.MOVED)


def test_a_participant_reads_the_repeat_and_the_public_its_verdict(app, client):
    run_demo(app)
    dialogue, consultation, repeat = demo_rounds()
    answered = get_kind(RoundKind.CONSULTATION).ratings(repeat)
    secret = app.config["ANON_SECRET"]
    participant = next(
        membership
        for membership in Session.scalars(
            select(Membership)
            .where(Membership.dialogue_id == dialogue.id, Membership.role == Role.PARTICIPANT)
            .order_by(Membership.id)
        )
        if author_pseudonym(secret, dialogue.id, membership.person_id) in answered
    )
    log_in_participant(client, participant)

    html = client.get(f"/d/{content.SLUG}/rounds/{repeat.id}/results/").get_data(as_text=True)
    assert "Ændrede svar siden sidst" in html
    assert "Stopreglen siger: stop." in html
    assert "Det var runde 2 af højst 2." in html
    assert "Afgjort i tidligere runder og ikke spurgt om igen:" in html
    assert "Borgeren i centrum" in html  # settled in the consultation
    assert "Begrundelser" in html

    page = client.get(f"/d/{content.SLUG}/rounds/{repeat.id}/")
    assert page.status_code == 200
    assert "Hvornår er gruppen enig?" in page.get_data(as_text=True)
    assert "Dine svar: sidste gang og i denne runde" in page.get_data(as_text=True)

    public = app.test_client().get(f"/p/{content.SLUG}/").get_data(as_text=True)
    assert "Høring (spurgt igen)" in public
    assert "Stopreglen siger: stop." in public
    assert "Hvornår er gruppen enig?" in public
    for pair in rerate.REASONS.values():
        for texts in pair:
            assert not any(text in public for text in texts)  # reasons stay off the public page
