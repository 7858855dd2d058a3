"""``dialogue export`` (an anonymous export) and ``dialogue report`` (the Word report).

``dialogue export DIALOGUE_SLUG --format json|csv|xlsx --out PATH`` writes the same files as the
consultant's and management's download buttons. Without ``--with-text`` the export carries no
contribution text (management's variant, TARGETS A6); CSV writes its three tables into the
directory PATH. ``dialogue report DIALOGUE_SLUG --out PATH.docx`` writes the report page's Word
file. Each is recorded as an audit event, and the command commits once at the end.
"""

from __future__ import annotations

import sys
from pathlib import Path

import click
from flask.cli import with_appcontext
from flask_babel import force_locale
from sqlalchemy import select

from dialogue.core.audit import record_event
from dialogue.core.db import Session
from dialogue.core.models import Dialogue
from dialogue.synthesis.queries import export_files, exports
from dialogue.synthesis.queries.report_docx import report_docx


@click.command("export")
@click.argument("slug", metavar="DIALOGUE_SLUG")
@click.option(
    "--format", "fmt", type=click.Choice(export_files.FORMATS), default="json", show_default=True
)
@click.option(
    "--out",
    "out",
    required=True,
    type=click.Path(path_type=Path),
    help="File to write (a directory for csv).",
)
@click.option("--with-text", is_flag=True, help="Include contribution texts (consultant use).")
@with_appcontext
def export_command(slug: str, fmt: str, out: Path, with_text: bool):
    """Write an anonymous export of the dialogue DIALOGUE_SLUG."""
    dialogue = Session.scalar(select(Dialogue).where(Dialogue.slug == slug))
    if dialogue is None:
        click.echo(f"dialogue export: there is no dialogue {slug!r}", err=True)
        sys.exit(1)
    # A command has no visitor whose language to use: the export speaks the dialogue's.
    with force_locale(dialogue.language):
        data = exports.build_export(dialogue, raw_text=with_text)
        try:
            _write(data, fmt, out)
        except OSError as exc:
            click.echo(f"dialogue export: cannot write {out}: {exc.strerror}", err=True)
            sys.exit(1)
    # The export stored results it computed in transactions of their own; on SQLite the read
    # snapshot this session still holds could then not write (SQLITE_BUSY_SNAPSHOT): end it.
    Session.commit()
    record_event(None, "export", dialogue, subject=f"cli:{fmt}", raw_text=with_text)
    Session.commit()
    click.echo(f"export written to {out}")


def _write(data: dict, fmt: str, out: Path) -> None:
    if fmt == "json":
        out.write_bytes(export_files.to_json(data))
    elif fmt == "xlsx":
        out.write_bytes(export_files.to_xlsx(data))
    else:
        out.mkdir(parents=True, exist_ok=True)
        for name, rows in export_files.tables(data).items():
            (out / f"{name}.csv").write_bytes(export_files.to_csv(rows))


@click.command("report")
@click.argument("slug", metavar="DIALOGUE_SLUG")
@click.option(
    "--out",
    "out",
    required=True,
    type=click.Path(dir_okay=False, path_type=Path),
    help="The .docx file to write.",
)
@with_appcontext
def report_command(slug: str, out: Path):
    """Write the consultant's report of DIALOGUE_SLUG as a Word file (.docx).

    The same contents as the report page (rounds, results with charts, themes, final values with
    their trace), plus participation and coverage; no names, e-mail addresses or times.
    """
    dialogue = Session.scalar(select(Dialogue).where(Dialogue.slug == slug))
    if dialogue is None:
        click.echo(f"dialogue report: there is no dialogue {slug!r}", err=True)
        sys.exit(1)
    data = report_docx(dialogue)
    try:
        out.write_bytes(data)
    except OSError as exc:
        click.echo(f"dialogue report: cannot write {out}: {exc.strerror}", err=True)
        sys.exit(1)
    # As for the export: results computed meanwhile were stored apart; end this read snapshot.
    Session.commit()
    record_event(None, "export", dialogue, subject="cli:report.docx", raw_text=False)
    Session.commit()
    click.echo(f"report written to {out}")
