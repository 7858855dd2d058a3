"""``dialogue themes`` and ``dialogue analyse``: files and rounds in, themes out, clear failures."""

import csv
import json

import pytest
from click.testing import CliRunner
from openpyxl import Workbook
from sqlalchemy import select

from dialogue.core.db import Session
from dialogue.core.models import Theme
from dialogue.workbench.cli import themes as cli
from dialogue.workbench.cli.themes import analyse_command, themes_command
from tests.dialogue.workbench.corpus import STAFF_TEXTS, make_analysed_world

TEXTS = [*STAFF_TEXTS[:12], "", *STAFF_TEXTS[12:25], "   ", *STAFF_TEXTS[25:], "12345"]


def run_themes(*args):
    return CliRunner().invoke(themes_command, [str(arg) for arg in args])


def write_csv(path, rows, *, delimiter=",", encoding="utf-8"):
    with open(path, "w", newline="", encoding=encoding) as handle:
        csv.writer(handle, delimiter=delimiter).writerows(rows)
    return path


def check_report(report, n_rows):
    """Every row exactly once in a theme's members, in unassigned, or in skipped."""
    placed = [row for theme in report["themes"] for row in theme["members"]]
    placed += report["unassigned"] + report["skipped"]
    assert sorted(placed) == list(range(n_rows))
    for theme in report["themes"]:
        assert set(theme) == {"id", "label", "top_terms", "size", "members", "representatives"}
        assert theme["size"] == len(theme["members"])
        assert set(theme["representatives"]) <= set(theme["members"])


@pytest.mark.parametrize(
    ("delimiter", "encoding"), [(",", "utf-8"), (";", "cp1252"), ("\t", "utf-16")]
)
def test_csv_of_any_delimiter_and_encoding_gives_the_documented_json(tmp_path, delimiter, encoding):
    rows = [["id", "Svar", "afdeling"]] + [[n, t, "A; B"] for n, t in enumerate(TEXTS)]
    source = write_csv(tmp_path / "svar.csv", rows, delimiter=delimiter, encoding=encoding)
    out = tmp_path / "themes.json"

    result = run_themes(
        source, "--text-column", "svar", "--seed", 1, "--method", "tfidf", "--out", out
    )

    assert result.exit_code == 0, result.output
    report = json.loads(out.read_text(encoding="utf-8"))
    assert set(report) == {"parameters", "themes", "unassigned", "skipped"}
    check_report(report, len(TEXTS))
    assert report["skipped"] == [12, 26]
    assert report["parameters"]["random_state"] == 1
    assert report["parameters"]["text_column"] == "svar"
    assert len(report["themes"]) == 3
    assert "skipped 2 empty cells (row indices 12, 26)" in result.output


def test_single_column_csv_whose_texts_hold_commas(tmp_path):
    source = write_csv(tmp_path / "one.csv", [["tekst"]] + [[text] for text in STAFF_TEXTS])
    out = tmp_path / "out.json"
    result = run_themes(source, "--text-column", "tekst", "--themes", 3, "--out", out)
    assert result.exit_code == 0, result.output
    check_report(json.loads(out.read_text(encoding="utf-8")), len(STAFF_TEXTS))


def test_xlsx_with_numbers_and_empty_cells(tmp_path):
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(["Nr", "Text"])
    for number, text in enumerate(TEXTS):
        sheet.append([number, text or None])
    sheet.append([None, None])  # formatted but empty rows at the end are not rows
    workbook.save(tmp_path / "svar.xlsx")
    out = tmp_path / "out.json"

    result = run_themes(
        tmp_path / "svar.xlsx", "--text-column", "Text", "--method", "tfidf", "--out", out
    )

    assert result.exit_code == 0, result.output
    report = json.loads(out.read_text(encoding="utf-8"))
    check_report(report, len(TEXTS))
    assert len(TEXTS) - 1 in report["unassigned"]  # "12345": content, but no words to group by


def test_progress_bar_on_large_input(tmp_path, monkeypatch):
    monkeypatch.setattr(cli, "LARGE_INPUT", 10)
    source = write_csv(tmp_path / "svar.csv", [["t"]] + [[text] for text in STAFF_TEXTS])
    result = CliRunner().invoke(
        themes_command,
        [str(source), "--text-column", "t", "--out", str(tmp_path / "o.json")],
    )
    assert result.exit_code == 0
    assert "vectorise" in result.stderr or "duplicates" in result.stderr


@pytest.mark.parametrize(
    ("content", "name", "message"),
    [
        (
            b"id,svar\n1,tekst\n",
            "a.csv",
            "There is no column \u201ctekst\u201d. The columns are: id, svar.",
        ),
        (b"", "a.csv", "The file is empty."),
        (b"tekst\n", "a.csv", "no rows below"),
        (b"tekst\n\n  \n", "a.csv", "no rows below"),
        (b"id,tekst\n1,\n2,  \n3\n", "a.csv", "none of the texts has any content"),
        (b"PK\x03\x04broken zip", "a.xlsx", "The Excel file could not be read."),
        (b"not a workbook at all", "a.xlsx", "The Excel file could not be read."),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1old", "a.xls", "Old Excel files (.xls)"),
    ],
    ids=[
        "no column",
        "empty",
        "header only",
        "blank rows",
        "empty cells",
        "broken xlsx",
        "not xlsx",
        "xls",
    ],
)
def test_unusable_input_gives_one_clear_line_and_status_1(tmp_path, content, name, message):
    source = tmp_path / name
    source.write_bytes(content)
    out = tmp_path / "out.json"
    result = run_themes(source, "--text-column", "tekst", "--out", out)
    assert result.exit_code == 1
    assert message in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
    assert not out.exists()


def test_analyse_command_runs_a_round_and_commits(app, db_session):
    _, round_, _, _ = make_analysed_world()
    Session.commit()
    runner = app.test_cli_runner()
    result = runner.invoke(analyse_command, [str(round_.id), "--seed", "2", "--method", "tfidf"])
    assert result.exit_code == 0, result.output
    assert "3 themes" in result.output
    assert len(Session.scalars(select(Theme).where(Theme.round_id == round_.id)).all()) == 3
    missing = runner.invoke(analyse_command, ["999999"])
    assert missing.exit_code == 1
    assert "there is no round 999999" in missing.stderr


def test_without_the_semantic_extra_the_default_is_tfidf_and_no_fallback(
    tmp_path, without_semantic_extra
):
    source = write_csv(tmp_path / "svar.csv", [["t"]] + [[text] for text in STAFF_TEXTS])
    out = tmp_path / "out.json"
    result = run_themes(source, "--text-column", "t", "--out", out)
    assert result.exit_code == 0, result.output
    parameters = json.loads(out.read_text(encoding="utf-8"))["parameters"]
    assert (parameters["method"], parameters["fallback"]) == ("tfidf", None)
    assert "note:" not in result.stderr
