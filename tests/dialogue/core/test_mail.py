"""Sending e-mail: through a real SMTP server, or into the outbox folder when none is set."""

from __future__ import annotations

import contextlib
import email
import email.policy
import logging
import socket

import pytest
from aiosmtpd.controller import Controller

from dialogue.core.mail import MailError, OutgoingMail, send_batch, send_mail


class _Capture:
    """An aiosmtpd handler that keeps every message it receives, and counts connections."""

    def __init__(self):
        self.messages = []
        self.connections = 0

    async def handle_EHLO(self, server, session, envelope, hostname, responses):  # noqa: N802
        session.host_name = hostname
        self.connections += 1
        return responses

    async def handle_DATA(self, server, session, envelope):  # noqa: N802
        message = email.message_from_bytes(envelope.content, policy=email.policy.default)
        self.messages.append(message)
        return "250 OK"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@contextlib.contextmanager
def running_smtp_server(app, monkeypatch):
    """A real SMTP server on 127.0.0.1, and the app configured to use it."""
    capture = _Capture()
    port = free_port()
    controller = Controller(capture, hostname="127.0.0.1", port=port)
    controller.start()
    capture.connections = 0  # the controller's own start-up probe
    monkeypatch.setitem(app.config, "MAIL_SERVER", "127.0.0.1")
    monkeypatch.setitem(app.config, "MAIL_PORT", port)
    try:
        yield capture
    finally:
        controller.stop()


@pytest.fixture
def smtp_server(app, monkeypatch):
    """The messages a real SMTP server received during the test."""
    with running_smtp_server(app, monkeypatch) as capture:
        yield capture


def body_of(message) -> str:
    return message.get_body(preferencelist=("plain",)).get_content()


def test_a_batch_goes_out_over_one_smtp_connection(app_context, smtp_server):
    mails = [OutgoingMail(f"p{n}@example.org", "Hej", f"Brødtekst {n}") for n in range(3)]

    delivery = send_batch(mails)

    assert delivery.sent == 3
    assert delivery.outbox is None
    assert smtp_server.connections == 1
    assert [m["To"] for m in smtp_server.messages] == [m.to for m in mails]
    assert body_of(smtp_server.messages[1]).strip() == "Brødtekst 1"
    assert smtp_server.messages[0]["From"] == "dialog@localhost"
    assert smtp_server.messages[0]["Auto-Submitted"] == "auto-generated"


def test_without_a_mail_server_mails_are_written_to_the_outbox(app, app_context, tmp_path):
    app.config["MAIL_OUTBOX"], old = str(tmp_path / "outbox"), app.config["MAIL_OUTBOX"]
    try:
        delivery = send_mail("søren@example.org", "Invitation: Værdier", "Hej Søren")
    finally:
        app.config["MAIL_OUTBOX"] = old

    files = list((tmp_path / "outbox").glob("*.eml"))
    assert delivery.outbox == str(tmp_path / "outbox")
    assert len(files) == 1
    message = email.message_from_bytes(files[0].read_bytes(), policy=email.policy.default)
    assert message["Subject"] == "Invitation: Værdier"
    assert body_of(message).strip() == "Hej Søren"


def test_an_unreachable_server_raises_mail_error(app, app_context, monkeypatch):
    monkeypatch.setitem(app.config, "MAIL_SERVER", "127.0.0.1")
    monkeypatch.setitem(app.config, "MAIL_PORT", free_port())
    with pytest.raises(MailError):
        send_mail("a@example.org", "Subject", "Body")


def test_logs_hold_counts_but_no_addresses_or_bodies(app_context, smtp_server, caplog):
    caplog.set_level(logging.DEBUG)
    send_batch([OutgoingMail("secret.person@example.org", "Subject", "private body text")])
    ours = "\n".join(r.getMessage() for r in caplog.records if r.name.startswith("dialogue"))
    assert "1 sent" in ours
    assert "secret.person" not in ours
    assert "private body" not in ours
