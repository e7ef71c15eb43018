"""Outgoing mail, sent only after the transaction that caused it has committed.

Without ``MAIL_SERVER`` the message goes to the log (and, under test, to an outbox list).
"""

from __future__ import annotations

import logging
import smtplib
from dataclasses import dataclass
from email.message import EmailMessage

from flask import current_app

from core.db import on_commit

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Attachment:
    filename: str
    content: bytes
    maintype: str = "application"
    subtype: str = "octet-stream"
    params: tuple[tuple[str, str], ...] = ()  #: e.g. (("method", "REQUEST"),) for iCalendar


@dataclass(frozen=True)
class OutgoingMail:
    to: str
    subject: str
    body: str
    attachments: tuple[Attachment, ...] = ()


def calendar_attachment(ics: str, *, method: str, filename: str = "invite.ics") -> Attachment:
    """An iCalendar invitation or cancellation, as mail clients expect it."""
    return Attachment(filename=filename, content=ics.encode(), maintype="text",
                      subtype="calendar", params=(("method", method),))


def send_mail(*, to: str, subject: str, body: str,
              attachments: tuple[Attachment, ...] = ()) -> None:
    """Queue a plain-text message for after the commit. Subject and body are already
    rendered in the recipient's language."""
    message = OutgoingMail(to=to, subject=str(subject), body=str(body),
                           attachments=tuple(attachments))
    app = current_app._get_current_object()
    on_commit(lambda: _deliver(app, message))


def _deliver(app, message: OutgoingMail) -> None:
    if app.testing:
        app.extensions.setdefault("parkwell_outbox", []).append(message)
    if app.config.get("MAIL_SUPPRESS_SEND"):
        log.info("mail not sent (MAIL_SUPPRESS_SEND) to=%s subject=%s", message.to,
                 message.subject)
        return
    server = app.config.get("MAIL_SERVER")
    if not server:
        log.info("mail (no MAIL_SERVER set) to=%s subject=%s\n%s",
                 message.to, message.subject, message.body)
        return
    email = EmailMessage()
    email["From"] = app.config["MAIL_DEFAULT_SENDER"]
    email["To"] = message.to
    email["Subject"] = message.subject
    email.set_content(message.body)
    for attachment in message.attachments:
        email.add_attachment(attachment.content, maintype=attachment.maintype,
                             subtype=attachment.subtype, filename=attachment.filename,
                             params=dict(attachment.params))
    with smtplib.SMTP(server, app.config["MAIL_PORT"], timeout=10) as smtp:
        if app.config.get("MAIL_USE_TLS"):
            smtp.starttls()
        if app.config.get("MAIL_USERNAME"):
            smtp.login(app.config["MAIL_USERNAME"], app.config["MAIL_PASSWORD"] or "")
        smtp.send_message(email)
