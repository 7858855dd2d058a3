"""``dialogue verify DIALOGUE_SLUG``: did any published round's data change since publication.

Prints one line per published round – OK, CHANGED or MISSING, with the recorded and the
recomputed fingerprint – and exits 1 if any round is not OK, so that a scheduled job or an
auditor's script notices. It only reads; a forged fingerprint in the database (a row edited to
match nothing) shows as CHANGED like changed data does.
"""

from __future__ import annotations

import sys

import click
from flask.cli import with_appcontext
from sqlalchemy import select

from dialogue.core.db import Session
from dialogue.core.models import Dialogue
from rounds.fingerprint import Verdict, verify


@click.command("verify")
@click.argument("slug", metavar="DIALOGUE_SLUG")
@with_appcontext
def verify_command(slug: str):
    """Recompute every published round's fingerprint of DIALOGUE_SLUG and compare."""
    dialogue = Session.scalar(select(Dialogue).where(Dialogue.slug == slug))
    if dialogue is None:
        click.echo(f"dialogue verify: there is no dialogue {slug!r}", err=True)
        sys.exit(2)
    checks = verify(dialogue)
    if not checks:
        click.echo(f"{slug}: no published rounds to verify")
    for check in checks:
        recorded = check.recorded
        when = recorded.published_at.strftime("%Y-%m-%d %H:%M UTC") if recorded else "never"
        click.echo(
            f"{check.verdict.value:8} round {check.round.position} ({check.round.title}): "
            f"published {when}, recorded {recorded.sha256 if recorded else '-'}, "
            f"now {check.current}"
        )
    if any(check.verdict is not Verdict.OK for check in checks):
        sys.exit(1)
