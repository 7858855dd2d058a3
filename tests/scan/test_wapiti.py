"""Wapiti scans the demo as a logged-in participant and finds nothing (TARGETS S3).

The scan runs against gunicorn with the production configuration, serving the demo dialogue
over HTTPS on 127.0.0.1 with a self-signed certificate made for the test. HTTPS, because that
is how the app is deployed: it marks its session cookie Secure only when ``PUBLIC_URL`` is
https, and browsers heed HSTS only over HTTPS. Scanning plain HTTP would report a missing
Secure flag that production never has, and a pass there would prove nothing about it.

Wapiti lives in a virtualenv of its own (``make scan-deps``): it pins versions of Flask,
SQLAlchemy and cryptography older than the app's, so it cannot share the app's environment.
"""

from __future__ import annotations

import datetime as dt
import http.cookiejar
import ipaddress
import json
import os
import re
import ssl
import subprocess
import sys
import time
import urllib.parse
import urllib.request
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from benchmarks.harness import ROOT, SECRETS, free_port, scratch_database
from tests.browser.conftest import ARTIFACTS
from tests.conftest import require
from tests.reliability.helpers import run_backend

pytestmark = pytest.mark.slow

WAPITI = ROOT / ".venv-wapiti" / "bin" / "wapiti"
BIN = Path(sys.executable).parent
MODULES = "xss,csp,http_headers,cookieflags"
#: Bounds that keep the scan to about two minutes on the 2-core machine; it stops by itself.
SCAN_SECONDS, ATTACK_SECONDS, DEPTH = 90, 30, 3
CSRF = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')
#: The server's certificate is the self-signed one this test made, so it is not verified.
UNVERIFIED = ssl._create_unverified_context()


def self_signed_certificate(directory: Path) -> tuple[Path, Path]:
    """A certificate for 127.0.0.1, valid for a day, and its key."""
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")])
    now = dt.datetime.now(dt.UTC)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(minutes=5))
        .not_valid_after(now + dt.timedelta(days=1))
        .add_extension(
            x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]),
            critical=False,
        )
        .sign(key, hashes.SHA256())
    )
    cert_path, key_path = directory / "cert.pem", directory / "key.pem"
    cert_path.write_bytes(certificate.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    return cert_path, key_path


@pytest.fixture
def scan_database(tmp_path):
    """A migrated, empty database of the run's backend (SQLite, or PostgreSQL in CI's 2nd pass)."""
    with scratch_database(
        run_backend(), tmp_path / "db", pg_url=os.environ.get("TEST_DATABASE_URL")
    ) as url:
        yield url


@pytest.fixture
def https_demo(scan_database, tmp_path):
    """The demo dialogue served by gunicorn over HTTPS; yields its URL and the demo's output."""
    port = free_port()
    url = f"https://127.0.0.1:{port}"
    env = {
        **os.environ,
        **SECRETS,
        "DATABASE_URL": scan_database,
        "DIALOGUE_INSTANCE_PATH": str(tmp_path / "instance"),
        "PUBLIC_URL": url,
        "JOBS_RUNNER": "inline",
        "GUNICORN_BIND": f"127.0.0.1:{port}",
        "GUNICORN_WORKERS": "2",
        "GUNICORN_ACCESSLOG": "",
    }
    demo = subprocess.run(
        [BIN / "dialogue", "demo"], env=env, check=True, capture_output=True, text=True
    ).stdout
    cert, key = self_signed_certificate(tmp_path)
    log = open(tmp_path / "gunicorn.log", "wb")  # noqa: SIM115 - closed below
    server = subprocess.Popen(
        [BIN / "gunicorn", "-c", ROOT / "gunicorn.conf.py", "--certfile", cert, "--keyfile", key]
        + ["dialogue.wsgi:app"],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    try:
        wait_until_up(url, server)
        yield url, demo
    finally:
        server.terminate()
        server.wait(timeout=30)
        log.close()


def wait_until_up(url: str, server: subprocess.Popen) -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        assert server.poll() is None, "gunicorn exited during start-up"
        try:
            with urllib.request.urlopen(f"{url}/healthz", timeout=2, context=UNVERIFIED):
                return
        except OSError:
            time.sleep(0.2)
    raise RuntimeError("gunicorn did not answer within 30 s")


def participant_cookie(url: str, demo_output: str) -> str:
    """Log in with the demo's first participant link; the session cookie as ``name=value``."""
    link = re.findall(rf"{re.escape(url)}/link/\S+", demo_output)[0]
    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(
        urllib.request.HTTPSHandler(context=UNVERIFIED), urllib.request.HTTPCookieProcessor(jar)
    )
    page = opener.open(link, timeout=10).read().decode()
    token = CSRF.search(page).group(1)
    body = urllib.parse.urlencode({"csrf_token": token}).encode()
    # Over HTTPS, Flask-WTF also wants a same-origin Referer, as a browser sends it.
    form = urllib.request.Request(link, data=body, headers={"Referer": link})
    with opener.open(form, timeout=10) as response:
        assert "/link/" not in response.url  # the link was accepted and led into the dialogue
    cookies = [cookie for cookie in jar if cookie.name == "__Host-session"]
    assert cookies
    assert cookies[0].secure  # over HTTPS the app marks its session cookie Secure
    return f"__Host-session={cookies[0].value}"


def test_wapiti_finds_nothing_on_the_demo_over_https(https_demo, tmp_path):
    require(WAPITI.exists(), "wapiti", "`make scan-deps` installs it")
    url, demo = https_demo
    cookie = participant_cookie(url, demo)
    ARTIFACTS.mkdir(exist_ok=True)
    report = ARTIFACTS / "wapiti.json"
    command = [
        WAPITI,
        "--url", f"{url}/",
        "--module", MODULES,
        "--cookie-value", cookie,
        "--exclude", f"{url}/logout",
        "--scope", "folder",
        "--depth", str(DEPTH),
        "--max-scan-time", str(SCAN_SECONDS),
        "--max-attack-time", str(ATTACK_SECONDS),
        "--verify-ssl", "0",
        "--flush-session",
        "--store-session", tmp_path / "session",
        "--store-config", tmp_path / "config",
        "--format", "json",
        "--output", report,
    ]  # fmt: skip
    result = subprocess.run(
        [str(part) for part in command],
        capture_output=True,
        text=True,
        timeout=SCAN_SECONDS + 60,
        check=False,
    )
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    findings = json.loads(report.read_text())
    found = {
        kind: entries
        for section in ("vulnerabilities", "anomalies")
        for kind, entries in findings[section].items()
        if entries
    }
    assert findings["infos"]["target"].startswith(url)
    assert findings["infos"]["crawled_pages_nbr"] >= 20  # it got past the login into the dialogue
    assert found == {}
