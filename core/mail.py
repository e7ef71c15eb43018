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
from typing import Any

from flask import Flask, current_app
from sqlalchemy import JSON, Index, String, Text, delete, event, insert, select, update
from sqlalchemy.orm import Mapped, Session, mapped_column

from core.db import Model, UTCDateTime, db, on_commit, rows_affected, str_enum

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


class OutboxMail(Model):
    """A message waiting for the worker (``MAIL_DELIVERY=queue``). Sent rows are kept a week
    for support questions ("was it sent?"), then pruned; never the place to read mail from."""

    __tablename__ = "mail_outbox"
    __table_args__ = (Index("ix_mail_outbox_due", "status", "next_attempt_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    to: Mapped[str] = mapped_column(String(320))
    subject: Mapped[str] = mapped_column(String(500))
    body: Mapped[str] = mapped_column(Text)
    #: ``[{"filename", "content" (base64), "maintype", "subtype", "params"}]``
    attachments: Mapped[list[Any]] = mapped_column(JSON, default=list)
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
    app = current_app._get_current_object()  # type: ignore[attr-defined]  # a LocalProxy
    if delivery_mode(app) == QUEUE:
        _enqueue(message)
        return
    on_commit(lambda: _deliver(app, message))


QUEUE, INLINE = "queue", "inline"


def delivery_mode(app: Flask) -> str:
    default = INLINE if app.testing or app.config.get("JOBS_MODE") == INLINE else QUEUE
    mode = app.config.get("MAIL_DELIVERY") or default
    return QUEUE if mode == QUEUE else INLINE


_PENDING_KEY = "parkwell_mail_outbox"


def _enqueue(message: OutgoingMail) -> None:
    """Held on the session and written in one multi-row INSERT just before the transaction
    commits (20,000 ORM objects would cost the request seconds); dropped on rollback."""
    from core.clock import utcnow

    now = utcnow()
    db.session().info.setdefault(_PENDING_KEY, []).append({
        "to": message.to, "subject": message.subject[:500], "body": message.body,
        "attachments": [{"filename": a.filename,
                         "content": base64.b64encode(a.content).decode(),
                         "maintype": a.maintype, "subtype": a.subtype,
                         "params": [list(p) for p in a.params]} for a in message.attachments],
        "status": OutboxStatus.QUEUED, "attempts": 0, "next_attempt_at": now,
        "last_error": "", "created_at": now})


@event.listens_for(Session, "before_commit")
def _write_pending(session: Session) -> None:
    pending = session.info.pop(_PENDING_KEY, None)
    if pending:
        session.execute(insert(OutboxMail), pending)


@event.listens_for(Session, "after_rollback")
def _drop_pending(session: Session) -> None:
    session.info.pop(_PENDING_KEY, None)


#: Retries: 30 s, 1 min, 2 min, … doubling, at most an hour apart; given up after
#: MAIL_MAX_ATTEMPTS (8: about two hours of trying).
BACKOFF_FIRST = timedelta(seconds=30)
BACKOFF_MAX = timedelta(hours=1)
#: A claimed batch not finished in this long (the worker died) is tried again.
LEASE = timedelta(minutes=5)
KEEP_SENT = timedelta(days=7)


def backoff(attempts: int) -> timedelta:
    factor: int = 2 ** max(0, attempts - 1)
    return min(BACKOFF_MAX, BACKOFF_FIRST * factor)


def deliver_due(*, now: datetime, limit: int | None = None) -> int:
    """The worker's part: claim up to ``MAIL_BATCH_SIZE`` due messages (rows no other
    worker holds), commit the claim, send them over one SMTP connection, and record the
    outcomes in two statements. A message that fails is retried with backoff; the batch goes
    on. Returns how many were sent. (At least once: a worker killed mid-batch leaves its
    claim to expire after ``LEASE`` and another sends those messages again.)"""
    app = current_app._get_current_object()  # type: ignore[attr-defined]  # a LocalProxy
    limit = limit or int(app.config.get("MAIL_BATCH_SIZE", 200))
    rows = db.session.scalars(
        select(OutboxMail).where(OutboxMail.status == OutboxStatus.QUEUED,
                                 OutboxMail.next_attempt_at <= now)
        .order_by(OutboxMail.next_attempt_at, OutboxMail.id).limit(limit)
        .with_for_update(skip_locked=True)).all()
    if not rows:
        db.session.rollback()
        return 0
    # Read everything before the claim commits (expired rows would be reloaded one by one).
    batch = [(row.id, row.attempts + 1, row.message()) for row in rows]
    ids = [row_id for row_id, _attempts, _message in batch]
    db.session.execute(update(OutboxMail).where(OutboxMail.id.in_(ids)).values(
        attempts=OutboxMail.attempts + 1, next_attempt_at=now + LEASE),
        execution_options={"synchronize_session": False})
    db.session.commit()
    max_attempts = int(app.config.get("MAIL_MAX_ATTEMPTS", 8))
    sent: list[int] = []
    with SmtpSession(app) as smtp:
        for row_id, attempts, message in batch:
            try:
                smtp.send(message)
            except (smtplib.SMTPException, OSError) as exc:
                _record_failure(row_id, attempts, exc, now=now, max_attempts=max_attempts)
                continue
            sent.append(row_id)
    if sent:
        db.session.execute(update(OutboxMail).where(OutboxMail.id.in_(sent)).values(
            status=OutboxStatus.SENT, sent_at=now, last_error=""),
            execution_options={"synchronize_session": False})
    db.session.commit()
    return len(sent)


def _record_failure(row_id: int, attempts: int, exc: Exception, *, now: datetime,
                    max_attempts: int) -> None:
    error = exc.__class__.__name__
    if attempts >= max_attempts:
        values: dict[str, Any] = {"status": OutboxStatus.FAILED, "last_error": error}
        log.error("mail %s given up after %s attempts (%s)", row_id, attempts, error)
    else:
        values = {"next_attempt_at": now + backoff(attempts), "last_error": error}
        log.warning("mail %s failed (%s), attempt %s; retried at %s", row_id, error, attempts,
                    values["next_attempt_at"].isoformat())
    db.session.execute(update(OutboxMail).where(OutboxMail.id == row_id).values(**values),
                       execution_options={"synchronize_session": False})


def prune_outbox(*, now: datetime) -> int:
    """Forget sent messages after ``KEEP_SENT`` (failed ones stay for an operator)."""
    result = db.session.execute(delete(OutboxMail).where(
        OutboxMail.status == OutboxStatus.SENT, OutboxMail.sent_at < now - KEEP_SENT))
    return rows_affected(result)


class SmtpSession:
    """One SMTP connection for many messages, opened on the first one (so an empty batch
    opens none) and reopened once if the server drops it; without ``MAIL_SERVER`` messages
    go to the log."""

    def __init__(self, app: Flask) -> None:
        self.app = app
        self.smtp: smtplib.SMTP | None = None

    def __enter__(self) -> SmtpSession:
        return self

    def __exit__(self, *exc: object) -> None:
        if self.smtp is not None:
            try:
                self.smtp.quit()
            except (smtplib.SMTPException, OSError):
                self.smtp.close()
            self.smtp = None

    def send(self, message: OutgoingMail) -> None:
        if self.app.testing:
            self.app.extensions.setdefault("parkwell_outbox", []).append(message)
        if self.app.config.get("MAIL_SUPPRESS_SEND"):
            log.info("mail not sent (MAIL_SUPPRESS_SEND) to=%s subject=%s", message.to,
                     message.subject)
            return
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


def _connect(app: Flask) -> smtplib.SMTP:
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


def _deliver(app: Flask, message: OutgoingMail) -> None:
    """Inline delivery, right after the commit: one connection for this message."""
    with SmtpSession(app) as smtp:
        smtp.send(message)


def _email(app: Flask, message: OutgoingMail) -> EmailMessage:
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
