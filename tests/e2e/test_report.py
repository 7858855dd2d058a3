"""``dialogue report`` as the consultant's operator runs it: a Word file of the demo's report.

It must open in LibreOffice, carry a chart per round with numeric results, and name nobody.
"""

from __future__ import annotations

import sqlalchemy as sa
from docx import Document

from tests.synthesis.test_report_docx import convert_to_pdf, docx_text

SLUG = "vaerdier"


def test_the_report_command_writes_a_word_file_that_opens_and_names_nobody(writable_demo, tmp_path):
    out = tmp_path / "rapport.docx"

    result = writable_demo.run("report", SLUG, "--out", out)

    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == f"report written to {out}"
    text = docx_text(out.read_bytes())
    engine = sa.create_engine(writable_demo.database_url)
    with engine.connect() as connection:
        people = connection.execute(sa.text("SELECT email, name FROM people")).all()
        rounds = connection.scalars(sa.text("SELECT title FROM rounds")).all()
        finals = connection.scalars(
            sa.text("SELECT id FROM proposals WHERE status = 'final'")
        ).all()
    engine.dispose()
    # The demo is Danish: the report speaks its language.
    assert "Runder og resultater" in text
    assert all(title in text for title in rounds)
    assert finals and "Hvor den kommer fra" in text
    for email, name in people:
        assert email not in text
        assert not name or name not in text
    assert len(Document(str(out)).inline_shapes) >= 3  # the rounds with numbers have charts
    assert convert_to_pdf(out).read_bytes().startswith(b"%PDF")


def test_an_unknown_dialogue_and_an_unwritable_file_are_refused_in_one_line(demo, tmp_path):
    unknown = demo.site.run("report", "ingen", "--out", tmp_path / "r.docx")
    (tmp_path / "a-file").write_text("not a folder")
    unwritable = demo.site.run("report", SLUG, "--out", tmp_path / "a-file" / "r.docx")

    for result in (unknown, unwritable):
        assert result.returncode == 1
        assert "Traceback" not in result.stderr
        assert len(result.stderr.strip().splitlines()) == 1
    assert "there is no dialogue 'ingen'" in unknown.stderr
    assert "cannot write" in unwritable.stderr
