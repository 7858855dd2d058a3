"""The consultant's Word report: what it holds, that LibreOffice opens it, and no identity in it."""

from __future__ import annotations

import io
import shutil
import subprocess
from pathlib import Path

import pytest
from docx import Document

from dialogue.core.db import Session
from dialogue.core.models import Membership
from dialogue.synthesis.queries.report_docx import report_docx
from tests.conftest import csrf_from
from tests.dialogue.synthesis.views.test_reading import _final, _identities
from tests.factories import STAFF_PASSWORD
from tests.logins import staff_login

#: LibreOffice converting a short document takes seconds; a hung one must not hang the suite.
SOFFICE_TIMEOUT = 180


def docx_text(data: bytes) -> str:
    """Every paragraph and table cell of a .docx, as one text."""
    document = Document(io.BytesIO(data))
    parts = [paragraph.text for paragraph in document.paragraphs]
    for table in document.tables:
        parts += [cell.text for row in table.rows for cell in row.cells]
    return "\n".join(parts)


def convert_to_pdf(docx: Path) -> Path:
    """Convert with LibreOffice as a reader of the file would open it; the PDF's path."""
    soffice = shutil.which("soffice")
    assert soffice, "LibreOffice is missing: make test installs it (make office-deps)"
    profile = docx.parent / "lo-profile"
    result = subprocess.run(
        [
            soffice,
            f"-env:UserInstallation={profile.as_uri()}",
            "--headless",
            "--convert-to",
            "pdf",
            "--outdir",
            str(docx.parent),
            str(docx),
        ],
        capture_output=True,
        text=True,
        timeout=SOFFICE_TIMEOUT,
        check=False,
    )
    pdf = docx.with_suffix(".pdf")
    assert result.returncode == 0, result.stdout + result.stderr
    assert pdf.exists(), result.stdout + result.stderr
    return pdf


def test_the_report_holds_rounds_values_quotes_coverage_and_no_identity(case, request_context):
    case.dialogue.language = "en"
    _final(case)

    data = report_docx(case.dialogue)

    text = docx_text(data)
    assert case.dialogue.title in text
    assert f"1. {case.round_.title}" in text
    assert "Trivsel" in text  # the final value
    assert "Vi passer på hinanden." in text
    assert "Arbejdsmiljø" in text  # its theme, with its size: 10 texts from 9 people
    assert "10 contributions from 9 participants" in text
    assert "Stor udfordring" in text  # a quote "why this value?" allows
    assert "Critical factors to follow up" in text
    assert "Parkering" in text  # the theme reaching no value …
    assert "fewer contributors than can be shown" in text  # … whose 2 authors stay hidden
    assert "Lille udfordring" not in text  # no quote from a theme below the group size
    assert "Ensom udfordring" not in text  # no uncovered raw text
    for secret in _identities(case):
        assert secret not in text


def test_the_report_opens_in_libreoffice_with_its_charts(case, request_context, tmp_path):
    _final(case)
    path = tmp_path / "report.docx"
    path.write_bytes(report_docx(case.dialogue))

    pdf = convert_to_pdf(path)

    assert pdf.read_bytes().startswith(b"%PDF")
    assert pdf.stat().st_size > 1000


@pytest.mark.parametrize(
    ("language", "label"),
    [("da", "Hent rapporten som Word (.docx)"), ("en", "Download the report as Word (.docx)")],
)
def test_the_report_page_offers_the_word_file_and_records_its_download(
    case, client, language, label
):
    case.dialogue.language = language
    _final(case)
    email = Session.get(Membership, case.consultant.id).person.email
    staff_login(client, email, STAFF_PASSWORD)
    page = client.get(f"/d/{case.dialogue.slug}/report")
    html = page.get_data(as_text=True)
    assert 'action="/d/' + case.dialogue.slug + '/export/report.docx"' in html
    assert f">{label}</button>" in html

    response = client.post(
        f"/d/{case.dialogue.slug}/export/report.docx", data={"csrf_token": csrf_from(page)}
    )

    assert response.status_code == 200
    assert response.mimetype.endswith("wordprocessingml.document")
    assert "Trivsel" in docx_text(response.get_data())
    forged = client.post(f"/d/{case.dialogue.slug}/export/report.docx", data={})
    assert forged.status_code == 400


@pytest.mark.parametrize("language", ["da", "en"])
def test_the_report_speaks_the_dialogues_language(case, request_context, language):
    case.dialogue.language = language
    text = docx_text(report_docx(case.dialogue))
    heading = {"da": "Runder og resultater", "en": "Rounds and results"}[language]
    assert heading in text


def test_the_report_says_where_a_value_and_its_theme_lost_sources(case, request_context):
    case.dialogue.language = "en"
    value = _final(case)
    value.withdrawn_sources = 2
    case.themes["big"].withdrawn_sources = 1
    Session.flush()

    text = docx_text(report_docx(case.dialogue))

    assert "2 texts that this was built on were later withdrawn by their authors." in text
    assert "1 text placed here was later withdrawn by its author." in text
