"""No secret is committed to the repository (TARGETS S12): a detect-secrets-style scan.

Every file git tracks (plus new files not ignored, so a secret is caught before its commit) is
scanned for private keys, cloud and service tokens, credentials inside URLs, and literal
passwords or secrets assigned in code. The only literals allowed are listed in ``ALLOWED``, each
with the reason: the demo's documented staff password and the fixed secrets of the test
fixtures (which exist only in tests and benchmarks). Files that must never be tracked at all
(the instance folder's generated secrets, key files, ``.env``) are refused by name.

The patterns are written so that this file does not match itself; ``test_the_scanner_finds``
plants samples at run time to show every rule fires.
"""

from __future__ import annotations

import re
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

import pytest

from tests.conftest import require

ROOT = Path(__file__).resolve().parent.parent
MAX_BYTES = 2_000_000

RULES: dict[str, re.Pattern[str]] = {
    "private key": re.compile(r"-----BEGIN (?:[A-Z0-9]+ )*PRIVATE KEY(?: BLOCK)?-----"),
    "AWS access key id": re.compile(r"\b(?:AKIA|ASIA|AGPA|AIDA|AROA|ANPA)[0-9A-Z]{16}\b"),
    "AWS secret access key": re.compile(
        r"(?i)aws_?secret_?access_?key[\"']?\s*[:=]\s*[\"']?[A-Za-z0-9/+]{40}\b"
    ),
    "GitHub token": re.compile(r"\bgh[pousr]_[A-Za-z0-9]{36,}\b"),
    "Slack token": re.compile(r"\bxox[abprs]-[A-Za-z0-9-]{10,}"),
    "Google API key": re.compile(r"\bAIza[0-9A-Za-z_-]{35}\b"),
    "Stripe live key": re.compile(r"\b[sr]k_live_[0-9A-Za-z]{16,}"),
    "JSON web token": re.compile(r"\beyJ[A-Za-z0-9_-]{10,}\.eyJ[A-Za-z0-9_-]{10,}\.[A-Za-z0-9_-]+"),
    "password in a URL": re.compile(
        r"[a-z][a-z0-9+.-]*://[^/\s:@\"'<>]+:(?P<password>[^/\s@\"'<>]{3,})@[\w.-]+"
    ),
    "secret assigned in code": re.compile(
        r"(?i)\b(?:[a-z_]*_)?(?P<key>password|passwd|pwd|secret|secret_key|api_?key|access_key"
        r"|auth_token|private_key|client_secret|token)[\"']?\s*[:=]\s*"
        r"(?P<quote>[\"'])(?P<value>[^\"'\s][^\"']{3,})(?P=quote)"
    ),
}


@dataclass(frozen=True)
class Allowed:
    """A literal that may appear, where, and why."""

    value: str
    reason: str
    under: tuple[str, ...] = ()  # path prefixes; empty: anywhere


ALLOWED = [
    Allowed("demo-dialog-2026", "the demo's staff password, documented in the README"),
    Allowed("DEMOADMINTOTPKEYFORTESTINGONLYAA", "the demo admin's documented TOTP key"),
    Allowed("DEMOKONSULENTTOTPKEYFORTESTINGAA", "the demo consultant's documented TOTP key"),
    Allowed("DEMODIREKTIONTOTPKEYFORTESTINGAA", "the demo management's documented TOTP key"),
    Allowed("correct horse battery staple", "STAFF_PASSWORD of the test factories", ("tests/",)),
    Allowed("test-secret-key-", "fixed SECRET_KEY prefix of the test apps", ("tests/",)),
    Allowed("test-anon-secret-", "fixed ANON_SECRET prefix of the test apps", ("tests/",)),
    Allowed("load-test-secret-key-", "SECRET_KEY prefix of load runs", ("benchmarks/",)),
    Allowed("load-test-anon-secret-", "ANON_SECRET prefix of load runs", ("benchmarks/",)),
    Allowed("wrong", "a deliberately wrong password in a test", ("tests/",)),
    Allowed("not the password", "a deliberately wrong password in a test", ("tests/",)),
    Allowed("not-a-real-token", "a forged link token in a test", ("tests/",)),
    Allowed("forged", "a forged CSRF token in a test", ("tests/",)),
    Allowed("short", "a deliberately too short SECRET_KEY in a test", ("tests/",)),
    Allowed("s3cret-word", "a password kept off pg_dump's arguments", ("tests/",)),
    Allowed("browser-tests-client-secret-", "the test OpenID provider's client", ("tests/",)),
    Allowed("a-client-secret", "an OpenID client secret in a settings test", ("tests/",)),
]

#: Documentation placeholders in URLs: ``postgresql://user:password@db-host/...``.
URL_PLACEHOLDERS = re.compile(
    r"(?i)^(?:password|passwd|pass|pw|secret|x+|\*+|\.\.\.|…|\$\{?\w+\}?|<[^>]+>|\{\w+\})$"
)

#: Form-field names and other identifiers that end in a keyword but hold no secret.
NOT_SECRET_KEYS = re.compile(r"(?i)\b(?:csrf_token|csrf|nonce)[\"']?\s*[:=]")

#: Files that must never be tracked, whatever they contain.
FORBIDDEN_NAMES = re.compile(
    r"(?:^|/)(?:secret_key|anon_secret|\.env(?:\.[\w-]+)?|id_rsa|id_ed25519|[^/]+\.pem|[^/]+\.key"
    r"|[^/]+\.p12|[^/]+\.pfx|credentials\.json)$"
)
FORBIDDEN_EXCEPTIONS = {".env.example"}


def repository_files() -> list[str]:
    """Tracked files, plus untracked ones that are not ignored (about to be committed)."""
    require(bool(shutil.which("git")) and (ROOT / ".git").exists(), "a git checkout", "clone it")
    listed = set()
    for args in (["ls-files", "-z"], ["ls-files", "-z", "--others", "--exclude-standard"]):
        output = subprocess.run(
            ["git", *args], cwd=ROOT, capture_output=True, check=True, timeout=60
        ).stdout
        listed.update(name for name in output.decode().split("\0") if name)
    return sorted(listed)


def _allowed(path: str, value: str) -> bool:
    return any(
        value.startswith(entry.value) and (not entry.under or path.startswith(entry.under))
        for entry in ALLOWED
    )


def _harmless(path: str, rule: str, match: re.Match[str]) -> bool:
    """A form field named like a secret, an allowed literal, or a placeholder in a URL."""
    if rule == "password in a URL":
        return bool(URL_PLACEHOLDERS.match(match.group("password")))
    if rule == "secret assigned in code":
        return bool(NOT_SECRET_KEYS.search(match.group(0))) or _allowed(path, match.group("value"))
    return False


def scan_text(path: str, text: str) -> list[str]:
    """Every finding in one file's text, as "path:line: rule"."""
    findings = []
    for number, line in enumerate(text.splitlines(), start=1):
        for rule, pattern in RULES.items():
            for match in pattern.finditer(line):
                if _harmless(path, rule, match):
                    continue
                findings.append(f"{path}:{number}: {rule}")
    return findings


def scan_file(path: str) -> list[str]:
    """Findings in one repository file (binary and huge files are skipped)."""
    full = ROOT / path
    if not full.is_file():  # deleted in the work tree, not yet committed
        return []
    data = full.read_bytes()[:MAX_BYTES]
    if b"\0" in data:
        return []
    return scan_text(path, data.decode("utf-8", "replace"))


def test_no_secret_is_committed():
    findings = [finding for path in repository_files() for finding in scan_file(path)]
    assert not findings, "possible secrets (allowlist in this file):\n" + "\n".join(findings)


def test_no_secret_file_is_tracked():
    files = repository_files()
    assert files, "git listed no files"
    tracked = [
        path
        for path in files
        if FORBIDDEN_NAMES.search(path) and PurePosixPath(path).name not in FORBIDDEN_EXCEPTIONS
    ]
    assert not tracked, f"files that must never be committed: {tracked}"


def test_the_instance_folder_is_ignored():
    """Generated secrets live in instance/; git must ignore it so they are never added."""
    require(bool(shutil.which("git")) and (ROOT / ".git").exists(), "a git checkout", "clone it")
    for name in ("instance/secret_key", "instance/anon_secret", "instance/dialogue.db"):
        result = subprocess.run(
            ["git", "check-ignore", "-q", name], cwd=ROOT, capture_output=True, timeout=30
        )
        assert result.returncode == 0, f"{name} is not ignored by .gitignore"


# Samples are assembled at run time so that this file never matches its own rules.
SAMPLES = [
    ("private key", "-----BEGIN " + "RSA PRIVATE KEY-----"),
    ("AWS access key id", "key_id = " + "AKIA" + "Q" * 16),
    ("AWS secret access key", "aws_secret_access_key = " + "a" * 20 + "/" + "B" * 19),
    ("GitHub token", "ghp_" + "x" * 36),
    ("Slack token", "xox" + "b-1234567890-abcdef"),
    ("Google API key", "AI" + "za" + "S" * 35),
    ("Stripe live key", "sk" + "_live_" + "4" * 24),
    ("JSON web token", "ey" + "J" + "a" * 12 + ".ey" + "J" + "b" * 12 + ".sig"),
    ("password in a URL", "postgresql://" + "app:" + "s3cr3t-pw" + "@db.example.org/x"),
    ("secret assigned in code", "DB_PASSWORD = " + '"' + "hunter2hunter2" + '"'),
]


@pytest.mark.parametrize(("rule", "sample"), SAMPLES)
def test_the_scanner_finds(rule, sample):
    assert f"dialogue/x.py:1: {rule}" in scan_text("dialogue/x.py", sample)


def test_every_rule_has_a_sample():
    assert sorted(rule for rule, _ in SAMPLES) == sorted(RULES)


def test_the_allowlist_is_narrow():
    line = "STAFF_PASSWORD = " + '"' + "correct horse battery staple" + '"'
    assert scan_text("tests/factories.py", line) == []
    assert scan_text("dialogue/settings.py", line) == [
        "dialogue/settings.py:1: secret assigned in code"
    ]
    assert scan_text("tests/x.py", 'data = {"csrf_token": "' + 'abcdefgh"}') == []
    assert scan_text("x.py", "url = 'postgresql+psycopg://postgres@127.0.0.1:5432/x'") == []
    for placeholder in ("password", "PASSWORD", "${DB_PASSWORD}", "<password>", "..."):
        assert scan_text("README.md", f"postgresql://user:{placeholder}@db-host/x") == []
