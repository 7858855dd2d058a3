"""Files too large to read safely are refused before they are read (TARGETS S9, issue #16).

A .xlsx of 131 KB with 200,000 rows took 29 s and 125 MB to import. Both readers of tables
(``dialogue.core.tabular`` and the participant import) now refuse it, and its smaller cousins, at
once: a clear message, nothing imported, 422 on the page, exit status 1 and one line from the
commands.
"""

from __future__ import annotations

import pytest
from flask_babel import force_locale

from dialogue.admin import queries
from dialogue.admin.cli import import_participants_command
from dialogue.admin.services.participant_file import ImportRefused, parse_participants
from dialogue.core.tabular.reading import MAX_ROWS, TableError, read_table
from dialogue.workbench.cli.themes import themes_command
from tests import xlsx_bombs
from tests.dialogue.admin.views.test_participants import log_in_admin, participant_count, upload
from tests.factories import make_dialogue

BOMBS = {
    "200,000 rows": (xlsx_bombs.many_rows, "more than 100000 rows"),
    "a row numbered 1,000,000": (xlsx_bombs.far_row, "more than 100000 rows"),
    "a cell in column XFD": (xlsx_bombs.far_column, "more than 100 columns"),
    "80 MB unpacked": (xlsx_bombs.large_unpacked, "too large once unpacked"),
}


@pytest.fixture(scope="module", params=list(BOMBS), ids=list(BOMBS))
def bomb(request):
    build, message = BOMBS[request.param]
    return build(), message


def test_the_bombs_are_small_on_disk(bomb):
    data, _ = bomb
    assert len(data) < 250 * 1024  # small enough for the page to import it in the request


def test_the_table_reader_refuses_them(app_context, bomb):
    data, message = bomb
    with pytest.raises(TableError) as refused, force_locale("en"):
        read_table(data, "tekster.xlsx")
    with force_locale("en"):
        assert message in str(refused.value.message)


def test_the_participant_reader_refuses_them(app_context, bomb):
    data, message = bomb
    with pytest.raises(ImportRefused) as refused, force_locale("en"):
        parse_participants(data, "deltagere.xlsx")
    with force_locale("en"):
        assert message in str(refused.value.message)


def test_a_workbook_at_the_limits_is_still_read(app_context):
    row = f"<row>{xlsx_bombs.cell('a@example.org')}{xlsx_bombs.cell('Anne')}</row>"
    data = xlsx_bombs.workbook(xlsx_bombs.HEADER + row * 1_000)
    table = read_table(data, "liste.xlsx")
    assert table.header == ["email", "name"]
    assert len(table.rows) == 1_000


def test_csv_files_are_held_to_the_same_row_limit(app_context):
    data = b"email;name\n" + b"a@example.org;Anne\n" * (MAX_ROWS + 1)
    with pytest.raises(TableError), force_locale("en"):
        read_table(data, "tekster.csv")
    with pytest.raises(ImportRefused) as refused:
        parse_participants(data, "deltagere.csv")
    with force_locale("en"):
        assert "more than 100000 rows" in str(refused.value.message)


def test_csv_at_the_row_limit_is_read(app_context):
    data = b"email;name\n" + b"a@example.org;Anne\n" * MAX_ROWS
    assert len(read_table(data, "tekster.csv").rows) == MAX_ROWS


def test_the_import_page_answers_422_and_imports_nothing(client, bomb):
    data, message = bomb
    dialogue, _ = log_in_admin(client)
    before = participant_count(dialogue)
    response = upload(client, dialogue, data, "deltagere.xlsx")
    assert response.status_code == 422
    assert message in response.get_data(as_text=True)
    assert participant_count(dialogue) == before


def test_the_import_page_speaks_danish(client):
    dialogue, _ = log_in_admin(client, language="da")
    response = upload(client, dialogue, xlsx_bombs.many_rows(), "deltagere.xlsx")
    assert response.status_code == 422
    assert "flere end 100000 rækker" in response.get_data(as_text=True)


def test_the_import_command_fails_with_one_line(app, app_context, tmp_path):
    dialogue = make_dialogue(language="en")
    path = tmp_path / "deltagere.xlsx"
    path.write_bytes(xlsx_bombs.many_rows())
    if "import-participants" not in app.cli.commands:
        app.cli.add_command(import_participants_command)
    result = app.test_cli_runner().invoke(args=["import-participants", dialogue.slug, str(path)])
    assert result.exit_code == 1
    assert result.output.strip().splitlines() == [
        "The file has more than 100000 rows. Split it into smaller files."
    ]
    assert queries.participant_count(dialogue) == 0


def test_the_themes_command_fails_with_one_line(app, tmp_path):
    path = tmp_path / "tekster.xlsx"
    path.write_bytes(xlsx_bombs.far_row())
    result = app.test_cli_runner().invoke(
        themes_command,
        [str(path), "--text-column", "email", "--out", str(tmp_path / "out.json")],
    )
    assert result.exit_code == 1
    assert len(result.output.strip().splitlines()) == 1
    assert "100000" in result.output
