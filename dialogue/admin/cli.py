"""Admin commands: ``create-dialogue``, ``add-staff``, ``import-participants``, ``tick``.

The commands speak English: they are for the operators who run the server. What they create
for users (round titles and prompts) is in the dialogue's language.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import click
from flask.cli import with_appcontext
from flask_babel import force_locale
from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from dialogue.admin import queries
from dialogue.admin.services import importing, sends
from dialogue.admin.services.participant_file import MAX_IMPORT_BYTES, ImportRefused
from dialogue.admin.services.setup import SetupRefused, add_staff, create_dialogue
from dialogue.auth.services.logins import issue_login_link
from dialogue.core import mail
from dialogue.core.clock import utcnow
from dialogue.core.db import Session
from dialogue.core.models import Dialogue, ReminderSchedule, Role
from dialogue.core.results_cache.final import finalise_closed
from dialogue.core.urls import external_url
from rounds.lifecycle.schedule import to_local

#: The admin's first link is for setting the dialogue up soon, not for keeping.
ADMIN_LINK_LIFETIME = dt.timedelta(days=1)


@click.command("create-dialogue")
@click.argument("slug")
@click.option("--title", required=True, help="The dialogue's title, as participants see it.")
@click.option("--admin-email", required=True, help="E-mail address of the dialogue's admin.")
@click.option(
    "--language",
    type=click.Choice(["da", "en"]),
    default="da",
    show_default=True,
    help="The dialogue's language (round texts, mails, the default of its pages).",
)
@click.option("--public", is_flag=True, help="Show the dialogue's public page (/p/SLUG/).")
@click.option(
    "--start",
    type=click.DateTime(formats=["%Y-%m-%d"]),
    help="Day the first round opens at 08:00 (default: tomorrow).",
)
@with_appcontext
def create_dialogue_command(
    slug: str, title: str, admin_email: str, language: str, public: bool, start
):
    """Create the dialogue SLUG with five one-week rounds and print its admin's login link.

    The rounds follow the reference process (challenges, priorities, culture, consultation,
    action), one week each from 08:00 on the start day. The link logs the admin in once, within
    a day; the admin then imports participants and adjusts the rounds in the browser.
    """
    try:
        admin = create_dialogue(
            slug=slug,
            title=title,
            admin_email=admin_email,
            language=language,
            public=public,
            start=start.date() if start else None,
        )
        token = issue_login_link(admin, ADMIN_LINK_LIFETIME)
    except SetupRefused as exc:
        raise click.ClickException(str(exc)) from exc
    Session.commit()
    dialogue = admin.dialogue
    click.echo(f"created the dialogue {dialogue.slug!r} with {len(dialogue.rounds)} rounds:")
    for round_ in dialogue.rounds:
        opens = to_local(round_.opens_at, dialogue.timezone)
        closes = to_local(round_.closes_at, dialogue.timezone)
        click.echo(
            f"  {round_.position}. {round_.kind.value:<15} {opens:%Y-%m-%d %H:%M} to "
            f"{closes:%Y-%m-%d %H:%M}  {round_.title}"
        )
    click.echo(
        f"admin login link (one use, valid for a day): {external_url('auth.link', token=token)}"
    )


#: Roles ``add-staff`` gives: the people who run a dialogue besides its first admin.
STAFF_ROLES = {role.value: role for role in (Role.CONSULTANT, Role.MANAGEMENT, Role.ADMIN)}


@click.command("add-staff")
@click.argument("slug")
@click.argument("email")
@click.option(
    "--role",
    type=click.Choice(sorted(STAFF_ROLES)),
    required=True,
    help="consultant (themes), management (values) or admin (participants and rounds).",
)
@click.option("--name", default="", help="The person's name, shown to other staff.")
@with_appcontext
def add_staff_command(slug: str, email: str, role: str, name: str):
    """Make EMAIL the consultant, management or an admin of the dialogue SLUG.

    Prints a login link (one use, valid for a day). Run it again for a fresh link.
    """
    try:
        membership = add_staff(slug=slug, email=email, role=STAFF_ROLES[role], name=name)
        token = issue_login_link(membership, ADMIN_LINK_LIFETIME)
    except SetupRefused as exc:
        raise click.ClickException(str(exc)) from exc
    Session.commit()
    click.echo(
        f"{membership.person.email} is {role} of {slug!r}; login link (one use, valid for a "
        f"day): {external_url('auth.link', token=token)}"
    )


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
            if file.stat().st_size > MAX_IMPORT_BYTES:
                raise ImportRefused(
                    _(
                        "The file is larger than %(size)s MB. Split it into smaller files.",
                        size=MAX_IMPORT_BYTES // (1024 * 1024),
                    )
                )
            result = importing.import_participants(
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


@click.command("tick")
@with_appcontext
def tick_command():
    """Send the scheduled reminders that are due, each once; run it every few minutes.

    Then compute the results of rounds that have closed since (and of any closed round whose
    results are not stored), so that their first readers need not wait for a job.

    Each reminder is logged in the same transaction as its links, before its mails leave: a
    second tick, at the same time or after a restart, finds it sent and sends nothing. A mail
    server failing half-way is reported (exit status 1); the admin can send again by hand.
    """
    failed = 0
    for schedule_id in [schedule.id for schedule in queries.due_schedules(utcnow())]:
        schedule = Session.get(ReminderSchedule, schedule_id)
        round_ = schedule.round
        slug = round_.dialogue.slug
        try:
            mails = sends.prepare_reminders(round_, None, schedule=schedule)
            Session.commit()
        except (IntegrityError, sends.RoundNotOpen):
            # Another tick sent it meanwhile, or the round closed since it was found due.
            Session.rollback()
            continue
        try:
            delivery = mail.send_batch(mails)
        except mail.MailError as exc:
            failed += 1
            click.echo(
                f"dialogue tick: {slug}, round {round_.position}: the mail server failed after "
                f"{exc.sent} of {len(mails)} reminders",
                err=True,
            )
            continue
        click.echo(
            f"{slug}, round {round_.position}: reminder sent to {delivery.sent} participants"
            + (f" ({delivery.refused} refused)" if delivery.refused else "")
        )
    Session.commit()  # on SQLite the reminders' transaction holds the lock the results need
    finalise_closed()
    if failed:
        raise SystemExit(1)
