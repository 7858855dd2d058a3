"""``dialogue delete SLUG`` and ``dialogue purge``: deletion for the operator and for cron."""

from __future__ import annotations

import click
from flask.cli import with_appcontext
from sqlalchemy import select

from dialogue.core.db import Session
from dialogue.core.jobs.runner import JobActive
from dialogue.core.models import Dialogue
from dialogue.privacy import jobs
from dialogue.privacy.services import outside, retention


@click.command("delete")
@click.argument("slug")
@click.option("--yes", is_flag=True, help="Do not ask for confirmation.")
@with_appcontext
def delete_command(slug: str, yes: bool):
    """Delete the dialogue SLUG and everything of it for good, then print what went.

    People who belong to no other dialogue are deleted with it, with their login sessions and
    the mails about it in the outbox. Backups still hold it until they are deleted too.
    """
    dialogue = Session.scalar(select(Dialogue).where(Dialogue.slug == slug))
    if dialogue is None:
        raise click.ClickException(f"no dialogue {slug!r}")
    if not yes:
        click.confirm(
            f"Delete the dialogue {slug!r} ({dialogue.title}) and all its data for good?",
            abort=True,
        )
    removal = retention.delete_dialogue(dialogue)
    Session.commit()
    outside.forget_outside_database(removal)
    click.echo(f"Deleted the dialogue {slug}:")
    for line in removal.lines():
        click.echo(f"  {line}")


@click.command("purge")
@click.option("--queue", is_flag=True, help="Hand the purge to the background worker instead.")
@with_appcontext
def purge_command(queue: bool):
    """Purge every dialogue whose retention period has ended (run it daily from cron).

    A dialogue whose admin chose to keep the results keeps its published results and final
    values, anonymously; any other is deleted. Prints what each purge removed.
    """
    if queue:
        try:
            job_id = jobs.start_purge()
        except JobActive:
            raise click.ClickException("a purge is running already") from None
        click.echo(f"Purge queued as job {job_id}.")
        return
    removals = jobs.purge_due(Session.commit)
    if not removals:
        click.echo("No dialogue is due for purging.")
    for removal in removals:
        click.echo(f"Purged the dialogue {removal.slug}:")
        for line in removal.lines():
            click.echo(f"  {line}")
