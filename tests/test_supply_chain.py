"""Supply chain (TARGETS S11): the hashed lock, the SBOM, and an audit that never passes unchecked.

Production installs ``requirements.txt`` with ``--require-hashes``, so the lock must cover every
``install_requires`` entry of ``setup.cfg`` with a pin its range accepts: a range widened or a
dependency added without ``make lock`` would otherwise ship unpinned or not at all.
"""

from __future__ import annotations

import configparser
import json
import os
import shutil
import stat
import subprocess
import sys
from importlib import metadata
from pathlib import Path

import pytest
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name
from pip_requirements_parser import RequirementsFile

from scripts import audit_deps

ROOT = Path(__file__).resolve().parent.parent
LOCK = ROOT / "requirements.txt"


def install_requires() -> list[Requirement]:
    """``setup.cfg``'s runtime requirements (read raw: the extras use ``%(…)s`` references)."""
    config = configparser.ConfigParser(interpolation=None)
    config.read(ROOT / "setup.cfg")
    lines = config["options"]["install_requires"].splitlines()
    return [Requirement(line) for line in lines if line.strip()]


def read_lock(path: Path) -> dict[str, tuple[Requirement, list[str]]]:
    """The lock's requirements by canonical name, each with its ``--hash`` values."""
    return {
        canonicalize_name(line.req.name): (line.req, line.hash_options)
        for line in RequirementsFile.from_file(str(path)).requirements
    }


def lock_problems(
    requires: list[Requirement], locked: dict[str, tuple[Requirement, list[str]]]
) -> list[str]:
    """What makes the lock unfit for a ``--require-hashes`` install of ``requires``."""
    problems = []
    for name, (req, hashes) in locked.items():
        pins = [spec for spec in req.specifier if spec.operator == "=="]
        if len(pins) != 1 or len(req.specifier) != 1:
            problems.append(f"{name}: not pinned to one exact version ({req.specifier})")
        if not hashes:
            problems.append(f"{name}: no --hash")
    for wanted in requires:
        name = canonicalize_name(wanted.name)
        if name not in locked:
            problems.append(f"{wanted}: missing from the lock")
            continue
        pins = [spec.version for spec in locked[name][0].specifier if spec.operator == "=="]
        if pins and not wanted.specifier.contains(pins[0], prereleases=True):
            problems.append(f"{wanted}: the lock pins {pins[0]}, outside the range")
    return problems


def test_lock_pins_every_runtime_requirement_with_hashes():
    assert lock_problems(install_requires(), read_lock(LOCK)) == []


def test_lock_holds_what_the_extras_of_runtime_requirements_pull_in():
    """Extras nest (Flask-Limiter[redis] needs limits[redis] needs redis): follow them all."""
    locked = read_lock(LOCK)
    pending = [req for req in install_requires() if req.extras]
    while pending:
        wanted = pending.pop()
        declared = [Requirement(line) for line in metadata.requires(wanted.name) or []]
        for extra in wanted.extras:
            pulled = [r for r in declared if r.marker and r.marker.evaluate({"extra": extra})]
            assert pulled, f"{wanted.name}[{extra}] pulls in nothing: the extra is misspelt"
            for req in pulled:
                assert canonicalize_name(req.name) in locked, f"{wanted}: {req.name} not locked"
            pending.extend(req for req in pulled if req.extras)


@pytest.mark.parametrize(
    ("requires", "lock_text", "problem"),
    [
        (["Flask>=3.1"], "werkzeug==3.1.9 --hash=sha256:ab\n", "Flask>=3.1: missing from the lock"),
        (["Flask>=3.1"], "flask==3.1.3\n", "flask: no --hash"),
        (["Flask>=3.1"], "flask>=3.1 --hash=sha256:ab\n", "flask: not pinned to one exact"),
        (["Flask>=3.1,<4"], "flask==4.0.0 --hash=sha256:ab\n", "Flask<4,>=3.1: the lock pins 4"),
    ],
)
def test_lock_check_catches_drift(tmp_path, requires, lock_text, problem):
    """The lock check above is not vacuous: each kind of drift is reported."""
    lock = tmp_path / "requirements.txt"
    lock.write_text(lock_text)
    problems = lock_problems([Requirement(line) for line in requires], read_lock(lock))
    assert any(found.startswith(problem) for found in problems), problems


@pytest.mark.slow
def test_make_sbom_lists_every_locked_package(tmp_path):
    sbom = tmp_path / "sbom.cdx.json"
    # -o: a test must not reinstall the virtualenv when setup.cfg is newer than its stamp.
    binaries = Path(sys.executable).parent
    subprocess.run(
        ["make", "-s", "-o", ".venv/.installed", "sbom", f"SBOM={sbom}", f"BIN={binaries}"],
        cwd=ROOT,
        check=True,
        capture_output=True,
        timeout=300,
    )
    document = json.loads(sbom.read_text())
    assert document["bomFormat"] == "CycloneDX"
    components = {
        (canonicalize_name(c["name"]), c["version"]): c["purl"] for c in document["components"]
    }
    expected = {
        (name, next(iter(req.specifier)).version) for name, (req, _) in read_lock(LOCK).items()
    }
    assert set(components) == expected
    assert all(purl.startswith("pkg:pypi/") for purl in components.values())


def fake_audit(monkeypatch, returncode: int, stderr: str, report: dict | None = None) -> None:
    """Replace pip-audit: the strict run answers ``returncode``; a JSON run writes ``report``."""

    def run(arguments):
        if "--output" in arguments and report is not None:
            Path(arguments[arguments.index("--output") + 1]).write_text(json.dumps(report))
        return subprocess.CompletedProcess(arguments, returncode, "", stderr)

    monkeypatch.setattr(audit_deps, "run", run)


def not_found(*names: str) -> str:
    return "\n".join(f"ERROR: {name}: {audit_deps.NOT_FOUND}: {name} (1.0)" for name in names)


def skipped(name: str) -> dict:
    return {"name": name, "skip_reason": audit_deps.NOT_FOUND}


def test_audit_reads_the_hashed_lock():
    hashed_lock = ["--requirement", str(LOCK), "--require-hashes", "--disable-pip"]
    assert audit_deps.BASE[-4:] == hashed_lock


def test_audit_with_nothing_reachable_is_not_run_never_passed(monkeypatch):
    report = {"dependencies": [skipped("flask"), skipped("alembic")]}
    fake_audit(monkeypatch, 1, not_found("flask", "alembic"), report)
    assert audit_deps.main([]) == audit_deps.NOT_RUN


def test_audit_with_some_dependencies_unchecked_fails(monkeypatch):
    audited = {"name": "alembic", "version": "1.0", "vulns": []}
    report = {"dependencies": [skipped("flask"), audited]}
    fake_audit(monkeypatch, 1, not_found("flask"), report)
    assert audit_deps.main([]) == audit_deps.FAILED


def test_audit_with_a_vulnerability_fails(monkeypatch):
    fake_audit(monkeypatch, 1, "Found 1 known vulnerability in 1 package")
    assert audit_deps.main([]) == audit_deps.FAILED


def test_audit_passes_only_when_pip_audit_strict_passes(monkeypatch):
    fake_audit(monkeypatch, 0, "")
    assert audit_deps.main([]) == audit_deps.PASSED


@pytest.mark.parametrize(
    ("audit_status", "summary", "status"),
    [
        (0, "dependency audit passed", 0),
        (3, "dependency audit SKIPPED, NOT PASSED", 0),
        (1, "dependency audit FAILED", 1),
    ],
)
def test_security_checks_never_report_a_skipped_audit_as_passed(
    tmp_path, audit_status, summary, status
):
    """scripts/security_checks.sh with stand-ins for bandit and the audit's Python."""
    for tool, code in [("bandit", 0), ("python", audit_status)]:
        stand_in = tmp_path / tool
        stand_in.write_text(f"#!/bin/sh\nexit {code}\n")
        stand_in.chmod(stand_in.stat().st_mode | stat.S_IXUSR)
    result = subprocess.run(
        [shutil.which("bash"), "scripts/security_checks.sh"],
        cwd=ROOT,
        env={**os.environ, "BIN": str(tmp_path)},
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == status
    assert f"bandit passed; {summary}" in result.stdout
