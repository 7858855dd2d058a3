"""The demo dialogue: the reference case's shape, idempotent, and anonymous by construction."""

import datetime as dt
import re
from collections import Counter
from zoneinfo import ZoneInfo

from sqlalchemy import func, select

from analysis.embed import semantic_installed
from dialogue import PROJECT_ROOT
from dialogue.auth.services.totp import grouped
from dialogue.core.anonymity import author_pseudonym
from dialogue.core.clock import utcnow
from dialogue.core.db import Session
from dialogue.core.models import (
    Contribution,
    Dialogue,
    Membership,
    Person,
    Role,
    RoundKind,
    RoundState,
)
from dialogue.core.models.analysis import ThemeState
from dialogue.demo.services import content, corpus
from dialogue.demo.services.analysis import CLEAR_MAJORITY
from dialogue.demo.services.people import STAFF_PASSWORD, STAFF_TOTP_SECRETS
from rounds import get_kind
from rounds.theme_run.reading import list_active_themes, theme_parts
from tests.dialogue.participate.views.test_rounds import log_in_participant
from tests.logins import staff_login


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
    kinds = list(RoundKind)
    assert [r.kind for r in dialogue.rounds] == [*kinds[:4], RoundKind.CONSULTATION, kinds[4]]
    roles = Counter(
        Session.scalars(select(Membership.role).where(Membership.dialogue_id == dialogue.id))
    )
    assert 220 <= roles[Role.PARTICIPANT] <= 240
    assert roles[Role.CONSULTANT] == roles[Role.MANAGEMENT] == roles[Role.ADMIN] == 1
    assert "konsulent@demo.example" in output
    assert "/link/" in output
    assert "dialogue open-dialogue vaerdier" in output


def test_demo_prints_each_staff_members_documented_totp_key(app, db_session):
    output = run_demo(app)
    readme = (PROJECT_ROOT / "README.md").read_text()
    for role, secret in STAFF_TOTP_SECRETS.items():
        assert grouped(secret) in output
        assert grouped(secret) in readme
        person = Session.scalar(
            select(Person)
            .join(Membership)
            .join(Dialogue)
            .where(Dialogue.slug == content.SLUG, Membership.role == role)
        )
        assert person.totp_secret == secret


def test_demo_restores_a_reset_key_so_the_printed_one_is_true(app, db_session):
    run_demo(app)
    admin = Session.scalar(select(Person).where(Person.email == "admin@demo.example"))
    admin.totp_secret = None
    Session.flush()
    run_demo(app)
    assert admin.totp_secret == STAFF_TOTP_SECRETS[Role.ADMIN]


def test_demo_rounds_last_one_week_each_by_the_wall_clock(app, db_session):
    run_demo(app)
    dialogue = Session.scalar(select(Dialogue).where(Dialogue.slug == content.SLUG))
    zone = ZoneInfo(dialogue.timezone)
    for round_ in dialogue.rounds:
        opens, closes = round_.opens_at.astimezone(zone), round_.closes_at.astimezone(zone)
        assert closes.date() - opens.date() == dt.timedelta(days=7)
        assert opens.hour == closes.hour == 8


def test_demo_has_five_published_rounds_and_the_action_round_open(app, db_session):
    run_demo(app)
    dialogue = Session.scalar(select(Dialogue).where(Dialogue.slug == content.SLUG))
    now = utcnow()
    states = [(r.state_at(now), r.is_published) for r in dialogue.rounds]
    assert states == [(RoundState.CLOSED, True)] * 5 + [(RoundState.OPEN, False)]


def test_demo_results_of_every_kind_are_shown(app, db_session):
    run_demo(app)
    dialogue = Session.scalar(select(Dialogue).where(Dialogue.slug == content.SLUG))
    with app.test_request_context():
        results = [get_kind(r.kind).results(r, None) for r in dialogue.rounds]
    assert all(not result.suppressed for result in results)
    priorities, culture, consultation = results[1], results[2], results[3]
    assert priorities.kendall is not None
    top_four = [item.key for item in priorities.ordered_items[:4]]
    assert [item.key for item in culture.items] == top_four
    assert {item.label for item in consultation.items} == set(content.DRAFT_VALUES)
    assert {item.verdict for item in consultation.items} >= {"consensus"}


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


def test_demo_pages_render_for_staff_and_participants(app, client):
    run_demo(app)
    dialogue = Session.scalar(select(Dialogue).where(Dialogue.slug == content.SLUG))
    now = utcnow()
    rounds = [(r.id, r.kind) for r in dialogue.rounds]
    open_ids = {r.id for r in dialogue.rounds if r.state_at(now) is not RoundState.CLOSED}
    participant = Session.scalars(
        select(Membership).where(
            Membership.dialogue_id == dialogue.id, Membership.role == Role.PARTICIPANT
        )
    ).first()
    participant_client = app.test_client()
    log_in_participant(participant_client, participant)
    staff_login(client, "konsulent@demo.example", STAFF_PASSWORD)
    for round_id, kind in rounds:
        page = client.get(f"/d/{content.SLUG}/rounds/{round_id}/results/")
        assert page.status_code == 200, kind
        if round_id in open_ids:  # only a rounded count until the round closes (A13)
            assert "Resultaterne vises, når runden lukker" in page.get_data(as_text=True)
            assert "<svg" not in page.get_data(as_text=True), kind
        elif kind is not RoundKind.CHALLENGES:
            assert "<svg" in page.get_data(as_text=True), kind
    action_id = rounds[-1][0]
    page = participant_client.get(f"/d/{content.SLUG}/rounds/{action_id}/")
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert "Borgeren i centrum" in html
    assert html.count("<svg") >= 1
    assert (
        participant_client.get(f"/d/{content.SLUG}/rounds/{rounds[3][0]}/results/").status_code
        == 200
    )
    assert (
        participant_client.get(f"/d/{content.SLUG}/rounds/{action_id}/results/").status_code == 404
    )


def test_demo_challenges_are_hundreds_of_whole_texts_about_every_topic():
    texts = [text for texts in corpus.CHALLENGES.values() for text in texts]
    assert len(set(texts)) == len(texts) >= 400
    assert set(corpus.CHALLENGES) == set(content.THEME_LABELS)
    assert all(len(texts) >= 30 for texts in corpus.CHALLENGES.values())
    # Whole texts, not a few statements glued to a few tails: no sentence of three words or
    # more occurs in two texts.
    sentences = Counter(
        sentence.strip().lower()
        for text in texts
        for sentence in re.split(r"(?<=[.!?])\s+", text)
        if len(sentence.split()) >= 3
    )
    assert [sentence for sentence, count in sentences.items() if count > 1] == []
    lengths = sorted(len(text.split()) for text in texts)
    assert lengths[0] <= 3  # one-liners …
    assert lengths[-1] >= 25  # … and short paragraphs


def test_demo_uses_each_challenge_once_and_stores_no_topic(app, db_session):
    run_demo(app)
    dialogue = Session.scalar(select(Dialogue).where(Dialogue.slug == content.SLUG))
    bodies = Session.scalars(
        select(Contribution.body).where(Contribution.round_id == dialogue.rounds[0].id)
    ).all()
    written = set(corpus.challenge_topics())
    from_corpus = [body for body in bodies if body in written]
    assert sorted(from_corpus) == sorted(written)
    assert not {column.name for column in Contribution.__table__.columns} & {"topic", "tag"}


def test_demo_consultant_names_a_theme_only_after_the_topic_most_of_its_texts_are_about(
    app, db_session
):
    run_demo(app)
    dialogue = Session.scalar(select(Dialogue).where(Dialogue.slug == content.SLUG))
    topics = corpus.challenge_topics()
    by_label = {label: topic for topic, label in content.THEME_LABELS.items()}
    named = []
    for theme in list_active_themes(dialogue.rounds[0]):
        bodies = Session.scalars(
            select(Contribution.body).where(
                Contribution.id.in_([m.contribution_id for m in theme.members])
            )
        ).all()
        counts = Counter(topics.get(body) for body in bodies)
        if theme.label in by_label:
            named.append(theme.label)
            assert counts[by_label[theme.label]] >= CLEAR_MAJORITY * len(bodies), theme.label
        else:  # unnamed: no topic has a clear majority, and the automatic name stands
            assert not theme.has_custom_label
            topic, count = counts.most_common(1)[0]
            assert topic is None or count < CLEAR_MAJORITY * len(bodies), theme.label
    assert len(named) == len(set(named))  # two themes about one topic were merged
    # Grouped by meaning and mixed themes split, most topics get a theme of their own (all
    # eight when this was written); by shared words only two of twelve themes had a clear topic.
    assert len(named) >= (6 if semantic_installed() else 1), named


def test_demo_themes_every_free_text_part_apart(app, client):
    run_demo(app)
    dialogue = Session.scalar(select(Dialogue).where(Dialogue.slug == content.SLUG))
    culture, consultation = dialogue.rounds[2], dialogue.rounds[3]
    for round_ in (culture, consultation, dialogue.rounds[-1]):
        for part, _label in theme_parts(round_):
            assert list_active_themes(round_, part), (round_.kind, part)
    staff_login(client, "konsulent@demo.example", STAFF_PASSWORD)
    for part in ("strength", "weakness"):
        url = f"/d/{content.SLUG}/workbench/rounds/{culture.id}/parts/{part}/"
        assert client.get(url).status_code == 200
    assert client.get(f"/d/{content.SLUG}/coverage").status_code == 200


def test_demo_feeds_the_accepted_themes_back_to_participants_and_the_next_round(app, client):
    run_demo(app)
    dialogue = Session.scalar(select(Dialogue).where(Dialogue.slug == content.SLUG))
    challenges, culture = dialogue.rounds[0], dialogue.rounds[2]
    themes = list_active_themes(challenges)
    accepted = [theme.label for theme in themes if theme.state is ThemeState.ACCEPTED]
    assert accepted
    assert set(accepted) <= set(content.THEME_LABELS.values())
    participant = Session.scalar(
        select(Membership).where(
            Membership.dialogue_id == dialogue.id, Membership.role == Role.PARTICIPANT
        )
    )
    log_in_participant(client, participant)
    html = client.get(f"/d/{content.SLUG}/rounds/{challenges.id}/results/").get_data(as_text=True)
    fed = re.search(r'<section class="theme-feedback".*?</section>', html, re.S).group(0)
    for label in accepted:
        assert f"<strong>{label}</strong>" in fed
    for theme in themes:
        if theme.state is ThemeState.SUGGESTED:
            assert f"<strong>{theme.label}</strong>" not in fed
    assert "<blockquote>" in fed
    page = client.get(f"/d/{content.SLUG}/rounds/{culture.id}/").get_data(as_text=True)
    recall = re.search(r'<section class="recall".*?</section>', page, re.S).group(0)
    assert any(f"<li>{label}</li>" in recall for label in accepted)
    public = client.get(f"/p/{content.SLUG}/").get_data(as_text=True)
    assert "Temaer i kommentarerne" in public
    assert not re.search(r"\b(tema|theme) \d+\b", public)  # numbered names stay in the workbench
