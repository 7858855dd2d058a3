"""Attacks by differencing (TARGETS A12, A13): two snapshots of every staff page and export.

A12: an admin moves a named person to another department by re-importing one row, reads every
results page and export, and moves them back. A closed round's figures must not move at all,
or they give away that person's answers.

A13: staff take a snapshot of every page and export of an open round, one person answers, and
they look again. The two must not differ in anything that identifies the answer: no
distribution, no breakdown, no group's participation, no count that moves by one, no text that
appears on its own.
"""

from __future__ import annotations

import difflib
import re
import time

import pytest
from sqlalchemy import func, select

from dialogue.core.clock import utcnow
from dialogue.core.db import Session
from dialogue.core.models import (
    Dialogue,
    Job,
    JobState,
    Membership,
    Role,
    Round,
    RoundKind,
    RoundResultsCache,
)
from dialogue.core.results_cache.final import FINAL_KIND
from tests.conftest import csrf_from
from tests.dialogue.admin.views.test_participants import page_url, upload
from tests.factories import STAFF_PASSWORD, make_dialogue, make_member
from tests.logins import staff_login
from tests.rounds.factories import answer, closed_times, make_item_round, participants

#: What legitimately differs between two renderings of the same page.
VOLATILE = re.compile(r'(name="[\w-]*csrf_token"[^>]*value="|nonce="|nonce-)[^"\']+')
EXPORTS = ("dialogue.json", "contributions.csv", "themes.csv", "proposals.csv")


@pytest.fixture
def staff(app, client):
    """A logged-in client per staff role of a public dialogue with two departments."""
    dialogue = make_dialogue(language="en", is_public=True)
    clients = {}
    for role in (Role.ADMIN, Role.CONSULTANT, Role.MANAGEMENT):
        member = make_member(dialogue, role)
        session = client if role is Role.ADMIN else app.test_client()
        assert staff_login(session, member.person.email, STAFF_PASSWORD).status_code == 302
        clients[role] = session
    return dialogue.id, clients


def fresh(model, ids):
    """The rows again: every request ends its session, and with it the objects a test held."""
    return [Session.get(model, i) for i in ids]


def snapshot(slug: str, rid: int, clients) -> dict[str, str]:
    """Every staff page about the round, and every export, as each staff role reads them."""
    pages = {
        Role.ADMIN: [
            f"/d/{slug}/",
            f"/d/{slug}/rounds/{rid}/results/",
            f"/d/{slug}/staff/rounds/{rid}/",
            f"/d/{slug}/manage/rounds/",
            f"/d/{slug}/admin/participants",
            f"/p/{slug}/",
        ],
        Role.CONSULTANT: [
            f"/d/{slug}/rounds/{rid}/results/",
            f"/d/{slug}/staff/rounds/{rid}/",
            f"/d/{slug}/staff/rounds/{rid}/contributions",
            f"/d/{slug}/staff/rounds/{rid}/identifying/",
            f"/d/{slug}/workbench/rounds/{rid}/",
            f"/d/{slug}/coverage",
        ],
        Role.MANAGEMENT: [
            f"/d/{slug}/rounds/{rid}/results/",
            f"/d/{slug}/staff/rounds/{rid}/",
            f"/d/{slug}/report",
        ],
    }
    seen = {}
    for role, urls in pages.items():
        for url in urls:
            response = clients[role].get(url)
            assert response.status_code == 200, url
            seen[f"{role.value} {url}"] = VOLATILE.sub("", response.get_data(as_text=True))
    for role in (Role.CONSULTANT, Role.MANAGEMENT):
        csrf = csrf_from(clients[role].get(f"/d/{slug}/rounds/{rid}/results/"))
        for name in EXPORTS:
            response = clients[role].post(f"/d/{slug}/export/{name}", data={"csrf_token": csrf})
            assert response.status_code == 200, name
            seen[f"{role.value} export {name}"] = response.get_data(as_text=True)
    return seen


def differences(before: dict[str, str], after: dict[str, str]) -> list[str]:
    """Each page or export that changed, with its first changed lines (for the failure)."""
    changed = []
    for key in before:
        if before[key] != after[key]:
            diff = difflib.unified_diff(before[key].splitlines(), after[key].splitlines(), n=0)
            changed.append(f"{key}: {' | '.join(list(diff)[2:6])}")
    return changed


def rate(round_, member, value: str, comment: str = ""):
    answer(round_, member, dict.fromkeys(("arbejdsmiljo", "rekruttering"), (value, comment)))


def move(client, dialogue_id, rows, department: str, mover: str) -> None:
    """Re-import the whole list through the admin's page, with ``mover`` in ``department``."""
    lines = ["email;name;department"]
    for email, name, where in rows:
        lines.append(f"{email};{name};{department if email == mover else where}")
    dialogue = Session.get(Dialogue, dialogue_id)
    response = upload(client, dialogue, "\n".join(lines).encode(), "list.csv")
    assert response.status_code in (200, 302, 303)
    assert "1 updated" in client.get(page_url(dialogue)).get_data(as_text=True)  # the flash


def test_moving_a_person_after_the_close_changes_no_figure(staff):
    dialogue_id, clients = staff
    dialogue = Session.get(Dialogue, dialogue_id)
    round_ = make_item_round(dialogue, RoundKind.CONSULTATION)
    borgerservice = participants(dialogue, 14, department="Borgerservice")
    jobcenter = participants(dialogue, 20, department="Jobcenter")
    for member in borgerservice[:8]:
        rate(round_, member, "2")
    for member in jobcenter[:12]:
        rate(round_, member, "4")
    rows = [(m.person.email, m.person.name, m.department) for m in borgerservice + jobcenter]
    target = borgerservice[0].person.email  # the person whose ballot the admin wants
    for name, value in closed_times().items():
        setattr(round_, name, value)
    slug, rid = dialogue.slug, round_.id
    Session.commit()

    before = snapshot(slug, rid, clients)
    results = before[f"admin /d/{slug}/rounds/{rid}/results/"]
    assert "Borgerservice" in results
    assert "Jobcenter" in results
    assert 'class="num">hidden<' not in results  # the breakdown shows both groups
    move(clients[Role.ADMIN], dialogue_id, rows, "Jobcenter", target)
    moved = snapshot(slug, rid, clients)
    move(clients[Role.ADMIN], dialogue_id, rows, "Borgerservice", target)
    back = snapshot(slug, rid, clients)

    admin_list = f"admin /d/{slug}/admin/participants"
    assert before[admin_list] != moved[admin_list]  # the move did happen
    del before[admin_list], moved[admin_list], back[admin_list]
    assert differences(before, moved) == []
    assert differences(before, back) == []


def test_one_more_answer_in_an_open_round_changes_no_staff_page_or_export(staff):
    dialogue_id, clients = staff
    dialogue = Session.get(Dialogue, dialogue_id)
    round_ = make_item_round(dialogue, RoundKind.CONSULTATION)
    borgerservice = participants(dialogue, 10, department="Borgerservice")
    jobcenter = participants(dialogue, 20, department="Jobcenter")
    for member in borgerservice[:6] + jobcenter[:6]:
        rate(round_, member, "3", "Mere tid til borgerne")
    slug, rid, last = dialogue.slug, round_.id, borgerservice[9].id
    Session.commit()

    before = snapshot(slug, rid, clients)
    [round_], [member] = fresh(Round, [rid]), fresh(Membership, [last])
    rate(round_, member, "1", "Ledelsen lytter ikke til os i Borgerservice, ring 22 33 44 55")
    Session.commit()
    after = snapshot(slug, rid, clients)

    assert differences(before, after) == []
    for page in after.values():
        assert "Ledelsen lytter ikke" not in page
    overview = after[f"management /d/{slug}/staff/rounds/{rid}/"]
    assert "Borgerservice" not in overview  # no participation by group while open
    assert ">10<" in overview  # 13 respondents, shown in steps of 5


def test_texts_reach_the_consultant_in_batches_of_k(staff):
    dialogue_id, clients = staff
    dialogue = Session.get(Dialogue, dialogue_id)
    round_ = make_item_round(dialogue, RoundKind.CONSULTATION)
    members = [m.id for m in participants(dialogue, 12)]
    rid = round_.id
    url = f"/d/{dialogue.slug}/staff/rounds/{rid}/contributions"
    shown = []
    for number, member_id in enumerate(members, start=1):
        [round_], [member] = fresh(Round, [rid]), fresh(Membership, [member_id])
        rate(round_, member, "3", f"Tekst nummer {number:02d}")
        Session.commit()
        page = clients[Role.CONSULTANT].get(url).get_data(as_text=True)
        shown.append(len(re.findall(r"Tekst nummer \d\d", page)))
    # Nothing until five authors wait, then all of theirs at once (one text per item each).
    assert shown == [0, 0, 0, 0, 10, 10, 10, 10, 10, 20, 20, 20]
    [round_] = fresh(Round, [rid])
    for name, value in closed_times().items():
        setattr(round_, name, value)
    Session.commit()
    page = clients[Role.CONSULTANT].get(url).get_data(as_text=True)
    assert len(re.findall(r"Tekst nummer \d\d", page)) == 24  # all, once the round has closed


def test_pages_wait_for_the_job_that_fixes_a_closed_rounds_figures(staff):
    dialogue_id, clients = staff
    dialogue = Session.get(Dialogue, dialogue_id)
    round_ = make_item_round(dialogue, RoundKind.CONSULTATION)
    for member in participants(dialogue, 12, department="IT")[:6]:
        rate(round_, member, "4")
    for name, value in closed_times().items():
        setattr(round_, name, value)
    now = utcnow()
    Session.add(  # the job is running (on another server, say): no page computes the figures
        Job(
            id="f" * 32,
            kind=FINAL_KIND,
            key=str(round_.id),
            active_key=f"{FINAL_KIND}:{round_.id}",
            state=JobState.RUNNING,
            created_at=now,
            started_at=now,
            updated_at=now,
        )
    )
    slug, rid = dialogue.slug, round_.id
    Session.commit()
    results = clients[Role.MANAGEMENT].get(f"/d/{slug}/rounds/{rid}/results/")
    overview = clients[Role.MANAGEMENT].get(f"/d/{slug}/staff/rounds/{rid}/")
    assert "Its results are being computed" in results.get_data(as_text=True)
    assert "By group" not in results.get_data(as_text=True)
    assert "Its figures are being computed" in overview.get_data(as_text=True)
    assert Session.scalar(select(func.count()).select_from(RoundResultsCache)) == 0


def test_a_threshold_changed_after_the_close_hides_and_never_recomputes(staff):
    dialogue_id, clients = staff
    dialogue = Session.get(Dialogue, dialogue_id)
    round_ = make_item_round(dialogue, RoundKind.CONSULTATION)
    for member in participants(dialogue, 14, department="Borgerservice")[:7]:
        rate(round_, member, "2")
    for member in participants(dialogue, 20, department="Jobcenter")[:12]:
        rate(round_, member, "4")
    for name, value in closed_times().items():
        setattr(round_, name, value)
    slug, rid = dialogue.slug, round_.id
    Session.commit()
    url = f"/d/{slug}/rounds/{rid}/results/"
    before = VOLATILE.sub("", clients[Role.MANAGEMENT].get(url).get_data(as_text=True))
    assert "By group" in before

    def threshold(k: int) -> str:
        Session.get(Dialogue, dialogue_id).min_group_size = k
        Session.commit()
        return VOLATILE.sub("", clients[Role.MANAGEMENT].get(url).get_data(as_text=True))

    raised = threshold(8)  # Borgerservice (7) falls below it: no breakdown at all now
    assert "By group" not in raised
    assert "19 people answered" in raised
    assert threshold(5) == before  # back down: the figures first stored, not new ones


def test_the_job_fixes_the_figures_with_the_thread_runner_on_its_own_database(threaded_app):
    """In production a thread or worker runs the job, committing for real (SQLite's lock)."""
    app = threaded_app
    with app.app_context():
        dialogue = make_dialogue(language="en")
        round_ = make_item_round(dialogue, RoundKind.CONSULTATION)
        for member in participants(dialogue, 14, department="IT")[:8]:
            rate(round_, member, "4")
        for member in participants(dialogue, 14, department="HR")[:8]:
            rate(round_, member, "2")
        for name, value in closed_times().items():
            setattr(round_, name, value)
        management = make_member(dialogue, Role.MANAGEMENT)
        url = f"/d/{dialogue.slug}/rounds/{round_.id}/results/"
        email = management.person.email
        Session.commit()
        Session.remove()
    client = app.test_client()
    assert staff_login(client, email, STAFF_PASSWORD).status_code == 302
    deadline = time.monotonic() + 60
    while "By group" not in (page := client.get(url).get_data(as_text=True)):
        assert "Its results are being computed" in page
        assert time.monotonic() < deadline, "the job did not store the final figures"
        time.sleep(0.2)
    with app.app_context():
        variants = set(Session.scalars(select(RoundResultsCache.variant)))
        assert {"results:staff:final", "participation:final", "results:public"} <= variants
        Session.remove()
