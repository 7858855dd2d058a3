"""``dialogue oidc-sign-in`` and ``dialogue open-dialogue``: how a dialogue's participants sign in.

It lets a dialogue's participants sign in through the installation's provider, or stops it
(``--off``). Prints the address to hand the participants (in the invitation, on the
intranet). ``open-dialogue`` lets anyone its rule admits join through the dialogue's join link.
Speaks English: it is for operators.
"""

from __future__ import annotations

import re
import sys

import click
from flask import current_app
from flask.cli import with_appcontext
from sqlalchemy import select

from dialogue.auth.services.joining import set_open
from dialogue.auth.services.oidc import allow_participant_sign_in
from dialogue.core.db import Session
from dialogue.core.errors import UserError
from dialogue.core.models import Dialogue
from dialogue.core.urls import external_url

#: Claim names as providers spell them (letters, digits, "_", ":", ".", "/", "-").
CLAIM_NAME = re.compile(r"^[A-Za-z0-9_:./-]{1,64}$")


@click.command("oidc-sign-in")
@click.argument("slug", metavar="DIALOGUE_SLUG")
@click.option(
    "--claim",
    default="email",
    show_default=True,
    help="The ID-token claim holding the participant's e-mail address.",
)
@click.option("--off", is_flag=True, help="Participants of this dialogue use their links only.")
@with_appcontext
def oidc_sign_in_command(slug: str, claim: str, off: bool):
    """Turn sign-in through the OpenID provider on or off for DIALOGUE_SLUG's participants."""
    dialogue = Session.scalar(select(Dialogue).where(Dialogue.slug == slug))
    if dialogue is None:
        click.echo(f"dialogue oidc-sign-in: there is no dialogue {slug!r}", err=True)
        sys.exit(2)
    if not off and not CLAIM_NAME.match(claim):
        click.echo(f"dialogue oidc-sign-in: {claim!r} is not a claim name", err=True)
        sys.exit(2)
    allow_participant_sign_in(dialogue, None if off else claim)
    Session.commit()
    if off:
        click.echo(f"{slug}: participants sign in with their links only")
        return
    click.echo(f"{slug}: participants may sign in with the claim {claim!r} at")
    click.echo(external_url("auth.oidc_participant", slug=slug))
    if not current_app.config["OIDC_ENABLED"]:
        click.echo("(once OIDC_ISSUER, OIDC_CLIENT_ID and OIDC_CLIENT_SECRET are set)")


@click.command("open-dialogue")
@click.argument("slug", metavar="DIALOGUE_SLUG")
@click.option(
    "--rule",
    default="",
    help="Who may join: e-mail domains (@example.org) and claim=value terms; any one admits.",
)
@click.option("--off", is_flag=True, help="Only the imported participants take part.")
@with_appcontext
def open_dialogue_command(slug: str, rule: str, off: bool):
    """Let anyone with DIALOGUE_SLUG's join link become a participant (or stop it: ``--off``)."""
    dialogue = Session.scalar(select(Dialogue).where(Dialogue.slug == slug))
    if dialogue is None:
        click.echo(f"dialogue open-dialogue: there is no dialogue {slug!r}", err=True)
        sys.exit(2)
    try:
        set_open(dialogue, None, open_join=not off, rule=rule)
    except UserError as exc:
        click.echo(f"dialogue open-dialogue: {exc.message}", err=True)
        sys.exit(2)
    Session.commit()
    if off:
        click.echo(f"{slug}: only the imported participants take part")
        return
    click.echo(f"{slug}: open to {dialogue.open_rule or 'anyone'} at")
    click.echo(external_url("auth.join", slug=slug))
