"""The ``dialogue`` command: Flask's CLI for this app plus the project's own commands."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import click
from alembic.util.exc import CommandError
from flask import current_app
from flask.cli import FlaskGroup, ScriptInfo, with_appcontext
from flask.cli import run_command as flask_run_command
from sqlalchemy.exc import ArgumentError, SQLAlchemyError

from dialogue import PROJECT_ROOT, create_app
from dialogue.backup import BackupError
from dialogue.core import migrate
from dialogue.core.config import ConfigError


class DialogueGroup(FlaskGroup):
    """Flask's command group, whose help says in one line why the app's commands are missing."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        """The commands; without the app's when it cannot load (Flask would print a traceback)."""
        try:
            ctx.ensure_object(ScriptInfo).load_app()
        except (ConfigError, ArgumentError) as exc:
            reason = exc if isinstance(exc, ConfigError) else "DATABASE_URL is not valid"
            click.echo(
                f"dialogue: {reason}; only the commands that need no app are listed", err=True
            )
            self._load_plugin_commands()
            return click.Group.list_commands(self, ctx)
        return super().list_commands(ctx)


@click.group(cls=DialogueGroup, create_app=create_app, add_version_option=False)
def cli():
    """Anonymous multi-round dialogues: run the server, manage the database and data."""


def _add_commands_without_app() -> None:
    """Commands that need no app: found before the app is loaded, so no secret or database.

    ``themes`` works on a file outside any dialogue; loading the app would refuse it for a
    missing secret or an unreachable database it never uses.
    """
    from dialogue.workbench.cli.themes import themes_command

    cli.add_command(themes_command)


_add_commands_without_app()


@click.command(
    "run",
    params=flask_run_command.params,
    short_help="Serve the app (and embed new texts beside it).",
    help=f"{flask_run_command.help}\n\nWith the semantic extra, `dialogue embed-worker` runs "
    "beside the server and stops with it: it embeds new texts, so that no web request does.",
)
@click.pass_context
def run_command(ctx, **options):
    """Flask's ``run``, with the embedding worker beside it (``dialogue.workbench.cli.worker``).

    Without ``PUBLIC_URL`` in the environment, the links this server mails point at the host
    and port it serves on, not at the default port.
    """
    from dialogue.workbench.cli.worker import beside_server

    app = ctx.ensure_object(ScriptInfo).load_app()
    if "PUBLIC_URL" not in os.environ:
        app.config["PUBLIC_URL"] = f"http://{options['host']}:{options['port']}"
    with beside_server(app):
        ctx.invoke(flask_run_command, **options)


cli.add_command(run_command)


def init_app(app) -> None:
    """Add the project's commands to the app's CLI (so ``app.test_cli_runner`` sees them)."""
    from dialogue.core.jobs.worker import worker_command

    for command in (
        db,
        translations,
        backup_command,
        restore_command,
        worker_command,
    ):
        app.cli.add_command(command)


@click.group()
def db():
    """Create and migrate the database schema."""


@db.command("upgrade")
@click.argument("revision", default="head")
@with_appcontext
def db_upgrade(revision: str):
    """Migrate the database up to REVISION (default: the newest)."""
    migrate.upgrade(current_app, revision)
    click.echo(f"database at {revision}")


@db.command("downgrade")
@click.argument("revision", default="-1")
@with_appcontext
def db_downgrade(revision: str):
    """Migrate the database down to REVISION ("base" leaves an empty schema)."""
    migrate.downgrade(current_app, revision)
    click.echo(f"database at {revision}")


@click.command("backup")
@click.argument("path", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--encrypt", is_flag=True, help="Encrypt with the key in DIALOGUE_BACKUP_KEY.")
@with_appcontext
def backup_command(path: Path, encrypt: bool):
    """Write a consistent backup of the database to PATH (safe while the app runs)."""
    from dialogue.backup import backup, key_from_environment

    key = key_from_environment() if encrypt else None
    backup(current_app.extensions["db_engine"], path, key=key)
    kind = "encrypted backup" if encrypt else "backup"
    click.echo(f"{kind} written to {path}; back up instance/anon_secret separately")


@click.command("restore")
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option(
    "--encrypt", is_flag=True, help="The backup is encrypted; key in DIALOGUE_BACKUP_KEY."
)
@click.confirmation_option(prompt="Replace the whole database with this backup?")
@with_appcontext
def restore_command(path: Path, encrypt: bool):
    """Replace the database with the backup in PATH."""
    from dialogue.backup import key_from_environment, restore

    key = key_from_environment() if encrypt else None
    restore(current_app.extensions["db_engine"], path, key=key)
    click.echo(f"database restored from {path}")


@click.group()
def translations():
    """Extract, update and compile the Danish and English message catalogues."""


def _pybabel(*args: str) -> None:
    from babel.messages.frontend import CommandLineInterface

    CommandLineInterface().run(["pybabel", "-q", *args])


TRANSLATIONS = PROJECT_ROOT / "dialogue" / "translations"
CATALOGUE_TEMPLATE = TRANSLATIONS / "messages.pot"


@translations.command("extract")
def translations_extract():
    """Collect translatable strings into messages.pot and merge them into each catalogue."""
    _pybabel(
        "extract",
        "-F",
        str(PROJECT_ROOT / "babel.cfg"),
        "-k",
        "_l",
        "-k",
        "lazy_ngettext:1,2",
        "--no-location",
        "--sort-output",
        "-o",
        str(CATALOGUE_TEMPLATE),
        *(str(PROJECT_ROOT / folder) for folder in ("dialogue", "rounds", "templates")),
    )
    _pybabel(
        "update", "-i", str(CATALOGUE_TEMPLATE), "-d", str(TRANSLATIONS), "--no-fuzzy-matching"
    )


@translations.command("compile")
def translations_compile():
    """Compile the catalogues into the .mo files the app reads."""
    _pybabel("compile", "-d", str(TRANSLATIONS))


def _fail(message: str) -> None:
    click.echo(f"dialogue: {message}", err=True)
    sys.exit(1)


def main() -> None:
    """Entry point: run the CLI, turning configuration and database errors into one line."""
    try:
        cli.main(prog_name="dialogue")
    except (ConfigError, BackupError) as exc:
        _fail(str(exc))
    except ArgumentError:
        _fail("DATABASE_URL is not a valid database URL")
    except CommandError as exc:
        _fail(f"migration failed: {exc}")
    except SQLAlchemyError as exc:
        reason = str(getattr(exc, "orig", None) or exc).splitlines()[0]
        _fail(f"the database cannot be used ({reason}); check DATABASE_URL")
