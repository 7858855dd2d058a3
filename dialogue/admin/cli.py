"""Admin commands: ``create-dialogue``, ``add-staff``, ``import-participants``, ``tick``.

The commands speak English: they are for the operators who run the server. What they create
for users (round titles and prompts) is in the dialogue's language.
"""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import click
from flask.cli import with_appcontext
from flask_babel import force_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from dialogue.admin import queries
from dialogue.admin.services import importing, sends
from dialogue.admin.services.participant_file import MAX_IMPORT_BYTES, ImportRefused
from dialogue.auth.services import issue_login_link
from dialogue.core import mail
from dialogue.core.audit import record_event
from dialogue.core.clock import utcnow
from dialogue.core.db import Session
from dialogue.core.models import Dialogue, Membership, Person, ReminderSchedule, Role, RoundKind
from dialogue.core.results_cache import finalise_closed
from dialogue.core.urls import external_url
from rounds import lifecycle

#: A slug is part of every URL of the dialogue: short, lower case, readable.
SLUG_PATTERN = re.compile(r"^[a-z0-9](?:[a-z0-9-]{0,78}[a-z0-9])?$")
#: The admin's first link is for setting the dialogue up soon, not for keeping.
ADMIN_LINK_LIFETIME = dt.timedelta(days=1)

#: The five rounds of the reference process, each a week long, one after the other. Titles
#: and prompts are written in the dialogue's language; the admin adjusts them under "Manage
#: rounds" (and adds the items once themes, priorities and values exist).
DEFAULT_ROUNDS = (
    (
        RoundKind.CHALLENGES,
        _l("Challenges"),
        _l(
            "Which challenges do we face, seen broadly? "
            "Write each challenge as its own short contribution."
        ),
    ),
    (
        RoundKind.PRIORITISATION,
        _l("Priorities"),
        _l("Which of the challenges found in the first round are the most important?"),
    ),
    (
        RoundKind.CULTURE,
        _l("Our culture today"),
        _l(
            "What characterises our culture today: its strengths and weaknesses, "
            "measured against the most important challenges?"
        ),
    ),
    (
        RoundKind.CONSULTATION,
        _l("Consultation on the draft values"),
        _l("What do you think of management's draft values?"),
    ),
    (
        RoundKind.ACTION,
        _l("From values to action"),
        _l("How can I, my team and we across units help turn the values into action?"),
    ),
)


class SetupRefused(Exception):
    """The dialogue cannot be created as asked; nothing was stored."""


def create_dialogue(
    *,
    slug: str,
    title: str,
    admin_email: str,
    language: str = "da",
    public: bool = False,
    start: dt.date | None = None,
    timezone: str = "Europe/Copenhagen",
) -> Membership:
    """A new dialogue with the five default rounds and its first admin; flushes, never commits.

    The rounds run a week each from ``start`` (default: tomorrow) at 08:00 in ``timezone``, in
    the order of the reference process. The admin is found by e-mail or created (without a
    password: they log in by link until one is set). Returns the admin's membership.
    """
    slug = (slug or "").strip().lower()
    title = " ".join((title or "").split())
    email = (admin_email or "").strip().lower()
    if not SLUG_PATTERN.match(slug):
        raise SetupRefused(
            "the slug must be 1-80 lower-case letters, digits and hyphens, e.g. 'values-2026'"
        )
    if not title or len(title) > 200:
        raise SetupRefused("give a title of 1-200 characters")
    if "@" not in email or len(email) > 254:
        raise SetupRefused("give the admin's e-mail address")
    if Session.scalar(select(func.count()).select_from(Dialogue).where(Dialogue.slug == slug)):
        raise SetupRefused(f"a dialogue with the slug {slug!r} exists already")
    dialogue = Dialogue(
        slug=slug, title=title, language=language, timezone=timezone, is_public=public
    )
    Session.add(dialogue)
    Session.flush()
    person = Session.scalar(select(Person).where(Person.email == email))
    if person is None:
        person = Person(email=email, name="")
        Session.add(person)
    admin = Membership(person=person, dialogue=dialogue, role=Role.ADMIN)
    Session.add(admin)
    Session.flush()
    record_event(None, "dialogue.create", dialogue, subject=f"dialogue:{dialogue.id}")
    if start is None:
        start = lifecycle.to_local(utcnow(), timezone).date() + dt.timedelta(days=1)
    opens = dt.datetime.combine(start, dt.time(8))
    with force_locale(language):
        for kind, round_title, prompt in DEFAULT_ROUNDS:
            lifecycle.create_round(
                dialogue,
                kind=kind,
                title=str(round_title),
                prompt=str(prompt),
                opens_at=opens,
                actor_id=None,
            )
            opens = lifecycle.default_closing(opens)
    return admin


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
        opens = lifecycle.to_local(round_.opens_at, dialogue.timezone)
        closes = lifecycle.to_local(round_.closes_at, dialogue.timezone)
        click.echo(
            f"  {round_.position}. {round_.kind.value:<15} {opens:%Y-%m-%d %H:%M} to "
            f"{closes:%Y-%m-%d %H:%M}  {round_.title}"
        )
    click.echo(
        f"admin login link (one use, valid for a day): {external_url('auth.link', token=token)}"
    )


#: Roles ``add-staff`` gives: the people who run a dialogue besides its first admin.
STAFF_ROLES = {role.value: role for role in (Role.CONSULTANT, Role.MANAGEMENT, Role.ADMIN)}


def add_staff(*, slug: str, email: str, role: Role, name: str = "") -> Membership:
    """Make the person with ``email`` staff of dialogue ``slug``; flushes, never commits.

    The person is found by e-mail or created without a password (they log in by link). Running
    it again for the same role changes nothing, so an operator can hand out a fresh link; a
    member with another role is refused, because a participant turned consultant would read
    texts among which are their own, and one person has one role per dialogue.
    """
    email = (email or "").strip().lower()
    dialogue = Session.scalar(select(Dialogue).where(Dialogue.slug == slug))
    if dialogue is None:
        raise SetupRefused(f"no dialogue with the slug {slug!r}")
    if "@" not in email or len(email) > 254:
        raise SetupRefused("give the staff member's e-mail address")
    person = Session.scalar(select(Person).where(Person.email == email))
    if person is None:
        person = Person(email=email, name=" ".join((name or "").split())[:200])
        Session.add(person)
        Session.flush()
    membership = Session.scalar(
        select(Membership).where(
            Membership.person_id == person.id, Membership.dialogue_id == dialogue.id
        )
    )
    if membership is not None:
        if membership.role is not role:
            raise SetupRefused(
                f"{email} is {membership.role.value} in {slug!r} already; one role per dialogue"
            )
        return membership
    membership = Membership(person=person, dialogue=dialogue, role=role)
    Session.add(membership)
    Session.flush()
    record_event(None, "staff.add", dialogue, subject=f"person:{person.id}", role=role.value)
    return membership


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
