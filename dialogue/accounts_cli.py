"""``dialogue disable-user``, ``enable-user`` and ``end-sessions`` (TARGETS S5).

Administrators' commands, in English like ``backup`` and ``restore``. Each commits its change
with an audit event whose actor is empty (the command line has no logged-in staff member).
"""

from __future__ import annotations

import click
from flask.cli import with_appcontext

from dialogue import accounts
from dialogue.db import Session


def _person(email: str):
    try:
        return accounts.find_person(email)
    except accounts.UnknownPerson:
        raise click.ClickException(f"no account with the e-mail address {email!r}") from None


@click.command("disable-user")
@click.argument("email")
@with_appcontext
def disable_user_command(email: str):
    """Disable the account EMAIL and log it out everywhere at once."""
    ended = accounts.disable_person(_person(email))
    Session.commit()
    click.echo(f"{email} disabled; {ended} session(s) ended")


@click.command("enable-user")
@click.argument("email")
@with_appcontext
def enable_user_command(email: str):
    """Let the disabled account EMAIL log in again."""
    accounts.enable_person(_person(email))
    Session.commit()
    click.echo(f"{email} enabled; they must log in again")


@click.command("end-sessions")
@click.option("--all", "everyone", is_flag=True, help="Log everybody out.")
@click.option("--email", help="Log out this account only (it stays enabled).")
@with_appcontext
def end_sessions_command(everyone: bool, email: str | None):
    """End login sessions: of everybody (--all) or of one account (--email EMAIL)."""
    if everyone == bool(email):
        raise click.UsageError("give exactly one of --all and --email EMAIL")
    if everyone:
        ended = accounts.end_every_session()
        Session.commit()
        click.echo(f"{ended} session(s) ended; everybody must log in again")
        return
    ended = accounts.end_sessions_of(_person(email))
    Session.commit()
    click.echo(f"{ended} session(s) of {email} ended")
