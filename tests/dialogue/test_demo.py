"""The demo dialogue: the reference case's shape, idempotent, and anonymous by construction."""

from collections import Counter

from sqlalchemy import func, select

from dialogue.anonymity import author_pseudonym
from dialogue.db import Session
from dialogue.demo import content
from dialogue.models import Contribution, Dialogue, Membership, Role, RoundKind


def run_demo(app):
    result = app.test_cli_runner().invoke(args=["demo"])
    assert result.exit_code == 0, result.output
    return result.output


def row_counts():
    models = (Membership, Contribution)
    return [Session.scalar(select(func.count()).select_from(model)) for model in models]


def test_demo_builds_the_reference_case(app, db_session):
    output = run_demo(app)

    dialogue = Session.scalar(select(Dialogue).where(Dialogue.slug == content.SLUG))
    assert [r.kind for r in dialogue.rounds] == list(RoundKind)
    roles = Counter(
        Session.scalars(select(Membership.role).where(Membership.dialogue_id == dialogue.id))
    )
    assert 220 <= roles[Role.PARTICIPANT] <= 240
    assert roles[Role.CONSULTANT] == roles[Role.MANAGEMENT] == roles[Role.ADMIN] == 1
    assert "konsulent@demo.example" in output
    assert "/link/" in output


def test_demo_rounds_last_one_week_each(app, db_session):
    run_demo(app)
    dialogue = Session.scalar(select(Dialogue).where(Dialogue.slug == content.SLUG))
    assert {(r.closes_at - r.opens_at).days for r in dialogue.rounds} == {7}


def test_demo_is_idempotent(app, db_session):
    run_demo(app)
    counts = [
        Session.scalar(select(func.count()).select_from(m)) for m in (Membership, Contribution)
    ]
    run_demo(app)
    assert [
        Session.scalar(select(func.count()).select_from(m)) for m in (Membership, Contribution)
    ] == counts


def test_demo_contributions_are_stored_under_pseudonyms_only(app, db_session):
    run_demo(app)
    dialogue = Session.scalar(select(Dialogue).where(Dialogue.slug == content.SLUG))
    secret = app.config["ANON_SECRET"]
    pseudonyms = {
        author_pseudonym(secret, dialogue.id, m.person_id): m
        for m in Session.scalars(select(Membership).where(Membership.dialogue_id == dialogue.id))
    }
    authors = set(Session.scalars(select(Contribution.author)))
    assert authors
    assert authors <= set(pseudonyms)
    emails = {m.person.email for m in pseudonyms.values()}
    assert not authors & emails
