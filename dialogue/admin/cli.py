"""``dialogue import-participants``: the admin page's import, for files too large to upload."""

from __future__ import annotations

from pathlib import Path

import click
from flask.cli import with_appcontext
from flask_babel import force_locale
from flask_babel import gettext as _
from sqlalchemy import select

from dialogue.admin import services
from dialogue.admin.importing import ImportRefused
from dialogue.db import Session
from dialogue.models import Dialogue


@click.command("import-participants")
@click.argument("slug")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option(
    "--language",
    type=click.Choice(["da", "en"]),
    help="Language of the messages (default: the dialogue's).",
)
@with_appcontext
def import_participants_command(slug: str, file: Path, language: str | None):
    """Import the participants in FILE (CSV or .xlsx) into the dialogue SLUG.

    Prints how many were created, updated and unchanged, or every problem with its line number;
    with any problem nothing is imported and the exit status is 1.
    """
    dialogue = Session.scalar(select(Dialogue).where(Dialogue.slug == slug))
    if dialogue is None:
        raise click.ClickException(f"no dialogue with the slug {slug!r}")
    with force_locale(language or dialogue.language):
        try:
            result = services.import_participants(
                dialogue, file.read_bytes(), file.name, actor_id=None
            )
        except ImportRefused as exc:
            click.echo(str(exc.message), err=True)
            raise SystemExit(1) from exc
        if result.problems:
            for problem in result.problems:
                click.echo(
                    _("Line %(line)s: %(problem)s", line=problem.line, problem=problem.message),
                    err=True,
                )
            click.echo(_("Nothing was imported."), err=True)
            raise SystemExit(1)
        Session.commit()
        click.echo(
            _(
                "Import done: %(created)s new, %(updated)s updated, %(unchanged)s unchanged.",
                created=result.created,
                updated=result.updated,
                unchanged=result.unchanged,
            )
        )
