"""The admin's participants page: who may see it, counts, import by upload, the list."""

from __future__ import annotations

import io
import re

import pytest
from sqlalchemy import func, select

from dialogue.admin.queries import page_starts, participant_list
from dialogue.core.db import Session
from dialogue.core.models import AuditEvent, Membership, Role
from tests.conftest import csrf_from
from tests.factories import STAFF_PASSWORD, make_dialogue, make_member, make_round
from tests.logins import staff_login


def log_in_admin(client, dialogue=None, **dialogue_values):
    """A dialogue (English unless told otherwise), its admin, logged in.

    Build rounds and members first: a request detaches what the test created before it.
    """
    dialogue_values.setdefault("language", "en")
    dialogue = dialogue or make_dialogue(**dialogue_values)
    membership = make_member(dialogue, Role.ADMIN)
    assert staff_login(client, membership.person.email, STAFF_PASSWORD).status_code == 302
    return dialogue, membership


def page_url(dialogue) -> str:
    return f"/d/{dialogue.slug}/admin/participants"


def upload(client, dialogue, data: bytes, filename: str, csrf: str | None = None):
    csrf = csrf or csrf_from(client.get(page_url(dialogue)))
    return client.post(
        f"/d/{dialogue.slug}/admin/participants/import",
        data={"csrf_token": csrf, "file": (io.BytesIO(data), filename)},
        content_type="multipart/form-data",
        # An error before the view runs cannot know the dialogue's language: say ours.
        headers={"Accept-Language": "en"},
    )


def participant_count(dialogue) -> int:
    return Session.scalar(
        select(func.count()).where(
            Membership.dialogue_id == dialogue.id, Membership.role == Role.PARTICIPANT
        )
    )


def test_only_the_dialogues_admin_sees_the_page(client):
    dialogue, _ = log_in_admin(client)
    assert client.get(page_url(dialogue)).status_code == 200
    assert client.get(page_url(make_dialogue())).status_code == 404
    assert client.get("/d/no-such-dialogue/admin/participants").status_code == 404


@pytest.mark.parametrize("role", [Role.CONSULTANT, Role.MANAGEMENT])
def test_other_staff_of_the_dialogue_are_refused(client, role):
    dialogue = make_dialogue(language="en")
    member = make_member(dialogue, role)
    staff_login(client, member.person.email, STAFF_PASSWORD)
    response = client.get(page_url(dialogue))
    assert response.status_code == 403
    assert "You do not have access to this page." in response.get_data(as_text=True)
    refused = upload(client, dialogue, b"email,name\na@example.org,A\n", "a.csv", "x")
    assert refused.status_code in (400, 403)
    assert participant_count(dialogue) == 0


def test_visitors_are_sent_to_the_login(client):
    response = client.get(page_url(make_dialogue()))
    assert response.status_code == 302
    assert "/login" in response.headers["Location"]


def test_counts_by_group_hide_small_groups(client):
    dialogue, _ = log_in_admin(client, min_group_size=5)
    for department, size in (("HR", 6), ("Økonomi", 7), ("IT", 2)):
        for _ in range(size):
            make_member(dialogue, department=department, role_group="Medarbejder")

    page = client.get(page_url(dialogue)).get_data(as_text=True)

    by_department = page.split("By department", 1)[1].split("</table>", 1)[0]
    rows = dict(re.findall(r"<td>([^<]*)</td>\s*<td class=\"num\">([^<]*)</td>", by_department))
    # IT is below 5; HR is hidden too, or it could be worked out from the total: it is not
    # small itself, and the page does not say it is.
    assert rows == {"HR": "hidden to protect a small group", "IT": "fewer than 5", "Økonomi": "7"}
    assert '<td class="num">15</td>' in by_department
    assert "The dialogue has 15 participants." in page


def test_upload_imports_and_reports_counts(client):
    dialogue, _ = log_in_admin(client)
    data = "e-mail;navn;afdeling\nsøren@example.org;Søren Ærø;Løn\n".encode("cp1252")

    response = upload(client, dialogue, data, "deltagere.csv")

    assert response.status_code == 302
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Import done: 1 new, 0 updated, 0 unchanged." in page
    assert "Søren Ærø" in page
    assert participant_count(dialogue) == 1
    event = Session.scalar(select(AuditEvent).where(AuditEvent.dialogue_id == dialogue.id))
    assert event.action == "participants.imported"


def test_upload_with_problems_imports_nothing_and_lists_lines(client):
    dialogue, _ = log_in_admin(client)
    data = b"email,name\na@example.org,Anne\nbroken,Bo\nc@example.org,\n"

    response = upload(client, dialogue, data, "a.csv")

    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "Nothing was imported: the file has 2 problems." in page
    assert "Line 3: “broken” is not a valid e-mail address." in page
    assert "Line 4: The name is missing." in page
    assert participant_count(dialogue) == 0


@pytest.mark.parametrize(
    ("data", "filename", "message"),
    [
        (b"PK\x03\x04 not really", "a.xlsx", "The Excel file could not be read."),
        (b"", "a.csv", "The file is empty."),
        (bytes(range(256)) * 4, "photo.csv", "neither a CSV file nor an Excel file"),
    ],
)
def test_bad_uploads_get_one_clear_message(client, data, filename, message):
    dialogue, _ = log_in_admin(client)
    response = upload(client, dialogue, data, filename)
    assert response.status_code == 422
    assert message in response.get_data(as_text=True)
    assert participant_count(dialogue) == 0


def test_an_upload_without_a_file_asks_for_one(client):
    dialogue, _ = log_in_admin(client)
    csrf = csrf_from(client.get(page_url(dialogue)))
    response = client.post(
        f"/d/{dialogue.slug}/admin/participants/import",
        data={"csrf_token": csrf},
        content_type="multipart/form-data",
    )
    assert response.status_code == 422
    assert "Choose a file to import." in response.get_data(as_text=True)


def test_an_upload_without_a_valid_csrf_token_changes_nothing(client):
    dialogue, _ = log_in_admin(client)
    response = upload(client, dialogue, b"email,name\na@example.org,Anne\n", "a.csv", "forged")
    assert response.status_code == 400
    assert participant_count(dialogue) == 0


def test_a_large_list_may_exceed_the_general_request_limit(client):
    dialogue, _ = log_in_admin(client)
    rows = "".join(
        f"medarbejder{n}@kommune.example;Person {n};Afdeling {n % 9}\n" for n in range(8000)
    )
    data = f"email;name;department\n{rows}".encode()
    assert len(data) > 256 * 1024

    response = upload(client, dialogue, data, "big.csv")

    assert response.status_code == 302
    assert participant_count(dialogue) == 8000


def test_a_file_over_the_import_limit_is_refused_with_the_limit(client, monkeypatch):
    # A smaller limit keeps the test fast; 20 MB works the same way.
    monkeypatch.setattr("dialogue.admin.views.blueprint.MAX_IMPORT_BYTES", 200 * 1024)
    dialogue, _ = log_in_admin(client)
    response = upload(client, dialogue, b"a" * (300 * 1024), "huge.csv")
    assert response.status_code == 413
    assert "The file is larger than" in response.get_data(as_text=True)
    assert participant_count(dialogue) == 0


def test_the_list_is_paginated_and_shows_identity_but_no_participation(client):
    dialogue, _ = log_in_admin(client)
    for _ in range(55):
        make_member(dialogue, department="Skole", role_group="Lærer")

    first = client.get(page_url(dialogue)).get_data(as_text=True)
    second = client.get(page_url(dialogue) + "?page=2").get_data(as_text=True)

    table = first.split("Participant list", 1)[1]
    assert table.count("@example.org</td>") == 50
    assert second.split("Participant list", 1)[1].count("@example.org</td>") == 5
    assert "Page 1 of 2" in first
    header = re.search(r"<thead>(.*?)</thead>", table, re.S).group(1)
    assert re.findall(r"<th scope=\"col\">([^<]*)</th>", header) == [
        "Name",
        "E-mail address",
        "Department",
        "Role group",
    ]
    assert client.get(page_url(dialogue) + "?page=abc").status_code == 200
    assert client.get(page_url(dialogue) + "?page=99").status_code == 200


def test_staff_are_not_in_the_participant_list(client):
    dialogue, admin_membership = log_in_admin(client)
    make_member(dialogue)
    page = client.get(page_url(dialogue)).get_data(as_text=True)
    assert admin_membership.person.email not in page.split("Participant list", 1)[1]
    assert "The dialogue has 1 participant." in page


def test_next_and_previous_links_page_by_key_through_the_same_order(client):
    dialogue, _ = log_in_admin(client)
    for _ in range(120):
        make_member(dialogue)
    emails = re.compile(r"<td>(person\d+@example\.org)</td>")
    link = re.compile(r'<a href="([^"]+)" rel="(next|prev)">')

    def visit(url):
        page = client.get(url.replace("&amp;", "&")).get_data(as_text=True)
        return emails.findall(page), {rel: href for href, rel in link.findall(page)}

    by_offset = [visit(page_url(dialogue) + f"?page={n}")[0] for n in (1, 2, 3)]
    walked, links = visit(page_url(dialogue))
    forward = [walked]
    while "next" in links:
        assert "after=" in links["next"]
        walked, links = visit(links["next"])
        forward.append(walked)
    backward = [walked]
    while "prev" in links:
        assert "before=" in links["prev"]
        walked, links = visit(links["prev"])
        backward.append(walked)

    assert forward == by_offset == backward[::-1]
    assert [len(page) for page in forward] == [50, 50, 20]
    everyone = [email for page in forward for email in page]
    assert len(set(everyone)) == 120


def test_a_typed_page_number_starts_where_the_offset_would(app_context):
    dialogue = make_dialogue()
    make_round(dialogue)
    members = [make_member(dialogue) for _ in range(8)]
    by_offset = [participant_list(dialogue, n, 3) for n in (1, 2, 3)]  # no stored starts yet
    starts = page_starts(dialogue, 3)
    assert starts == tuple(rows[0][0] for rows in by_offset)  # person ids, never a name
    assert [participant_list(dialogue, n, 3) for n in (1, 2, 3)] == by_offset
    assert participant_list(dialogue, 4, 3) == []

    Session.delete(members[0])  # membership changes: the starts are found again
    Session.flush()
    after = [participant_list(dialogue, n, 3) for n in (1, 2, 3)]
    flat = [row for rows in by_offset for row in rows if row[0] != members[0].person_id]
    assert [row for rows in after for row in rows] == flat
