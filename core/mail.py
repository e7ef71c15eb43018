"""Outgoing mail, sent only after the transaction that caused it has committed.

Two ways to deliver (``MAIL_DELIVERY``):

- ``queue`` (the default outside tests): ``send_mail`` adds the message to the
  ``mail_outbox`` table *in the transaction that caused it* (it goes out if and only if that
  commits), and the worker delivers the queue in batches over one SMTP connection, retrying
  with exponential backoff. A request that mails 20,000 people only writes 20,000 rows.
- ``inline`` (tests, and where no worker runs): delivered by the process itself right after
  the commit, one connection per message.

Without ``MAIL_SERVER`` the message goes to the log (and, under test, to an outbox list).
``MAIL_USE_SSL`` speaks SMTPS (implicit TLS, port 465); ``MAIL_USE_TLS`` STARTTLS (587).
"""

from __future__ import annotations

import base64
import logging
import smtplib
import ssl
from dataclasses import dataclass
from datetime import datetime, timedelta
from email.message import EmailMessage
from enum import StrEnum

from flask import current_app
from sqlalchemy import JSON, Index, String, Text, delete, select
from sqlalchemy.orm import Mapped, mapped_column

from core.db import UTCDateTime, db, on_commit, str_enum

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


class OutboxStatus(StrEnum):
    QUEUED = "queued"
    SENT = "sent"
    FAILED = "failed"  #: gave up after MAIL_MAX_ATTEMPTS


class OutboxMail(db.Model):
    """A message waiting for the worker (``MAIL_DELIVERY=queue``). Sent rows are kept a week
    for support questions ("was it sent?"), then pruned; never the place to read mail from."""

    __tablename__ = "mail_outbox"
    __table_args__ = (Index("ix_mail_outbox_due", "status", "next_attempt_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    to: Mapped[str] = mapped_column(String(320))
    subject: Mapped[str] = mapped_column(String(500))
    body: Mapped[str] = mapped_column(Text)
    #: ``[{"filename", "content" (base64), "maintype", "subtype", "params"}]``
    attachments: Mapped[list] = mapped_column(JSON, default=list)
    status: Mapped[OutboxStatus] = mapped_column(str_enum(OutboxStatus, 10))
    attempts: Mapped[int] = mapped_column(default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(UTCDateTime())
    #: The class of the last error (never the server's text, which may quote the address).
    last_error: Mapped[str] = mapped_column(String(80), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    def message(self) -> OutgoingMail:
        return OutgoingMail(to=self.to, subject=self.subject, body=self.body, attachments=tuple(
            Attachment(filename=a["filename"], content=base64.b64decode(a["content"]),
                       maintype=a["maintype"], subtype=a["subtype"],
                       params=tuple(tuple(p) for p in a["params"]))
            for a in self.attachments))


def send_mail(*, to: str, subject: str, body: str,
              attachments: tuple[Attachment, ...] = ()) -> None:
    """Send a plain-text message once the current transaction commits (queued for the
    worker, or delivered right after the commit: ``MAIL_DELIVERY``). Subject and body are
    already rendered in the recipient's language."""
    message = OutgoingMail(to=to, subject=str(subject), body=str(body),
                           attachments=tuple(attachments))
    app = current_app._get_current_object()
    if delivery_mode(app) == QUEUE:
        _enqueue(message)
        return
    on_commit(lambda: _deliver(app, message))


QUEUE, INLINE = "queue", "inline"


def delivery_mode(app) -> str:
    mode = app.config.get("MAIL_DELIVERY") or (INLINE if app.testing else QUEUE)
    return QUEUE if mode == QUEUE else INLINE


def _enqueue(message: OutgoingMail) -> None:
    from core.clock import utcnow

    now = utcnow()
    db.session.add(OutboxMail(
        to=message.to, subject=message.subject[:500], body=message.body,
        attachments=[{"filename": a.filename, "content": base64.b64encode(a.content).decode(),
                      "maintype": a.maintype, "subtype": a.subtype,
                      "params": [list(p) for p in a.params]} for a in message.attachments],
        status=OutboxStatus.QUEUED, attempts=0, next_attempt_at=now, last_error="",
        created_at=now))


#: Retries: 30 s, 1 min, 2 min, … doubling, at most an hour apart; given up after
#: MAIL_MAX_ATTEMPTS (8: about two hours of trying).
BACKOFF_FIRST = timedelta(seconds=30)
BACKOFF_MAX = timedelta(hours=1)
#: A claimed batch not finished in this long (the worker died) is tried again.
LEASE = timedelta(minutes=5)
KEEP_SENT = timedelta(days=7)


def backoff(attempts: int) -> timedelta:
    return min(BACKOFF_MAX, BACKOFF_FIRST * (2 ** max(0, attempts - 1)))


def deliver_due(*, now: datetime, limit: int | None = None) -> int:
    """The worker's part: claim up to ``MAIL_BATCH_SIZE`` due messages (rows no other
    worker holds), commit the claim, send them over one SMTP connection, and record each
    outcome. A message that fails is retried with backoff; the batch goes on. Returns how
    many were sent. (At least once: a worker killed mid-batch leaves its claim to expire and
    the messages are sent again by another.)"""
    app = current_app._get_current_object()
    limit = limit or int(app.config.get("MAIL_BATCH_SIZE", 200))
    rows = db.session.scalars(
        select(OutboxMail).where(OutboxMail.status == OutboxStatus.QUEUED,
                                 OutboxMail.next_attempt_at <= now)
        .order_by(OutboxMail.next_attempt_at, OutboxMail.id).limit(limit)
        .with_for_update(skip_locked=True)).all()
    if not rows:
        db.session.rollback()
        return 0
    for row in rows:
        row.attempts += 1
        row.next_attempt_at = now + LEASE
    db.session.commit()
    max_attempts = int(app.config.get("MAIL_MAX_ATTEMPTS", 8))
    sent = 0
    with SmtpSession(app) as smtp:
        for row in rows:
            try:
                smtp.send(row.message())
            except (smtplib.SMTPException, OSError) as exc:
                row.last_error = exc.__class__.__name__
                if row.attempts >= max_attempts:
                    row.status = OutboxStatus.FAILED
                    log.error("mail %s given up after %s attempts (%s)", row.id, row.attempts,
                              row.last_error)
                else:
                    row.next_attempt_at = now + backoff(row.attempts)
                    log.warning("mail %s failed (%s), retry %s at %s", row.id, row.last_error,
                                row.attempts, row.next_attempt_at.isoformat())
                continue
            row.status, row.sent_at, row.last_error = OutboxStatus.SENT, now, ""
            sent += 1
    db.session.commit()
    return sent


def prune_outbox(*, now: datetime) -> int:
    """Forget sent messages after ``KEEP_SENT`` (failed ones stay for an operator)."""
    result = db.session.execute(delete(OutboxMail).where(
        OutboxMail.status == OutboxStatus.SENT, OutboxMail.sent_at < now - KEEP_SENT))
    return result.rowcount or 0


class SmtpSession:
    """One SMTP connection for many messages, opened on the first one (so an empty batch
    opens none) and reopened once if the server drops it; without ``MAIL_SERVER`` messages
    go to the log."""

    def __init__(self, app) -> None:
        self.app = app
        self.smtp: smtplib.SMTP | None = None

    def __enter__(self) -> SmtpSession:
        return self

    def __exit__(self, *exc) -> None:
        if self.smtp is not None:
            try:
                self.smtp.quit()
            except (smtplib.SMTPException, OSError):
                self.smtp.close()
            self.smtp = None

    def send(self, message: OutgoingMail) -> None:
        if self.app.testing:
            self.app.extensions.setdefault("parkwell_outbox", []).append(message)
        if not self.app.config.get("MAIL_SERVER"):
            log.info("mail (no MAIL_SERVER set) to=%s subject=%s\n%s",
                     message.to, message.subject, message.body)
            return
        email = _email(self.app, message)
        if self.smtp is None:
            self.smtp = _connect(self.app)
        try:
            self.smtp.send_message(email)
        except smtplib.SMTPServerDisconnected:
            self.smtp = _connect(self.app)
            self.smtp.send_message(email)


def _connect(app) -> smtplib.SMTP:
    server, port = app.config["MAIL_SERVER"], int(app.config["MAIL_PORT"])
    context = ssl.create_default_context()
    if app.config.get("MAIL_USE_SSL"):
        smtp: smtplib.SMTP = smtplib.SMTP_SSL(server, port, timeout=10, context=context)
    else:
        smtp = smtplib.SMTP(server, port, timeout=10)
        if app.config.get("MAIL_USE_TLS"):
            smtp.starttls(context=context)
    if app.config.get("MAIL_USERNAME"):
        smtp.login(app.config["MAIL_USERNAME"], app.config["MAIL_PASSWORD"] or "")
    return smtp


def _deliver(app, message: OutgoingMail) -> None:
    """Inline delivery, right after the commit: one connection for this message."""
    with SmtpSession(app) as smtp:
        smtp.send(message)


def _email(app, message: OutgoingMail) -> EmailMessage:
    email = EmailMessage()
    email["From"] = app.config["MAIL_DEFAULT_SENDER"]
    email["To"] = message.to
    email["Subject"] = message.subject
    email.set_content(message.body)
    for attachment in message.attachments:
        email.add_attachment(attachment.content, maintype=attachment.maintype,
                             subtype=attachment.subtype, filename=attachment.filename,
                             params=dict(attachment.params))
    return email
