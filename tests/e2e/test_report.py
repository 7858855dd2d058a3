"""``dialogue report`` as the consultant's operator runs it: a Word file of the demo's report.

It must open in LibreOffice, carry a chart per round with numeric results, and name nobody.
"""

from __future__ import annotations

import sqlalchemy as sa
from docx import Document

from tests.dialogue.synthesis.queries.test_report_docx import convert_to_pdf, docx_text

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
    assert finals
    assert "Hvor den kommer fra" in text
    for email, name in people:
        assert email not in text
        assert not name or name not in text
    assert len(Document(str(out)).inline_shapes) >= 3  # the rounds with numbers have charts
    assert convert_to_pdf(out).read_bytes().startswith(b"%PDF")
