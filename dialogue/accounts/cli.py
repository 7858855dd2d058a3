"""``dialogue disable-user``, ``enable-user``, ``end-sessions``, ``reset-mfa``, ``set-password``.

``reset-mfa --unlock`` only unlocks a second factor locked by too many wrong codes.

TARGETS S5 and S7.

Administrators' commands, in English like ``backup`` and ``restore``. Each commits its change
with an audit event whose actor is empty (the command line has no logged-in staff member).
"""

from __future__ import annotations

import click
from flask.cli import with_appcontext
from flask_babel import force_locale

from dialogue.accounts import queries
from dialogue.accounts import services as accounts
from dialogue.auth.services.password_policy import WeakPassword
from dialogue.core.db import Session


def _person(email: str):
    try:
        return queries.find_person(email)
    except queries.UnknownPerson:
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


@click.command("reset-mfa")
@click.argument("email")
@click.option(
    "--unlock", is_flag=True, help="Only unlock after too many wrong codes; keep the app."
)
@with_appcontext
def reset_mfa_command(email: str, unlock: bool):
    """Forget the TOTP key of the staff account EMAIL (a lost phone) and log it out."""
    if unlock:
        accounts.unlock_second_factor(_person(email))
        Session.commit()
        click.echo(f"two-factor login of {email} unlocked; their app works again")
        return
    ended = accounts.reset_second_factor(_person(email))
    Session.commit()
    click.echo(f"two-factor login of {email} reset; {ended} session(s) ended; they set it up again")


@click.command("set-password")
@click.argument("email")
@click.password_option(prompt="New password", help="Read from the prompt when left out.")
@with_appcontext
def set_password_command(email: str, password: str):
    """Give the staff account EMAIL a new password, if the password policy accepts it."""
    try:
        accounts.set_password(_person(email), password)
    except accounts.NotStaff:
        raise click.ClickException(f"{email} is not staff: participants log in by link") from None
    except WeakPassword as exc:
        with force_locale("en"):
            raise click.ClickException(str(exc.message)) from None
    Session.commit()
    click.echo(f"password of {email} set")
