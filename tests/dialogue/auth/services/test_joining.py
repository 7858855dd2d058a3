"""Open dialogues (issue #22): anyone the rule admits joins by the join link, in cohorts.

The provider's side of joining runs against a real provider in tests/browser/test_oidc.py.
"""

from __future__ import annotations

import re

import pytest
from sqlalchemy import func, select

from dialogue.auth.services import joining
from dialogue.core import migrate
from dialogue.core.db import Session
from dialogue.core.models import Dialogue, Membership, Person, Role
from rounds.results.segments import NO_GROUP, author_segments, breakdowns
from tests.conftest import TEST_SECRETS, csrf_from, in_app
from tests.dialogue.admin.views.test_participants import log_in_admin
from tests.dialogue.core.test_mail import body_of, running_smtp_server
from tests.factories import make_dialogue, make_member

JOIN_LINK = re.compile(r"http://\S+/join/[\w-]+/\S+")


@pytest.fixture
def smtp_server(app, monkeypatch):
    with running_smtp_server(app, monkeypatch) as capture:
        yield capture


def open_dialogue(rule: str = "", **values):
    values.setdefault("language", "en")
    return make_dialogue(open_join=True, open_rule=rule, **values)


def ask(client, dialogue, address):
    csrf = csrf_from(client.get(f"/join/{dialogue.slug}"))
    return client.post(f"/join/{dialogue.slug}", data={"csrf_token": csrf, "email": address})


def join_link_mailed_to(smtp_server, address) -> str:
    [message] = [m for m in smtp_server.messages if m["To"] == address]
    [link] = JOIN_LINK.findall(body_of(message))
    return link.removeprefix("http://127.0.0.1:5000")


def confirm(client, link):
    page = client.get(link)
    html = page.get_data(as_text=True)
    assert "Press the button to join" in html or "Tryk på knappen for at tilmelde dig" in html
    return client.post(link, data={"csrf_token": csrf_from(page)})


def memberships(dialogue) -> int:
    return Session.scalar(
        select(func.count()).select_from(Membership).where(Membership.dialogue_id == dialogue.id)
    )


def test_a_rule_admits_by_domain_or_by_claim(app_context):
    dialogue = open_dialogue("@Kommune.example groups=staff")
    assert joining.parse_rule(dialogue.open_rule) == (["kommune.example"], [("groups", "staff")])
    assert joining.admits(dialogue, "anna@kommune.example")
    assert joining.admits(dialogue, "anna@KOMMUNE.example")
    assert not joining.admits(dialogue, "anna@kommune.example.evil")
    assert not joining.admits(dialogue, "anna@other.example")
    assert joining.admits(dialogue, "anna@other.example", {"groups": ["x", "staff"]})
    assert joining.admits(dialogue, "anna@other.example", {"groups": "staff"})
    assert not joining.admits(dialogue, "anna@other.example", {"groups": ["staffer"]})
    assert joining.admits(open_dialogue(""), "anyone@anywhere.example")
    with pytest.raises(ValueError, match="not-a-term"):
        joining.parse_rule("@ok.example not-a-term")


def test_a_dialogue_that_is_not_open_has_no_join_page(client):
    closed = make_dialogue()
    assert client.get(f"/join/{closed.slug}").status_code == 404
    assert client.get("/join/no-such-dialogue").status_code == 404
    assert client.get(f"/join/{closed.slug}/some-token").status_code == 404


def test_people_join_by_mail_in_one_cohort_once_enough_are_waiting(client, smtp_server):
    dialogue = open_dialogue("@kommune.example", min_group_size=3)
    first, second, third = (f"{name}@kommune.example" for name in ("anna", "bo", "cai"))

    for address in (first, second):
        assert ask(client, dialogue, address).status_code == 303
        waiting = confirm(client, join_link_mailed_to(smtp_server, address))
        assert waiting.status_code == 200
        assert "You are on the list" in waiting.get_data(as_text=True)
    assert memberships(dialogue) == 0  # nothing naming them is written while they wait
    assert Session.scalar(select(Person).where(Person.email == first)) is None

    assert ask(client, dialogue, third).status_code == 303
    joined = confirm(client, join_link_mailed_to(smtp_server, third))
    assert joined.status_code == 302
    assert joined.headers["Location"] == f"/d/{dialogue.slug}/"
    home = client.get(f"/d/{dialogue.slug}/")
    assert home.status_code == 200, home.headers.get("Location")  # the third is logged in

    admitted = Session.scalars(
        select(Membership).where(Membership.dialogue_id == dialogue.id)
    ).all()
    assert sorted(m.person.email for m in admitted) == [first, second, third]
    assert {(m.role, m.department, m.role_group) for m in admitted} == {
        (Role.PARTICIPANT, None, None)
    }
    invited = [m["To"] for m in smtp_server.messages if m["Subject"].startswith("Invitation")]
    assert sorted(invited) == [first, second, third]


def test_every_address_gets_the_same_answer_and_only_an_admitted_one_a_join_link(
    client, smtp_server
):
    dialogue = open_dialogue("@kommune.example")
    member = make_member(dialogue)
    member.person.email = "member@kommune.example"
    answers = []
    for address in ("member@kommune.example", "new@kommune.example", "outsider@other.example"):
        response = ask(client, dialogue, address)
        page = client.get(response.headers["Location"]).get_data(as_text=True)
        answers.append((response.status_code, re.sub(r'value="[^"]+"', "", page)))
    assert answers[0] == answers[1] == answers[2]
    subjects = {m["To"]: m["Subject"] for m in smtp_server.messages}
    assert subjects == {
        "member@kommune.example": f"Your new link: {dialogue.title}",
        "new@kommune.example": f"Join the dialogue: {dialogue.title}",
    }
    assert memberships(dialogue) == 1


def test_a_forged_or_foreign_join_link_is_refused_and_stores_nothing(client, app):
    dialogue = open_dialogue(min_group_size=3)
    other = open_dialogue(min_group_size=3)
    foreign = in_app(joining.confirm_token, other, "anna@example.org")
    for token in ("forged", foreign):
        response = client.get(f"/join/{dialogue.slug}/{token}")
        assert response.status_code == 410
        assert "not valid or has expired" in response.get_data(as_text=True)
    assert in_app(joining.waiting_count, dialogue) == 0


def test_a_malformed_address_is_refused_with_a_message(client, smtp_server):
    dialogue = open_dialogue()
    response = ask(client, dialogue, "not an address")
    assert response.status_code == 422
    assert smtp_server.messages == []


@pytest.fixture
def limited(fresh_database_url, app_factory):
    """An app with rate limits on, a cap of two requests to join per hour, and an open dialogue.

    A database of its own: the limits count across requests that each commit.
    """
    limited_app = app_factory(fresh_database_url, RATELIMIT_ENABLED=True, OPEN_JOINS_PER_HOUR=2)
    migrate.upgrade(limited_app)
    with limited_app.app_context():
        dialogue = Dialogue(slug="aaben", title="Åben", open_join=True, min_group_size=5)
        Session.add(dialogue)
        Session.commit()
        Session.remove()
    return limited_app


def ask_limited(client, address):
    csrf = csrf_from(client.get("/join/aaben"))
    return client.post("/join/aaben", data={"csrf_token": csrf, "email": address})


def test_asking_is_limited_per_address(limited):
    client = limited.test_client()
    statuses = [ask_limited(client, "anna@example.org").status_code for _ in range(4)]
    assert statuses == [303, 303, 303, 429]
    assert ask_limited(client, "bo@example.org").status_code == 303


def test_asking_is_limited_per_session(limited):
    client = limited.test_client()
    statuses = [ask_limited(client, f"p{n}@example.org").status_code for n in range(11)]
    assert statuses == [303] * 10 + [429]
    assert ask_limited(limited.test_client(), "other@example.org").status_code == 303


def test_the_hourly_cap_says_so_and_adds_nobody(limited):
    client = limited.test_client()
    with limited.app_context():
        dialogue = Session.scalar(select(Dialogue).where(Dialogue.slug == "aaben"))
        links = [
            f"/join/aaben/{joining.confirm_token(dialogue, f'p{n}@example.org')}" for n in range(3)
        ]
        Session.remove()
    assert [confirm(client, link).status_code for link in links[:2]] == [200, 200]
    refused = confirm(client, links[2])
    assert refused.status_code == 429
    assert "Mange har bedt om at tilmelde sig" in refused.get_data(as_text=True)
    assert confirm(client, links[0]).status_code == 200  # asking again is not a new request
    with limited.app_context():
        dialogue = Session.scalar(select(Dialogue).where(Dialogue.slug == "aaben"))
        assert joining.waiting_count(dialogue) == 2
        assert Session.scalar(select(func.count()).select_from(Person)) == 0
        Session.remove()


def test_the_admin_sets_how_participants_sign_in(client):
    dialogue, _admin = log_in_admin(client)
    dialogue_id = dialogue.id
    url = f"/d/{dialogue.slug}/admin/sign-in"
    csrf = csrf_from(client.get(url))
    refused = client.post(
        url, data={"csrf_token": csrf, "oidc_claim": "email", "open_join": "y", "open_rule": "?"}
    )
    assert refused.status_code == 422
    assert "is neither an e-mail domain" in refused.get_data(as_text=True)
    dialogue = Session.get(Dialogue, dialogue_id)
    assert (dialogue.oidc_claim, dialogue.open_join) == (None, False)

    saved = client.post(
        url,
        data={
            "csrf_token": csrf,
            "oidc_claim": "upn",
            "open_join": "y",
            "open_rule": " @kommune.example   groups=staff ",
        },
    )
    assert saved.status_code == 303
    Session.expire_all()
    dialogue = Session.get(Dialogue, dialogue_id)
    assert (dialogue.oidc_claim, dialogue.open_join, dialogue.open_rule) == (
        "upn",
        True,
        "@kommune.example groups=staff",
    )
    page = client.get(url).get_data(as_text=True)
    assert f"/join/{dialogue.slug}" in page
    assert "0 people are waiting" in page

    bad_claim = client.post(url, data={"csrf_token": csrf, "oidc_claim": "e mail"})
    assert bad_claim.status_code == 422


def test_open_members_without_a_department_form_a_group_the_k_rule_hides(app_context):
    """Two open members (no department) beside six imported ones: their group is not shown."""
    dialogue = make_dialogue(min_group_size=3)
    members = [make_member(dialogue, department="Skole") for _ in range(6)]
    members += [make_member(dialogue) for _ in range(2)]
    segments = author_segments(dialogue, TEST_SECRETS["ANON_SECRET"])
    answers = dict.fromkeys(segments, 1)
    assert len(answers) == len(members)
    [by_department, _by_role_group] = breakdowns(answers, segments, dialogue.min_group_size)
    rows = {row.name: row for row in by_department.rows}
    assert rows[NO_GROUP].respondents is None
    # Shown beside the total, the large group would give the small one away: hidden too.
    assert all(row.respondents is None or row.respondents >= 3 for row in rows.values())
    assert rows["Skole"].respondents is None


def test_staff_of_the_dialogue_get_no_join_link_and_cannot_join(client, smtp_server):
    dialogue = open_dialogue(min_group_size=3)
    consultant = make_member(dialogue, Role.CONSULTANT)
    assert ask(client, dialogue, consultant.person.email).status_code == 303
    assert smtp_server.messages == []
    token = in_app(joining.confirm_token, dialogue, consultant.person.email)
    refused = client.get(f"/join/{dialogue.slug}/{token}")
    assert refused.status_code == 409
    assert in_app(joining.waiting_count, dialogue) == 0


def test_a_link_mailed_before_the_rule_tightened_no_longer_joins(client, smtp_server):
    dialogue = open_dialogue("@kommune.example", min_group_size=3)
    assert ask(client, dialogue, "anna@kommune.example").status_code == 303
    link = join_link_mailed_to(smtp_server, "anna@kommune.example")
    dialogue_id = dialogue.id

    def tighten():
        joining.set_open(
            Session.get(Dialogue, dialogue_id), None, open_join=True, rule="@skole.example"
        )

    in_app(tighten)
    refused = client.get(link)
    assert refused.status_code == 403
    assert "Nothing about you was stored" in refused.get_data(as_text=True)
    assert in_app(joining.waiting_count, dialogue) == 0
