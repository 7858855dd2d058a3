"""Importing participants from CSV and Excel files: formats, updates, problems, the CLI."""

from __future__ import annotations

import codecs
import io

import pytest
from flask_babel import force_locale
from openpyxl import Workbook
from sqlalchemy import event, func, select

from dialogue.admin.cli import import_participants_command
from dialogue.admin.services import importing
from dialogue.admin.services.participant_file import ImportRefused, parse_participants
from dialogue.core.db import Session
from dialogue.core.models import AuditEvent, Membership, Person, Role
from tests.factories import make_dialogue, make_member


def xlsx(rows) -> bytes:
    workbook = Workbook()
    for row in rows:
        workbook.active.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def participants_of(dialogue):
    return {
        person.email: (person.name, membership.department, membership.role_group)
        for membership, person in Session.execute(
            select(Membership, Person)
            .join(Person)
            .where(Membership.dialogue_id == dialogue.id, Membership.role == Role.PARTICIPANT)
        )
    }


def problems_in_english(result):
    with force_locale("en"):
        return [(problem.line, str(problem.message)) for problem in result.problems]


def test_semicolon_csv_with_danish_headers_is_imported(app_context):
    dialogue = make_dialogue()
    data = (
        b"E-mail;Navn;Afdeling;Stillingsgruppe\n"
        b"Mette@Example.org;Mette Hansen;Jobcenter;Leder\n"
        b"ole@example.org;Ole Jensen;Borgerservice;\n"
    )

    result = importing.import_participants(dialogue, data, "liste.csv", actor_id=None)

    assert (result.created, result.updated, result.unchanged, result.problems) == (2, 0, 0, [])
    assert participants_of(dialogue) == {
        "mette@example.org": ("Mette Hansen", "Jobcenter", "Leder"),
        "ole@example.org": ("Ole Jensen", "Borgerservice", None),
    }


def test_danish_excel_csv_in_cp1252_keeps_its_letters(app_context):
    dialogue = make_dialogue()
    data = "navn;e-mail;afdeling\nSøren Ærø;soren@example.org;Økonomi og Å-løb\n".encode("cp1252")

    importing.import_participants(dialogue, data, "eksport.csv", actor_id=None)

    assert participants_of(dialogue) == {
        "soren@example.org": ("Søren Ærø", "Økonomi og Å-løb", None)
    }


@pytest.mark.parametrize(
    ("encoding", "delimiter"),
    [("utf-8-sig", "\t"), ("utf-8", ","), ("utf-16", "\t")],
)
def test_english_headers_any_delimiter_and_encoding(app_context, encoding, delimiter):
    dialogue = make_dialogue()
    header = ["  E-Mail ", "Name", "DEPARTMENT", "Role Group", "Employee number"]
    rows = [header, ["åse@example.org", "Åse Ødegård", "Plan, Byg og Miljø", "Employee", "17"]]
    text = "\r\n".join(delimiter.join(f'"{cell}"' for cell in row) for row in rows)

    importing.import_participants(dialogue, text.encode(encoding), "people.csv", actor_id=None)

    assert participants_of(dialogue) == {
        "åse@example.org": ("Åse Ødegård", "Plan, Byg og Miljø", "Employee")
    }


def test_utf8_with_bom_is_not_mistaken_for_a_header_change(app_context):
    rows, problems = parse_participants(
        codecs.BOM_UTF8 + b"email,name\na@example.org,Anne\n", "x.csv"
    )
    assert problems == []
    assert [(row.line, row.email, row.name) for row in rows] == [(2, "a@example.org", "Anne")]


def test_xlsx_is_imported_with_row_numbers(app_context):
    dialogue = make_dialogue()
    data = xlsx(
        [
            ["Mail", "Navn", "Afdeling", "Rollegruppe"],
            ["kim@example.org", "Kim Lund", "Skole", 3],
            [None, None, None, None],
            ["not-an-address", "Lis Berg", "Skole", "Lærer"],
        ]
    )

    result = importing.import_participants(dialogue, data, "ansatte.xlsx", actor_id=None)

    assert problems_in_english(result) == [(4, "“not-an-address” is not a valid e-mail address.")]
    data = xlsx(
        [["Mail", "Navn", "Afdeling", "Rollegruppe"], ["kim@example.org", "Kim", "Skole", 3]]
    )
    importing.import_participants(dialogue, data, "ansatte.xlsx", actor_id=None)
    assert participants_of(dialogue) == {"kim@example.org": ("Kim", "Skole", "3")}


def test_reimport_updates_and_never_duplicates(app_context):
    dialogue = make_dialogue()
    first = (
        "email;name;department\na@example.org;Anne;HR\nb@example.org;Bo;IT\nc@example.org;Cai;IT\n"
    )
    importing.import_participants(dialogue, first.encode(), "a.csv", actor_id=None)
    second = (
        "email;name;department\n"
        "A@EXAMPLE.ORG;Anne Andersen;HR\n"  # renamed
        "b@example.org;Bo;Økonomi\n"  # moved
        "c@example.org;Cai;IT\n"  # unchanged
        "d@example.org;Dan;IT\n"  # new
    )

    result = importing.import_participants(dialogue, second.encode(), "a.csv", actor_id=None)

    assert (result.created, result.updated, result.unchanged) == (1, 2, 1)
    assert participants_of(dialogue) == {
        "a@example.org": ("Anne Andersen", "HR", None),
        "b@example.org": ("Bo", "Økonomi", None),
        "c@example.org": ("Cai", "IT", None),
        "d@example.org": ("Dan", "IT", None),
    }
    assert Session.scalar(select(func.count()).select_from(Person)) >= 4
    assert (
        Session.scalar(
            select(func.count()).where(Person.email.in_(["a@example.org", "A@EXAMPLE.ORG"]))
        )
        == 1
    )


def test_a_person_of_another_dialogue_joins_without_a_second_person(app_context):
    other = make_member(make_dialogue())
    dialogue = make_dialogue()
    data = f"email,name\n{other.person.email.upper()},New Name\n".encode()

    result = importing.import_participants(dialogue, data, "a.csv", actor_id=None)

    assert result.created == 1
    assert Session.scalar(select(func.count()).where(Person.id == other.person_id)) == 1
    assert len(Session.get(Person, other.person_id).memberships) == 2


def test_a_file_with_broken_rows_imports_nothing_and_lists_every_problem(app_context):
    dialogue = make_dialogue()
    data = (
        b"email;name;department\n"
        b"ok@example.org;Okay;HR\n"
        b"not an address;Bad Mail;HR\n"
        b"noname@example.org;;HR\n"
        b"\n"
        b"OK@example.org;Twice;HR\n"
        b";Nobody;HR\n"
    )

    result = importing.import_participants(dialogue, data, "a.csv", actor_id=None)

    assert problems_in_english(result) == [
        (3, "“not an address” is not a valid e-mail address."),
        (4, "The name is missing."),
        (6, "The e-mail address ok@example.org already appears on line 2."),
        (7, "The e-mail is missing."),
    ]
    assert participants_of(dialogue) == {}
    assert Session.scalar(select(func.count()).where(Person.email == "ok@example.org")) == 0


def test_a_missing_required_column_is_reported_on_line_one(app_context):
    result = importing.import_participants(
        make_dialogue(), b"navn,afdeling\nAnne,HR\n", "a.csv", actor_id=None
    )
    [(line, message)] = problems_in_english(result)
    assert line == 1
    assert message.startswith("The column “e-mail” is missing")


def test_a_staff_member_is_not_turned_into_a_participant(app_context):
    dialogue = make_dialogue()
    admin = make_member(dialogue, Role.ADMIN)
    data = f"email,name\nnew@example.org,New\n{admin.person.email},Admin As Participant\n"

    result = importing.import_participants(dialogue, data.encode(), "a.csv", actor_id=None)

    assert problems_in_english(result) == [
        (
            3,
            f"{admin.person.email} is administrator in this dialogue and cannot be imported "
            "as a participant.",
        )
    ]
    Session.expire_all()
    assert Session.get(Membership, admin.id).role is Role.ADMIN
    assert Session.get(Person, admin.person_id).name != "Admin As Participant"
    assert participants_of(dialogue) == {}


@pytest.mark.parametrize(
    ("data", "filename", "expected"),
    [
        (b"", "a.csv", "The file is empty."),
        (b"  \r\n", "a.csv", "The file is empty."),
        (b"email,name\n", "a.csv", "The file has a header but no participants."),
        (b"PK\x03\x04garbage that is no workbook", "a.xlsx", "The Excel file could not be read."),
        (b"not a zip at all", "people.xlsx", "The Excel file could not be read."),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00", "a.csv", "The file is neither"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(100), "a.xls", "Old Excel files (.xls)"),
        (b'email,name\n"a@example.org,Anne\x00\n', "a.csv", "The file is neither"),
    ],
)
def test_unreadable_files_are_refused_with_one_message(app_context, data, filename, expected):
    dialogue = make_dialogue()
    with pytest.raises(ImportRefused) as refused:
        importing.import_participants(dialogue, data, filename, actor_id=None)
    with force_locale("en"):
        assert str(refused.value.message).startswith(expected)
    assert participants_of(dialogue) == {}


def test_an_import_is_audited_with_counts_only(app_context):
    dialogue = make_dialogue()
    admin = make_member(dialogue, Role.ADMIN)
    data = b"email,name\nsecret.person@example.org,Secret Person\n"

    importing.import_participants(dialogue, data, "a.csv", actor_id=admin.person_id)

    event = Session.scalar(select(AuditEvent).where(AuditEvent.dialogue_id == dialogue.id))
    assert (event.actor_id, event.action) == (admin.person_id, "participants.imported")
    assert event.details == {"created": 1, "updated": 0, "unchanged": 0}
    assert "secret" not in repr(event.details) + event.subject


def test_a_large_file_takes_a_few_bulk_queries_not_one_per_row(app, app_context):
    dialogue = make_dialogue()
    rows = "\n".join(f"p{n}@example.org;Person {n};Dept {n % 7}" for n in range(3000))
    data = f"email;name;department\n{rows}\n".encode()
    importing.import_participants(dialogue, data, "big.csv", actor_id=None)
    statements = []
    connection = Session.connection()

    def count(*_args):
        statements.append(1)

    event.listen(connection, "before_cursor_execute", count)
    try:
        changed = rows.replace("Dept 3", "Dept 9") + "\nnew@example.org;New;Dept 1"
        result = importing.import_participants(
            dialogue, f"email;name;department\n{changed}\n".encode(), "big.csv", actor_id=None
        )
    finally:
        event.remove(connection, "before_cursor_execute", count)
    assert (result.created, result.updated, result.unchanged) == (1, 429, 2571)
    assert len(statements) < 40


class _Runner:
    def __init__(self, app):
        if "import-participants" not in app.cli.commands:
            app.cli.add_command(import_participants_command)
        self.runner = app.test_cli_runner()

    def __call__(self, *args):
        return self.runner.invoke(args=["import-participants", *args])


def test_cli_imports_a_file_and_prints_a_summary(app, app_context, tmp_path):
    dialogue = make_dialogue(language="en")
    path = tmp_path / "deltagere.csv"
    path.write_bytes(b"email;navn\na@example.org;Anne\nb@example.org;Bo\n")

    result = _Runner(app)(dialogue.slug, str(path))

    assert result.exit_code == 0, result.output
    assert "2 new, 0 updated, 0 unchanged" in result.output
    assert set(participants_of(dialogue)) == {"a@example.org", "b@example.org"}


def test_cli_lists_numbered_problems_and_fails(app, app_context, tmp_path):
    dialogue = make_dialogue(language="en")
    path = tmp_path / "deltagere.csv"
    path.write_bytes(b"email;navn\na@example.org;Anne\nbroken;Bo\n")

    result = _Runner(app)(dialogue.slug, str(path))

    assert result.exit_code == 1
    assert "Line 3: “broken” is not a valid e-mail address." in result.output
    assert "Nothing was imported." in result.output
    assert participants_of(dialogue) == {}


def test_cli_refuses_an_unknown_dialogue_and_an_unreadable_file(app, app_context, tmp_path):
    path = tmp_path / "x.xlsx"
    path.write_bytes(b"PK\x03\x04broken")
    assert _Runner(app)("no-such-dialogue", str(path)).exit_code != 0
    result = _Runner(app)(make_dialogue(language="en").slug, str(path))
    assert result.exit_code == 1
    assert "The Excel file could not be read." in result.output
