"""Every ``dialogue`` subcommand, run as a user runs it: the installed script in a subprocess.

Each case is one or more invocations on the demo built by ``dialogue demo`` (a copy of its own
when it writes), in a working folder holding the input files a user would have. A normal case
exits 0 and leaves output that parses; a bad input exits non-zero with one line on standard
error, never a traceback. The cases run a few at a time in parallel; each is its own test.
:func:`test_every_registered_command_is_covered` fails when a command is added without a case.
"""

from __future__ import annotations

import csv
import json
import subprocess
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from contextlib import ExitStack
from dataclasses import dataclass, field
from pathlib import Path

import click
import pytest
from openpyxl import load_workbook

from benchmarks.harness import cloned_database
from tests.e2e.conftest import ROOT, Site

SLUG = "vaerdier"
STAFF = "konsulent@demo.example"
UNKNOWN_EMAIL = "nobody@unknown.example"
#: A round of the demo with few texts (embedding every round would take a minute).
SMALL_ROUND = "5"
BACKUP_KEY = "cWl4Ql9lMmVfYmFja3VwX2tleV9vZl90aGlydHl0d28="
PARALLEL = 3


@dataclass(frozen=True)
class Step:
    """One invocation: ``ok`` exits 0; otherwise non-zero with ``lines`` lines on stderr."""

    args: tuple[str, ...]
    ok: bool = True
    lines: int = 1
    stdin: str | None = None
    env: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Case:
    """What a user does with one command, and what they should then find."""

    id: str
    command: str
    steps: tuple[Step, ...]
    writes: bool = False
    check: Callable[[Path, list[subprocess.CompletedProcess]], None] | None = None
    #: Further commands the steps run (their normal case, when every step succeeds).
    also: tuple[str, ...] = ()


def ok(*args, **options) -> Step:
    return Step(tuple(args), ok=True, **options)


def bad(*args, **options) -> Step:
    return Step(tuple(args), ok=False, **options)


# --- what the user should find ---------------------------------------------------------------


def json_export(folder, _results):
    text = (folder / "d.json").read_text(encoding="utf-8")
    data = json.loads(text)
    assert data["dialogue"]["slug"] == SLUG
    assert data["rounds"]
    assert data["results"]
    # Labels come out in the dialogue's language (Danish), not the default (English).
    assert "gennemsnitlig placering" in text  # a closed prioritisation round's value label
    assert "mean rank" not in text


def xlsx_export(folder, _results):
    book = load_workbook(folder / "d.xlsx", read_only=True)
    assert len(book.sheetnames) >= 3
    assert any(sheet.max_row > 1 for sheet in book.worksheets)


def csv_export(folder, _results):
    files = sorted((folder / "d").glob("*.csv"))
    assert len(files) >= 3
    for path in files:
        rows = list(csv.reader(path.read_text(encoding="utf-8-sig").splitlines()))
        assert rows[0]


def themes_file(folder, _results):
    report = json.loads((folder / "themes.json").read_text(encoding="utf-8"))
    assert report["themes"]
    assert report["parameters"]["text_column"] == "svar"


def restored(_folder, results):
    assert "OK" in results[-1].stdout
    assert "CHANGED" not in results[-1].stdout


def printed_link(_folder, results):
    assert "/link/" in results[-1].stdout


def provider_sign_in_on_then_off(_folder, results):
    assert f"/login/oidc/dialogue/{SLUG}" in results[0].stdout
    assert "links only" in results[1].stdout


def imported_in_danish(_folder, results):
    assert "Importen er gennemført: 3 nye" in results[-1].stdout


def import_problems_in_danish(_folder, results):
    assert results[-1].stderr.strip().endswith("Intet blev importeret.")


def analysed(_folder, results):
    assert "of round 1" in results[-1].stdout
    assert "themes" in results[-1].stdout


def analysed_weaknesses(_folder, results):
    assert "of round 3" in results[-1].stdout  # the demo's culture round


def backup_written(folder, _results):
    assert (folder / "b.enc").stat().st_size > 0


def deleted(_folder, results):
    assert f"Deleted the dialogue {SLUG}:" in results[-1].stdout
    assert "contributions: " in results[-1].stdout


def nothing_due(_folder, results):
    assert results[-1].stdout.strip() == "No dialogue is due for purging."


def shell_ran(_folder, results):
    assert "42" in results[-1].stdout


CASES = [
    Case("demo again", "demo", (ok("demo"),), writes=True, check=printed_link),
    Case("demo with a broken DATABASE_URL", "demo", (bad("demo", env={"DATABASE_URL": "x::"}),)),
    Case("db upgrade", "db upgrade", (ok("db", "upgrade"),), writes=True),
    Case(
        "db downgrade and up again",
        "db downgrade",
        (ok("db", "downgrade", "--", "-1"), ok("db", "upgrade")),
        writes=True,
        also=("db upgrade",),
    ),
    Case("db downgrade unknown revision", "db downgrade", (bad("db", "downgrade", "nosuch"),)),
    Case("translations compile", "translations compile", (ok("translations", "compile"),)),
    Case(
        "backup and restore",
        "backup",
        (ok("backup", "b.db"), ok("restore", "--yes", "b.db"), ok("verify", SLUG)),
        writes=True,
        check=restored,
        also=("restore", "verify"),
    ),
    Case(
        "encrypted backup and restore",
        "restore",
        (
            ok("backup", "--encrypt", "b.enc", env={"DIALOGUE_BACKUP_KEY": BACKUP_KEY}),
            ok("restore", "--encrypt", "--yes", "b.enc", env={"DIALOGUE_BACKUP_KEY": BACKUP_KEY}),
        ),
        writes=True,
        check=backup_written,
    ),
    Case("backup --encrypt without a key", "backup", (bad("backup", "--encrypt", "b.enc"),)),
    Case("backup to an unwritable path", "backup", (bad("backup", "a-file/b.db"),)),
    Case(
        "restore a broken file", "restore", (bad("restore", "--yes", "broken.xlsx"),), writes=True
    ),
    Case(
        "import participants",
        "import-participants",
        (ok("import-participants", SLUG, "participants.csv"),),
        writes=True,
        check=imported_in_danish,
    ),
    Case(
        "import into an unknown dialogue",
        "import-participants",
        (bad("import-participants", "nosuch", "participants.csv"),),
    ),
    Case(
        "import a broken spreadsheet",
        "import-participants",
        (bad("import-participants", SLUG, "broken.xlsx"),),
    ),
    Case(
        "import without the required columns",  # every problem is listed, then the verdict
        "import-participants",
        (bad("import-participants", SLUG, "texts.csv", lines=3),),
        check=import_problems_in_danish,
    ),
    Case("analyse", "analyse", (ok("analyse", "1", "--seed", "1"),), writes=True, check=analysed),
    Case("analyse an unknown round", "analyse", (bad("analyse", "999999"),)),
    Case(
        "analyse one part of a round",
        "analyse",
        (ok("analyse", "3", "--part", "weakness"),),
        writes=True,
        check=analysed_weaknesses,
    ),
    Case("analyse a part the round lacks", "analyse", (bad("analyse", "3", "--part", "x"),)),
    Case("embed", "embed", (ok("embed", "--round", SMALL_ROUND),), writes=True),
    Case("embed an unknown round", "embed", (bad("embed", "--round", "999999"),)),
    Case(
        "themes",
        "themes",
        (ok("themes", "texts.csv", "--text-column", "svar", "--out", "themes.json"),),
        check=themes_file,
    ),
    Case(
        "themes without app secrets or a database",
        "themes",
        (
            ok(
                "themes",
                *("texts.csv", "--text-column", "svar", "--out", "themes.json"),
                env={"SECRET_KEY": "short", "DATABASE_URL": "postgresql://x@127.0.0.1:1/none"},
            ),
        ),
        check=themes_file,
    ),
    Case(
        "themes of a missing column",
        "themes",
        (bad("themes", "participants.csv", "--text-column", "svar", "--out", "t.json"),),
    ),
    Case(
        "themes of a broken spreadsheet",
        "themes",
        (bad("themes", "broken.xlsx", "--text-column", "svar", "--out", "t.json"),),
    ),
    Case(
        "themes to an unwritable path",
        "themes",
        (bad("themes", "texts.csv", "--text-column", "svar", "--out", "a-file/t.json"),),
    ),
    Case(
        "export json",
        "export",
        (ok("export", SLUG, "--format", "json", "--out", "d.json"),),
        writes=True,
        check=json_export,
    ),
    Case(
        "export csv",
        "export",
        (ok("export", SLUG, "--format", "csv", "--out", "d"),),
        writes=True,
        check=csv_export,
    ),
    Case(
        "export xlsx",
        "export",
        (ok("export", SLUG, "--format", "xlsx", "--out", "d.xlsx"),),
        writes=True,
        check=xlsx_export,
    ),
    Case("export an unknown dialogue", "export", (bad("export", "nosuch", "--out", "d.json"),)),
    Case(
        "export to an unwritable path",
        "export",
        (bad("export", SLUG, "--out", "a-file/d.json"),),
        writes=True,
    ),
    Case("report an unknown dialogue", "report", (bad("report", "nosuch", "--out", "r.docx"),)),
    Case(
        "report to an unwritable path",
        "report",
        (bad("report", SLUG, "--out", "a-file/r.docx"),),
        writes=True,
    ),
    Case("verify", "verify", (ok("verify", SLUG),)),
    Case(
        "oidc-sign-in on and off",
        "oidc-sign-in",
        (ok("oidc-sign-in", SLUG, "--claim", "upn"), ok("oidc-sign-in", SLUG, "--off")),
        writes=True,
        check=provider_sign_in_on_then_off,
    ),
    Case("oidc-sign-in for an unknown dialogue", "oidc-sign-in", (bad("oidc-sign-in", "nosuch"),)),
    Case(
        "oidc-sign-in with a claim that is no claim name",
        "oidc-sign-in",
        (bad("oidc-sign-in", SLUG, "--claim", "e mail"),),
    ),
    Case("verify an unknown dialogue", "verify", (bad("verify", "nosuch"),)),
    Case(
        "create a dialogue",
        "create-dialogue",
        (ok("create-dialogue", "ny", "--title", "Ny", "--admin-email", "ny@x.example"),),
        writes=True,
        check=printed_link,
    ),
    Case(
        "create a dialogue whose slug is taken",
        "create-dialogue",
        (bad("create-dialogue", SLUG, "--title", "T", "--admin-email", "a@x.example"),),
    ),
    Case(
        "add staff",
        "add-staff",
        (ok("add-staff", SLUG, "k2@x.example", "--role", "consultant"),),
        writes=True,
        check=printed_link,
    ),
    Case(
        "add staff to an unknown dialogue",
        "add-staff",
        (bad("add-staff", "nosuch", "k2@x.example", "--role", "consultant"),),
    ),
    Case(
        "generate",
        "generate",
        (ok("generate", "--participants", "10", "--contributions", "20", "--slug", "lille"),),
        writes=True,
    ),
    Case(
        "generate onto a taken slug",
        "generate",
        (bad("generate", "--participants", "10", "--contributions", "20", "--slug", SLUG),),
    ),
    Case("worker without REDIS_URL", "worker", (bad("worker"),)),
    Case(
        "disable and enable a user",
        "disable-user",
        (ok("disable-user", STAFF), ok("enable-user", STAFF)),
        writes=True,
        also=("enable-user",),
    ),
    Case("disable an unknown user", "disable-user", (bad("disable-user", UNKNOWN_EMAIL),)),
    Case("enable an unknown user", "enable-user", (bad("enable-user", UNKNOWN_EMAIL),)),
    Case("end every session", "end-sessions", (ok("end-sessions", "--all"),), writes=True),
    Case(
        "end an unknown user's sessions",
        "end-sessions",
        (bad("end-sessions", "--email", UNKNOWN_EMAIL),),
    ),
    Case("reset a second factor", "reset-mfa", (ok("reset-mfa", STAFF),), writes=True),
    Case("reset an unknown user's factor", "reset-mfa", (bad("reset-mfa", UNKNOWN_EMAIL),)),
    Case(
        "set a password",
        "set-password",
        (ok("set-password", STAFF, "--password", "kvik brun ræv 2026 springer"),),
        writes=True,
    ),
    Case("set a weak password", "set-password", (bad("set-password", STAFF, "--password", "x"),)),
    Case(
        "set an unknown user's password",
        "set-password",
        (bad("set-password", UNKNOWN_EMAIL, "--password", "kvik brun ræv 2026 springer"),),
    ),
    Case(
        "delete a dialogue",
        "delete",
        (ok("delete", SLUG, stdin="y\n"),),
        writes=True,
        check=deleted,
    ),
    Case("delete declined", "delete", (bad("delete", SLUG, stdin="n\n"),), writes=True),
    Case("delete an unknown dialogue", "delete", (bad("delete", "nosuch", "--yes"),)),
    Case("purge", "purge", (ok("purge"),), writes=True, check=nothing_due),
    Case("routes", "routes", (ok("routes"),)),
    Case("shell", "shell", (ok("shell", stdin="print(6 * 7)\n"),), check=shell_ran),
    Case("limiter config", "limiter config", (ok("limiter", "config"),)),
    Case("limiter limits", "limiter limits", (ok("limiter", "limits"),)),
]

#: Commands that no case here runs, and where they are tested instead (or why not at all).
ELSEWHERE = {
    "run": "tests/e2e/test_serve.py serves the demo with it and follows every link",
    "worker": "tests/e2e/test_jobs.py runs every job kind through it (its normal case)",
    "embed-worker": "tests/e2e/test_embedding_worker.py: `dialogue run` starts it beside "
    "the server, and a text submitted over HTTP gets its vector from it",
    "report": "tests/e2e/test_report.py writes the demo's Word report, opens it in LibreOffice "
    "and checks it names nobody",
    "tick": "tests/e2e/test_tick.py runs it twice on a due reminder: one send",
    "translations extract": "rewrites the checkout's catalogues; the team appends entries by hand",
    "limiter clear": "Flask-Limiter's own command; the rate-limit tests clear limits directly",
    "open-dialogue": "tests/e2e/test_open_dialogue_command.py opens and closes the demo with it",
}


def _write_inputs(folder: Path) -> None:
    """The files a user would have at hand."""
    with open(folder / "participants.csv", "w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["email", "name", "department"])
        for n in range(3):
            writer.writerow([f"ny{n}@x.example", f"Ny Deltager {n}", "Plan"])
    texts = (ROOT / "tests" / "data" / "staff_da.txt").read_text(encoding="utf-8").splitlines()
    with open(folder / "texts.csv", "w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["id", "svar"])
        writer.writerows(enumerate(texts))
    (folder / "broken.xlsx").write_bytes(b"PK\x03\x04 not really a workbook")
    (folder / "a-file").write_text("a plain file, so that a-file/anything cannot be written")


def _run_case(case: Case, site: Site, folder: Path) -> list[subprocess.CompletedProcess]:
    results = []
    for step in case.steps:
        result = site.run(*step.args, cwd=folder, stdin=step.stdin, **step.env)
        results.append(result)
        if (result.returncode == 0) != step.ok:
            break
    return results


@pytest.fixture(scope="module")
def outcomes(demo, tmp_path_factory):
    """Every case's results, run a few at a time; writing cases each on a copy of the demo."""
    base = tmp_path_factory.mktemp("e2e-commands")
    with ExitStack() as copies:
        planned = []
        for number, case in enumerate(CASES):
            folder = base / f"case{number}"
            folder.mkdir()
            _write_inputs(folder)
            site = demo.site
            if case.writes:  # all cloned before any case runs: PostgreSQL copies an idle template
                url = copies.enter_context(cloned_database(site.database_url, folder / "db"))
                site = Site(url, folder / "instance")
                site.instance.mkdir()
            planned.append((case, site, folder))
        with ThreadPoolExecutor(max_workers=PARALLEL) as pool:
            futures = {
                case.id: (folder, pool.submit(_run_case, case, site, folder))
                for case, site, folder in planned
            }
            yield {key: (folder, future.result()) for key, (folder, future) in futures.items()}


@pytest.mark.parametrize("case", CASES, ids=[case.id for case in CASES])
def test_command_as_a_user_runs_it(case, outcomes):
    folder, results = outcomes[case.id]
    assert len(results) == len(case.steps), f"stopped early: {results[-1].stderr}"
    for step, result in zip(case.steps, results, strict=True):
        assert "Traceback" not in result.stderr, result.stderr
        if step.ok:
            assert result.returncode == 0, result.stderr
        else:
            assert result.returncode != 0, result.stdout
            lines = result.stderr.strip().splitlines()
            assert len(lines) == step.lines, result.stderr
    if case.check is not None:
        case.check(folder, results)


def _command_paths(group: click.Group, ctx: click.Context, prefix: str = "") -> set[str]:
    paths = set()
    for name in group.list_commands(ctx):
        command = group.get_command(ctx, name)
        if isinstance(command, click.Group):
            sub = click.Context(command, parent=ctx, info_name=name)
            paths |= _command_paths(command, sub, f"{prefix}{name} ")
        else:
            paths.add(prefix + name)
    return paths


def test_every_registered_command_is_covered(demo):
    """A command added to the CLI without a case here (or a reason in ELSEWHERE) fails."""
    from flask.cli import ScriptInfo

    from dialogue import create_app
    from dialogue.cli import cli
    from tests.e2e.conftest import SECRETS

    app = create_app(
        {"DATABASE_URL": demo.site.database_url, "INSTANCE_PATH": demo.site.instance, **SECRETS}
    )
    # Listing loads the app (and pushes its context) only for the ``with`` block.
    with click.Context(cli, obj=ScriptInfo(create_app=lambda: app), info_name="dialogue") as ctx:
        registered = _command_paths(cli, ctx)
    app.extensions["db_engine"].dispose()
    covered = {name for case in CASES for name in (case.command, *case.also)} | set(ELSEWHERE)
    assert registered - covered == set(), "commands without an end-to-end case"
    assert covered - registered == set(), "cases of commands that no longer exist"
    normal = {
        name
        for case in CASES
        if all(step.ok for step in case.steps)
        for name in (case.command, *case.also)
    }
    assert registered - normal - set(ELSEWHERE) == set(), "commands without a normal case"


def test_help_with_a_broken_setting_says_why_in_one_line(demo):
    result = demo.site.run("--help", SECRET_KEY="short")
    assert result.returncode == 0
    assert "themes" in result.stdout  # what works without the app is still listed
    assert result.stderr.strip().splitlines() == [
        "dialogue: SECRET_KEY must be at least 32 characters long; only the commands that "
        "need no app are listed"
    ]
