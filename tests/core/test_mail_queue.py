"""Mail off the request: a message is written to the outbox in the transaction that caused
it, and the worker sends the queue in batches over one SMTP connection, retrying failures
with backoff; SMTPS when configured. (How long 20,000 take is for the benchmark, not here.)"""

from __future__ import annotations

import smtplib
import threading
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from core import mail
from core.clock import utcnow
from core.db import db
from core.mail import OutboxMail, OutboxStatus, calendar_attachment, send_mail
from tests.faults.crash import SmtpSink


@pytest.fixture
def config_overrides():
    return {"MAIL_DELIVERY": "queue"}


class CountingSink(SmtpSink):
    """The crash test's SMTP sink, counting the connections made to it."""

    def __init__(self) -> None:
        super().__init__(0)
        self.connections = 0

    def finish_request(self, request, client_address) -> None:
        with self.lock:
            self.connections += 1
        super().finish_request(request, client_address)


@pytest.fixture
def smtp(app):
    sink = CountingSink()
    thread = threading.Thread(target=sink.serve_forever, daemon=True)
    thread.start()
    app.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=sink.server_address[1],
                      MAIL_USE_TLS=False, MAIL_USE_SSL=False, MAIL_USERNAME=None)
    yield sink
    sink.shutdown()
    sink.server_close()


def _queued() -> int:
    return db.session.scalar(select(func.count()).select_from(OutboxMail).where(
        OutboxMail.status == OutboxStatus.QUEUED))


def test_an_announcement_only_queues_its_mail_and_the_request_sends_nothing(app, smtp, outbox):
    for n in range(63):
        send_mail(to=f"staff{n}@example.com", subject="园区公告", body="周五下午停电")
    db.session.commit()
    assert _queued() == 63
    assert smtp.connections == 0 and outbox == []


def test_mail_of_a_rolled_back_change_is_never_sent(app, smtp):
    send_mail(to="a@example.com", subject="x", body="y")
    db.session.rollback()
    assert _queued() == 0
    assert mail.deliver_due(now=utcnow()) == 0 and smtp.connections == 0


def test_the_worker_sends_a_batch_over_one_connection(app, smtp):
    for n in range(25):
        send_mail(to=f"p{n}@example.com", subject=f"提醒 {n}", body="明天 9:00",
                  attachments=(calendar_attachment("BEGIN:VCALENDAR\r\n", method="REQUEST"),))
    db.session.commit()
    assert mail.deliver_due(now=utcnow()) == 25
    assert smtp.connections == 1
    assert sorted(m.to for m in smtp.mails) == sorted(f"p{n}@example.com" for n in range(25))
    assert smtp.mails[0].attachments == ["invite.ics"]
    assert _queued() == 0
    assert mail.deliver_due(now=utcnow()) == 0 and smtp.connections == 1  # nothing left


def test_batches_are_as_large_as_configured(app, smtp):
    app.config["MAIL_BATCH_SIZE"] = 10
    for n in range(25):
        send_mail(to=f"p{n}@example.com", subject="s", body="b")
    db.session.commit()
    assert [mail.deliver_due(now=utcnow()) for _ in range(4)] == [10, 10, 5, 0]
    assert smtp.connections == 3


def test_a_refused_message_is_retried_with_backoff_and_the_batch_goes_on(app, smtp,
                                                                         monkeypatch):
    send_mail(to="bounce@example.com", subject="s", body="b")
    send_mail(to="fine@example.com", subject="s", body="b")
    db.session.commit()
    real = mail.SmtpSession.send

    def refusing(self, message):
        if message.to == "bounce@example.com":
            raise smtplib.SMTPRecipientsRefused({message.to: (450, b"try later")})
        return real(self, message)

    monkeypatch.setattr(mail.SmtpSession, "send", refusing)
    now = utcnow()
    assert mail.deliver_due(now=now) == 1
    bounced = db.session.scalar(select(OutboxMail).where(OutboxMail.to == "bounce@example.com"))
    assert bounced.status == OutboxStatus.QUEUED and bounced.attempts == 1
    assert bounced.last_error == "SMTPRecipientsRefused"
    assert bounced.next_attempt_at == now + timedelta(seconds=30)
    assert mail.deliver_due(now=now + timedelta(seconds=10)) == 0  # not due yet

    for attempt in range(2, 9):
        mail.deliver_due(now=bounced.next_attempt_at)
        db.session.refresh(bounced)
        assert bounced.attempts == attempt
    assert bounced.status == OutboxStatus.FAILED  # given up after MAIL_MAX_ATTEMPTS (8)
    assert mail.backoff(3) == timedelta(minutes=2) and mail.backoff(20) == timedelta(hours=1)


def test_an_unreachable_server_keeps_the_whole_batch_for_later(app):
    app.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=1, MAIL_USE_TLS=False)
    send_mail(to="a@example.com", subject="s", body="b")
    db.session.commit()
    assert mail.deliver_due(now=utcnow()) == 0
    row = db.session.scalar(select(OutboxMail))
    assert row.status == OutboxStatus.QUEUED and row.last_error == "ConnectionRefusedError"


def test_a_worker_that_died_mid_batch_leaves_its_messages_to_another(app, smtp):
    send_mail(to="a@example.com", subject="s", body="b")
    db.session.commit()
    now = utcnow()
    row = db.session.scalar(select(OutboxMail))
    row.attempts, row.next_attempt_at = 1, now + mail.LEASE  # claimed, then the worker died
    db.session.commit()
    assert mail.deliver_due(now=now) == 0
    assert mail.deliver_due(now=now + mail.LEASE) == 1


def test_smtps_uses_implicit_tls_and_starttls_the_upgrade(app, monkeypatch):
    opened = []

    class Fake:
        def __init__(self, host, port, timeout, context=None):
            opened.append((type(self).__name__, port, context is not None))

        def starttls(self, context=None):
            opened.append(("starttls", context is not None))

        def login(self, user, password):
            opened.append(("login", user))

        def send_message(self, message):
            opened.append(("sent", message["To"]))

        def quit(self):
            pass

    class SMTP_SSL(Fake):  # noqa: N801 - smtplib's name
        pass

    class SMTP(Fake):
        pass

    monkeypatch.setattr(mail.smtplib, "SMTP_SSL", SMTP_SSL)
    monkeypatch.setattr(mail.smtplib, "SMTP", SMTP)
    app.config.update(MAIL_SERVER="smtp.example.com", MAIL_PORT=465, MAIL_USE_SSL=True,
                      MAIL_USE_TLS=False, MAIL_USERNAME="parkwell", MAIL_PASSWORD="pw")
    send_mail(to="a@example.com", subject="s", body="b")
    db.session.commit()
    mail.deliver_due(now=utcnow())
    assert opened[:2] == [("SMTP_SSL", 465, True), ("login", "parkwell")]
    app.config.update(MAIL_PORT=587, MAIL_USE_SSL=False, MAIL_USE_TLS=True)
    opened.clear()
    send_mail(to="b@example.com", subject="s", body="b")
    db.session.commit()
    mail.deliver_due(now=utcnow())
    assert opened[:2] == [("SMTP", 587, False), ("starttls", True)]


def test_sent_mail_is_forgotten_after_a_week_and_failed_mail_kept(app, smtp):
    send_mail(to="a@example.com", subject="s", body="b")
    db.session.commit()
    now = utcnow()
    mail.deliver_due(now=now)
    assert mail.prune_outbox(now=now + timedelta(days=6)) == 0
    assert mail.prune_outbox(now=now + timedelta(days=8)) == 1


def test_the_worker_round_sends_the_queue(app, smtp, monkeypatch):
    from core.jobs import worker

    send_mail(to="a@example.com", subject="提醒", body="b")
    db.session.commit()
    assert worker.tick(utcnow())["send_queued_mail"] == 1
    assert [m.to for m in smtp.mails] == ["a@example.com"]
