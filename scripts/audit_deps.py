#!/usr/bin/env python3
"""Dependency audit that fails closed: ``pip-audit --strict`` over the hashed lock file.

It audits ``requirements.txt``, the exact set production installs, rather than the developer's
virtualenv. ``--disable-pip`` takes the pins as they are (the lock is already resolved and hashed,
so no throwaway virtualenv is needed), and ``--require-hashes`` refuses an unhashed line.

Exit status:

- 0  audited: no known vulnerability, every dependency could be checked;
- 1  audited and FAILED: a known vulnerability, or a dependency that could not be checked;
- 3  NOT RUN: the vulnerability service could not be reached (no network). This is not a
     pass: ``scripts/security_checks.sh`` reports it as "skipped, not passed".

pip-audit alone is misleading offline: without ``--strict`` it says "No known vulnerabilities
found" and exits 0 when it could check nothing at all. With ``--strict`` it exits 1 at the first
dependency it could not look up, which offline is every one of them. This script tells the two
apart: when the strict run fails, a second, lenient run in JSON shows whether *every* dependency
was skipped (the service is unreachable) or only some (a real, strict failure).

    .venv/bin/python scripts/audit_deps.py [extra pip-audit arguments, e.g. --ignore-vuln ID]

(bandit: ``subprocess`` only ever runs this environment's pip-audit, with a fixed argument list
and no shell; hence the ``nosec B404/B603`` marks.)
"""

from __future__ import annotations

import json
import subprocess  # nosec B404
import sys
import tempfile
from pathlib import Path

PASSED, FAILED, NOT_RUN = 0, 1, 3
PIP_AUDIT = str(Path(sys.executable).parent / "pip-audit")
LOCK = Path(__file__).resolve().parent.parent / "requirements.txt"
BASE = [
    PIP_AUDIT,
    "--progress-spinner",
    "off",
    "--requirement",
    str(LOCK),
    "--require-hashes",
    "--disable-pip",
]
UNREACHABLE = (
    "ConnectionError",
    "NameResolutionError",
    "Max retries exceeded",
    "Failed to resolve",
    "Temporary failure in name resolution",
    "Network is unreachable",
    "timed out",
)
NOT_FOUND = "Dependency not found on PyPI and could not be audited"


def run(arguments: list[str]) -> subprocess.CompletedProcess:
    """Run pip-audit with a hard time limit (a dead network must not hang CI)."""
    # Fixed executable (this environment's pip-audit) and arguments, no shell.
    return subprocess.run(  # nosec B603
        [*BASE, *arguments], capture_output=True, text=True, timeout=600, check=False
    )


def everything_skipped(extra: list[str]) -> bool:
    """Whether a lenient run could look up none of the dependencies."""
    with tempfile.TemporaryDirectory() as folder:
        report = Path(folder) / "audit.json"
        result = run([*extra, "--format", "json", "--output", str(report)])
        if any(marker in result.stderr for marker in UNREACHABLE):
            return True
        try:
            dependencies = json.loads(report.read_text()).get("dependencies", [])
        except (OSError, ValueError):
            return True
    skipped = [d for d in dependencies if "skip_reason" in d]
    return bool(dependencies) and len(skipped) == len(dependencies)


def not_run() -> int:
    """Say loudly that nothing was audited."""
    bar = "!" * 72
    print(bar, file=sys.stderr)
    print("dependency audit NOT RUN: no network", file=sys.stderr)
    print(
        "pip-audit could not reach its vulnerability service; NOTHING was checked.", file=sys.stderr
    )
    print(
        "This is not a pass. Run scripts/audit_deps.py where the network allows.", file=sys.stderr
    )
    print(bar, file=sys.stderr)
    return NOT_RUN


def main(extra: list[str]) -> int:
    """Audit strictly; classify a failure as real or as "no network"."""
    try:
        strict = run(["--strict", *extra])
    except subprocess.TimeoutExpired:
        return not_run()
    if strict.returncode == 0:
        print(strict.stdout.strip() or "dependency audit passed")
        return PASSED
    unreachable = any(marker in strict.stderr for marker in UNREACHABLE)
    if unreachable or (NOT_FOUND in strict.stderr and everything_skipped(extra)):
        return not_run()
    print(strict.stdout, end="")
    print(strict.stderr, end="", file=sys.stderr)
    print("dependency audit FAILED", file=sys.stderr)
    return FAILED


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
