"""Outgoing e-mail: plain-text messages through SMTP, or into an outbox folder without a server.

The standard library does the work (``smtplib``, ``email.message``): it is well kept and needs no
extension object. A batch of messages shares one SMTP connection. Recipients and bodies carry
login links and identities, so nothing here logs more than counts.
"""

from __future__ import annotations

import logging
import os
import smtplib
import ssl
import uuid
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import formatdate, make_msgid
from pathlib import Path

from flask import current_app

from dialogue.core.clock import utcnow

logger = logging.getLogger(__name__)

#: Seconds to wait for the mail server before giving up on a batch.
SMTP_TIMEOUT = 30

#: The port on which SMTP speaks TLS from the first byte (rather than upgrading with STARTTLS).
IMPLICIT_TLS_PORT = 465


class MailError(Exception):
    """The mail server could not be used; ``sent`` messages of the batch went out before."""

    def __init__(self, sent: int, total: int):
        super().__init__(f"mail server failed after {sent} of {total} messages")
        self.sent = sent
        self.total = total


@dataclass(frozen=True)
class OutgoingMail:
    """One plain-text message to one recipient."""

    to: str
    subject: str
    body: str


@dataclass(frozen=True)
class Delivery:
    """What happened to a batch: how many went out, how many the server refused, and where to.

    ``outbox`` is the folder the messages were written into when no mail server is configured,
    so that the admin page and the CLI can say where to find them.
    """

    sent: int
    refused: int = 0
    outbox: str | None = None


@dataclass(frozen=True)
class MailSettings:
    """The mail settings of an app, read once so that sending needs no application context."""

    server: str
    port: int
    username: str
    password: str
    use_tls: bool
    sender: str
    outbox: str

    @classmethod
    def from_config(cls, config: Mapping) -> MailSettings:
        """Take the ``MAIL_*`` settings ``dialogue.core.config`` read from the environment."""
        return cls(
            server=config["MAIL_SERVER"],
            port=int(config["MAIL_PORT"]),
            username=config["MAIL_USERNAME"],
            password=config["MAIL_PASSWORD"],
            use_tls=bool(config["MAIL_USE_TLS"]),
            sender=config["MAIL_SENDER"],
            outbox=config["MAIL_OUTBOX"],
        )


def outbox_in_use(config: Mapping | None = None) -> str | None:
    """The outbox folder if mails go there (no ``MAIL_SERVER``), else None."""
    config = config if config is not None else current_app.config
    return None if config["MAIL_SERVER"] else config["MAIL_OUTBOX"]


def build_message(mail: OutgoingMail, sender: str) -> EmailMessage:
    """A UTF-8 plain-text message, marked as automatic so that auto-replies stay away."""
    message = EmailMessage()
    message["From"] = sender
    message["To"] = mail.to
    message["Subject"] = mail.subject
    message["Date"] = formatdate(localtime=False)
    message["Message-ID"] = make_msgid(domain=sender.rpartition("@")[2] or None)
    message["Auto-Submitted"] = "auto-generated"
    message.set_content(mail.body)
    return message


def send_mail(to: str, subject: str, body: str) -> Delivery:
    """Send one message; see ``send_batch``."""
    return send_batch([OutgoingMail(to, subject, body)])


def send_batch(mails: Iterable[OutgoingMail], settings: MailSettings | None = None) -> Delivery:
    """Send every message of ``mails`` over one SMTP connection, or write them to the outbox.

    Parameters
    ----------
    mails : iterable of OutgoingMail
        The messages; an iterator is consumed lazily, so a large batch need not sit in memory.
    settings : MailSettings, optional
        Defaults to the current app's settings.

    Returns
    -------
    Delivery
        Counts, and the outbox folder when no server is configured.

    Raises
    ------
    MailError
        When the server cannot be reached or fails mid-batch; recipients it refuses one by one
        are counted in ``Delivery.refused`` instead.
    """
    settings = settings or MailSettings.from_config(current_app.config)
    if not settings.server:
        delivery = _write_outbox(mails, settings)
    else:
        delivery = _send_smtp(mails, settings)
    logger.info("mail batch: %d sent, %d refused", delivery.sent, delivery.refused)
    return delivery


def _write_outbox(mails: Iterable[OutgoingMail], settings: MailSettings) -> Delivery:
    """Write each message to a file with a random name, dated to the day only.

    A mail names its recipient; a file name or modification time to the second would record
    when a participant asked for a link, for whoever lists the folder (TARGETS A11).
    """
    folder = Path(settings.outbox)
    folder.mkdir(parents=True, exist_ok=True)
    midnight = utcnow().replace(hour=0, minute=0, second=0, microsecond=0).timestamp()
    sent = 0
    for mail in mails:
        path = folder / f"{uuid.uuid4().hex}.eml"
        path.write_bytes(bytes(build_message(mail, settings.sender)))
        os.utime(path, (midnight, midnight))
        sent += 1
    return Delivery(sent=sent, outbox=str(folder))


def _connect(settings: MailSettings) -> smtplib.SMTP:
    if settings.port == IMPLICIT_TLS_PORT:
        smtp = smtplib.SMTP_SSL(
            settings.server,
            settings.port,
            timeout=SMTP_TIMEOUT,
            context=ssl.create_default_context(),
        )
    else:
        smtp = smtplib.SMTP(settings.server, settings.port, timeout=SMTP_TIMEOUT)
        if settings.use_tls:
            smtp.starttls(context=ssl.create_default_context())
    if settings.username:
        smtp.login(settings.username, settings.password)
    return smtp


def _send_smtp(mails: Iterable[OutgoingMail], settings: MailSettings) -> Delivery:
    sent = refused = 0
    total = 0
    try:
        smtp = _connect(settings)
    except (OSError, smtplib.SMTPException) as exc:
        logger.error("mail server unavailable (%s)", type(exc).__name__)
        raise MailError(0, 0) from exc
    with smtp:
        for mail in mails:
            total += 1
            try:
                smtp.send_message(build_message(mail, settings.sender))
            except smtplib.SMTPRecipientsRefused:
                refused += 1
                continue
            except (OSError, smtplib.SMTPException) as exc:
                logger.error("mail server failed mid-batch (%s)", type(exc).__name__)
                raise MailError(sent, total) from exc
            sent += 1
    return Delivery(sent=sent, refused=refused)
