"""Crash and fault test: real processes on PostgreSQL, killed at random, then the books are
checked.

On a fresh database (migrated, a small world seeded) it starts gunicorn with several
workers, two job workers (``flask worker`` on RQ), a fake Stripe that fails and answers
slowly at random, and an SMTP sink that records every mail. Client threads then book,
pay (budget and card), cancel, retry with the same ``Idempotency-Key`` and replay signed
webhooks (duplicates, and failures after successes), while a killer SIGKILLs gunicorn
workers, the whole gunicorn, and job workers at random and restarts them. Traffic stops on
time (not after a number of iterations), the job workers get a quiet period to sweep, and
then every invariant is checked and the counts printed:

- no slot over capacity, no practitioner in two places at once;
- every ledger transaction sums to zero (``flask ledger check`` too);
- no budget (no account that may not go negative) below zero;
- no booking without its money movement, no money movement without its booking;
- every acknowledged (2xx) write still there;
- no hold alive past its expiry;
- no reminder sent twice (in the database and at the SMTP sink).

    python -m tests.faults.crash [--seconds 170] [--seed N] [--keep]

``--seconds`` is the whole run's time box, setup included. Exit status 1 on any
violation.
"""

from __future__ import annotations

import argparse
import contextlib
import email
import email.policy
import http.client
import itertools
import json
import logging
import os
import random
import signal
import socketserver
import subprocess
import sys
import threading
import time
import uuid
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from email.utils import parseaddr

from sqlalchemy import create_engine, text
from werkzeug.serving import make_server
from werkzeug.wrappers import Response

from tests.fakes.stripe_events import intent_event, signed
from tests.fakes.stripe_server import FakeStripe
from tests.faults.world import (
    BIN,
    ROOT,
    Gunicorn,
    app_env,
    in_process_app,
    log,
    migrate,
    throwaway_database,
)

WEBHOOK_SECRET = "whsec_faults_secret"
HTTP_PORT, STRIPE_PORT, SMTP_PORT = 5111, 5112, 5113
WORKER_INTERVAL = 5  #: seconds between two rounds of each job worker (the minimum)
QUIET_SECONDS = 6 * WORKER_INTERVAL + 2  #: the least time the workers get after the traffic
HOLD_MINUTES = 1
EMPLOYEES = 24
BUDGET_MINOR = 5_000  #: each employee's monthly budget: a one-to-one session needs a card
LIVE = ("confirmed", "attended", "no_show")
ARTIFACTS = ROOT / "test-artifacts" / "crash"


# ---------------------------------------------------------------------------------------
# The outside world: a failing, slow Stripe and an SMTP sink
# ---------------------------------------------------------------------------------------

@dataclass
class ChaosStripe(FakeStripe):
    """The fake Stripe, answering some requests with a 500 and some too late."""

    fail_rate: float = 0.2
    slow_rate: float = 0.1
    slow_seconds: float = 3.0
    failed: int = 0
    slowed: int = 0
    rng: random.Random = field(default_factory=random.Random)

    def __call__(self, environ, start_response):
        roll = self.rng.random()
        if roll < self.fail_rate:
            self.failed += 1
            body = json.dumps({"error": {"type": "api_error", "message": "chaos"}})
            return Response(body, status=500, content_type="application/json")(
                environ, start_response)
        if roll < self.fail_rate + self.slow_rate:
            self.slowed += 1
            time.sleep(self.slow_seconds)
        return super().__call__(environ, start_response)


@dataclass
class Mail:
    to: str
    subject: str
    attachments: list[str]


class SmtpSink(socketserver.ThreadingTCPServer):
    """Just enough SMTP for smtplib: every message is parsed and kept in ``mails``."""

    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, port: int) -> None:
        self.mails: list[Mail] = []
        self.lock = threading.Lock()
        super().__init__(("127.0.0.1", port), _SmtpHandler)


class _SmtpHandler(socketserver.StreamRequestHandler):
    def _say(self, line: str) -> None:
        self.wfile.write(line.encode() + b"\r\n")

    def handle(self) -> None:
        with contextlib.suppress(OSError):  # the sender was killed mid-conversation
            self._converse()

    def _converse(self) -> None:
        self._say("220 faults SMTP sink")
        recipients: list[str] = []
        while True:
            line = self.rfile.readline()
            if not line:
                return
            verb = line.decode(errors="replace").strip().split(" ")[0].upper()
            if verb == "EHLO":
                self._say("250-faults")
                self._say("250 8BITMIME")
            elif verb in {"HELO", "NOOP", "MAIL"}:
                self._say("250 ok")
            elif verb == "RSET":
                recipients = []
                self._say("250 ok")
            elif verb == "RCPT":
                recipients.append(parseaddr(line.decode().split(":", 1)[1])[1])
                self._say("250 ok")
            elif verb == "DATA":
                self._say("354 go ahead")
                data = bytearray()
                while True:
                    chunk = self.rfile.readline()
                    if not chunk or chunk in (b".\r\n", b".\n"):
                        break
                    data += chunk[1:] if chunk.startswith(b"..") else chunk
                message = email.message_from_bytes(bytes(data), policy=email.policy.default)
                names = [part.get_filename() or "" for part in message.iter_attachments()]
                with self.server.lock:
                    for to in recipients or [message["To"]]:
                        self.server.mails.append(Mail(to, str(message["Subject"]), names))
                recipients = []
                self._say("250 queued")
            elif verb == "QUIT":
                self._say("221 bye")
                return
            else:
                self._say("502 not implemented")


# ---------------------------------------------------------------------------------------
# The small world
# ---------------------------------------------------------------------------------------

@dataclass
class World:
    tokens: list[str]
    services: dict[str, dict]  #: name → {"id", "practitioners", "price_minor", "capacity"}
    slot_starts: list[str]  #: ISO starts of the contested slots
    reminders_due: int


def build_world(url: str) -> World:
    """One verified provider with two practitioners working 08:00–20:00 every day; a
    one-to-one priced service, a priced group class of 3 and a free one-to-one service;
    24 employees on a funded programme with ¥50 each this month; and 16 free bookings
    made two days ago that start within the next day (their 24-hour reminder is due)."""
    from benefits import budgets
    from booking import services as booking_services
    from core.accounts.tokens import create_api_token
    from core.clock import utcnow
    from core.db import db
    from core.i18n import park_today
    from tests.benefits.factories import programme, put_on_roster
    from tests.booking.factories import SHANGHAI, BookingKit
    from tests.factories import Factories

    app = in_process_app(url, BOOKING_HOLD_MINUTES=HOLD_MINUTES)
    with app.app_context():
        make = Factories()
        kit = BookingKit(make)
        second = kit.add_practitioner("Dr Li")
        both = [kit.practitioner, second]
        one = kit.service(practitioners=both, price_minor=8_000, title_en="Acupuncture")
        group = kit.service(practitioners=[second], price_minor=5_000, capacity=3,
                            title_en="Baduanjin class")
        free = kit.service(practitioners=both, price_minor=0, title_en="Consultation")
        employees = [put_on_roster(kit.enterprise, kit.employee(locale="en"))
                     for _ in range(EMPLOYEES)]
        plan = programme(make, kit.enterprise, amount_minor=BUDGET_MINOR)
        budgets.allocate_period(plan, on=park_today(), actor=None, now=utcnow())
        now = utcnow()
        tokens = [create_api_token(user, name="crash", scopes=["read", "write"],
                                   expires_in_days=1, now=now)[1] for user in employees]
        # Reminders: free bookings made two days ago, starting 3–22 hours from now.
        made = now - timedelta(days=2)
        due = 0
        for hours in range(3, 23):
            start = (now + timedelta(hours=hours)).astimezone(SHANGHAI).replace(
                minute=0, second=0, microsecond=0)
            if not 8 <= start.hour < 20:
                continue
            for practitioner in both:
                client = employees[due % EMPLOYEES]
                booking_services.hold_slot(free, practitioner_id=practitioner.id,
                                           starts_at=start.astimezone(UTC), actor=client,
                                           now=made)
                due += 1
        db.session.commit()
        # Contested slots: two days ahead, 08:00–19:00 in the park's zone.
        day = now.astimezone(SHANGHAI).date() + timedelta(days=2)
        starts = [datetime(day.year, day.month, day.day, hour, tzinfo=SHANGHAI)
                  .astimezone(UTC) for hour in range(8, 20)]
        # Holds left unpaid minutes ago: lapsed from the start, for the workers to expire
        # while they are being killed (and their places free for everyone meanwhile).
        for n, start in enumerate(starts[::3]):
            booking_services.hold_slot(one, practitioner_id=kit.practitioner.id,
                                       starts_at=start, actor=employees[-1 - n],
                                       now=now - timedelta(minutes=HOLD_MINUTES + 2))
        db.session.commit()
        starts = [start.isoformat() for start in starts]
        services = {
            "one": {"id": one.id, "practitioners": [p.id for p in both], "price": 8_000},
            "group": {"id": group.id, "practitioners": [second.id], "price": 5_000},
            "free": {"id": free.id, "practitioners": [p.id for p in both], "price": 0},
        }
        db.session.remove()
        db.engine.dispose()
    return World(tokens=tokens, services=services, slot_starts=starts, reminders_due=due)


# ---------------------------------------------------------------------------------------
# Traffic
# ---------------------------------------------------------------------------------------

@dataclass
class Ledger:
    """What the clients were told (only 2xx answers count as acknowledged)."""

    lock: threading.Lock = field(default_factory=threading.Lock)
    statuses: Counter = field(default_factory=Counter)
    errors: Counter = field(default_factory=Counter)
    bookings: dict[int, str] = field(default_factory=dict)  #: id → token
    checkouts: set[int] = field(default_factory=set)  #: booking ids with a payment
    cancelled: set[int] = field(default_factory=set)
    paid: set[int] = field(default_factory=set)  #: booking ids a webhook said "paid"
    events: list[tuple[str, dict, int]] = field(default_factory=list)  #: (type, intent, booking)
    idempotency_mismatches: list[str] = field(default_factory=list)
    server_errors: list[str] = field(default_factory=list)

    def count(self, what: str, status: int | None) -> None:
        with self.lock:
            self.statuses[f"{what} {status or 'no answer'}"] += 1


def request(method: str, path: str, *, body: bytes | None = None,
            headers: dict[str, str] | None = None, timeout: float = 15):
    """(status, json) or (None, None) when the server did not answer (it was killed)."""
    connection = http.client.HTTPConnection("127.0.0.1", HTTP_PORT, timeout=timeout)
    try:
        connection.request(method, path, body=body, headers=headers or {})
        response = connection.getresponse()
        raw = response.read()
        try:
            payload = json.loads(raw) if raw else None
        except ValueError:
            payload = None
        return response.status, payload
    except (OSError, http.client.HTTPException):
        time.sleep(0.25)  # the server is down or restarting: do not spin
        return None, None
    finally:
        connection.close()


class Client:
    def __init__(self, world: World, stripe: ChaosStripe, seen: Ledger, rng: random.Random):
        self.world, self.stripe, self.seen, self.rng = world, stripe, seen, rng

    def api(self, token: str, method: str, path: str, payload: dict | None = None,
            key: str | None = None):
        headers = {"Authorization": f"Bearer {token}", "Accept-Language": "en"}
        body = None
        if payload is not None:
            body = json.dumps(payload).encode()
            headers["Content-Type"] = "application/json"
        if key:
            headers["Idempotency-Key"] = key
        status, answer = request(method, path, body=body, headers=headers)
        what = f"{method} {path.split('/')[3]}" + ("/" + path.split("/")[-1]
                                                  if path.count("/") > 3 else "")
        self.seen.count(what, status)
        if status is not None and status >= 500 and status != 502:
            with self.seen.lock:
                self.seen.server_errors.append(f"{method} {path} {status} {answer}")
        return status, answer

    def step(self) -> None:
        roll = self.rng.random()
        if roll < 0.54:
            self.book_and_pay()
        elif roll < 0.62:
            self.book_and_pay(pay=False)  # held and left: the hold must lapse
        elif roll < 0.80:
            self.cancel()
        else:
            self.replay()

    def book_and_pay(self, *, pay: bool = True) -> None:
        token = self.rng.choice(self.world.tokens)
        name = (self.rng.choices(["one", "group", "free"], weights=[5, 3, 1])[0] if pay
                else self.rng.choice(["one", "group"]))
        service = self.world.services[name]
        payload = {"service_id": service["id"],
                   "practitioner_id": self.rng.choice(service["practitioners"]),
                   "starts_at": self.rng.choice(self.world.slot_starts)}
        key = uuid.uuid4().hex
        status, answer = self.api(token, "POST", "/api/v1/bookings", payload, key)
        if status is None or self.rng.random() < 0.2:  # retry with the same key
            again, replayed = self.api(token, "POST", "/api/v1/bookings", payload, key)
            if status is not None and again is not None and 200 <= status < 300 \
                    and (again != status or replayed.get("id") != answer.get("id")):
                with self.seen.lock:
                    self.seen.idempotency_mismatches.append(
                        f"{key}: {status} {answer.get('id')} then {again} {replayed}")
            if status is None:
                status, answer = again, replayed
        if status != 201 or not answer:
            return
        booking_id = answer["id"]
        with self.seen.lock:
            self.seen.bookings[booking_id] = token
        if answer.get("status") != "held" or not pay:
            return
        status, payment = self.api(token, "POST", f"/api/v1/bookings/{booking_id}/checkout")
        if status is None or status == 502:  # Stripe or the server failed: try once more
            status, payment = self.api(token, "POST",
                                       f"/api/v1/bookings/{booking_id}/checkout")
        if status != 201 or not payment:
            return
        with self.seen.lock:
            self.seen.checkouts.add(booking_id)
        secret = payment.get("client_secret")
        if not secret:
            return
        intent = self.stripe.intents.get(secret.removesuffix("_secret"))
        if intent is None:
            return
        outcome = self.rng.choices(["payment_intent.succeeded", "payment_intent.payment_failed",
                                    None], weights=[70, 18, 12])[0]
        if outcome is None:  # the employee walks away: the hold lapses
            return
        self.deliver(outcome, intent, booking_id)
        for _ in range(self.rng.choice([0, 0, 1, 2])):  # Stripe delivers again
            self.deliver(outcome, intent, booking_id, same_id=True)
        if self.rng.random() < 0.1:  # a contradicting event arrives late
            other = ("payment_intent.payment_failed" if outcome.endswith("succeeded")
                     else "payment_intent.succeeded")
            self.deliver(other, intent, booking_id)

    def deliver(self, event_type: str, intent: dict, booking_id: int, *,
                same_id: bool = False) -> None:
        event_id = f"evt_{intent['id']}_{event_type.rsplit('.', 1)[1]}" if same_id \
            else f"evt_{uuid.uuid4().hex[:16]}"
        event = intent_event(event_id, event_type, intent)
        with self.seen.lock:
            self.seen.events.append((event_type, intent, booking_id))
        body, signature = signed(event, WEBHOOK_SECRET)
        status, answer = request("POST", "/api/v1/payments/stripe/webhook", body=body,
                                 headers={"Stripe-Signature": signature,
                                          "Content-Type": "application/json"})
        self.seen.count("POST webhook", status)
        if status == 200 and answer and answer.get("result") == "paid":
            with self.seen.lock:
                self.seen.paid.add(booking_id)

    def cancel(self) -> None:
        with self.seen.lock:
            if not self.seen.bookings:
                return
            booking_id, token = self.rng.choice(list(self.seen.bookings.items()))
        key = uuid.uuid4().hex
        path = f"/api/v1/bookings/{booking_id}/cancel"
        status, _ = self.api(token, "POST", path, {"reason": "chaos"}, key)
        if status is None:
            status, _ = self.api(token, "POST", path, {"reason": "chaos"}, key)
        if status == 200:
            with self.seen.lock:
                self.seen.cancelled.add(booking_id)

    def replay(self) -> None:
        """Stripe retries an old event (same id), or sends an old intent's other outcome."""
        with self.seen.lock:
            if not self.seen.events:
                return
            event_type, intent, booking_id = self.rng.choice(self.seen.events)
        if self.rng.random() < 0.3:
            event_type = ("payment_intent.payment_failed" if event_type.endswith("succeeded")
                          else "payment_intent.succeeded")
        self.deliver(event_type, intent, booking_id, same_id=True)


# ---------------------------------------------------------------------------------------
# Processes and the killer
# ---------------------------------------------------------------------------------------

class JobWorker:
    def __init__(self, env: dict[str, str], name: str) -> None:
        self.env, self.name = env, name
        self.process: subprocess.Popen | None = None
        self.log = ARTIFACTS / f"{name}.log"

    def start(self) -> None:
        with open(self.log, "ab") as out:
            self.process = subprocess.Popen(
                [str(BIN / "flask"), "worker", "--interval", str(WORKER_INTERVAL)],
                cwd=ROOT, env=self.env, stdout=out, stderr=subprocess.STDOUT,
                start_new_session=True)

    def alive(self) -> bool:
        return self.process is not None and self.process.poll() is None

    def kill(self, sig: int = signal.SIGKILL) -> None:
        if not self.alive():
            return
        for signum in (sig, signal.SIGKILL):
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.process.pid, signum)
            try:
                self.process.wait(timeout=10)
                return
            except subprocess.TimeoutExpired:
                continue


class Killer(threading.Thread):
    def __init__(self, server: Gunicorn, workers: list[JobWorker], rng: random.Random,
                 stop: threading.Event, *, until: float) -> None:
        super().__init__(daemon=True)
        self.server, self.workers, self.rng, self.stop_event = server, workers, rng, stop
        self.until = until
        self.kills: Counter = Counter()
        self.errors: list[str] = []

    def run(self) -> None:
        while not self.stop_event.wait(self.rng.uniform(2.0, 5.0)):
            try:
                self.strike()
            except Exception as exc:
                self.errors.append(repr(exc))

    def strike(self) -> None:
        roll = self.rng.random()
        # Killing the whole gunicorn costs a restart (an import of the app, slow on a busy
        # machine): at most once, and only while there is time for it to come back.
        master_ok = not self.kills["whole gunicorn"] and (
            time.monotonic() + 3 * self.server.boot_seconds + 10 < self.until)
        if roll >= 0.85 and not master_ok:
            roll = self.rng.random() * 0.85
        if roll < 0.55:
            pids = self.server.worker_pids()
            if pids:
                os.kill(self.rng.choice(pids), signal.SIGKILL)  # the master starts another
                self.kills["gunicorn worker"] += 1
        elif roll < 0.85:
            worker = self.rng.choice(self.workers)
            worker.kill()
            self.kills["job worker"] += 1
            time.sleep(self.rng.uniform(0.2, 1.5))
            worker.start()
        else:
            os.killpg(self.server.process.pid, signal.SIGKILL)
            self.server.process.wait(timeout=15)
            self.kills["whole gunicorn"] += 1
            time.sleep(0.5)
            self.server.start()


# ---------------------------------------------------------------------------------------
# The checks
# ---------------------------------------------------------------------------------------

class Report:
    def __init__(self) -> None:
        self.violations: list[str] = []

    def check(self, name: str, checked: int, problems: list[str]) -> None:
        mark = "ok  " if not problems else "FAIL"
        print(f"  {mark} {name}: {checked} checked, {len(problems)} violations", flush=True)
        for problem in problems[:10]:
            print(f"         - {problem}", flush=True)
        self.violations += [f"{name}: {p}" for p in problems]


def _aware(value: datetime) -> datetime:
    return value if value.tzinfo else value.replace(tzinfo=UTC)


def check_everything(url: str, seen: Ledger, sink: SmtpSink,
                     world: World, *, check_at: datetime, grace: timedelta) -> Report:
    report = Report()
    engine = create_engine(url)
    with engine.connect() as db:
        rows = lambda sql, **kw: db.execute(text(sql), kw).mappings().all()  # noqa: E731
        bookings = {b["id"]: b for b in rows(
            "SELECT b.*, s.capacity FROM bookings b JOIN services s ON s.id = b.service_id")}
        payments = {p["id"]: p for p in rows("SELECT * FROM payments")}
        by_booking = {p["booking_id"]: p for p in payments.values() if p["booking_id"]}
        references = {t["reference"]: t for t in rows(
            "SELECT id, reference, reverses_id FROM ledger_transactions "
            "WHERE reference IS NOT NULL")}
        reversed_ids = {t["reverses_id"] for t in rows(
            "SELECT reverses_id FROM ledger_transactions WHERE reverses_id IS NOT NULL")}

        # 1. Capacity: seats per slot, and one place at a time per practitioner.
        live = [b for b in bookings.values() if b["status"] in LIVE or (
            b["status"] == "held" and _aware(b["hold_expires_at"]) > check_at)]
        seats: Counter = Counter()
        for b in live:
            seats[(b["service_id"], b["practitioner_id"], b["starts_at"])] += b["seats"]
        capacity = {(b["service_id"], b["practitioner_id"], b["starts_at"]): b["capacity"]
                    for b in live}
        problems = [f"{k}: {n} seats > capacity {capacity[k]}" for k, n in seats.items()
                    if n > capacity[k]]
        blocks = defaultdict(dict)
        for b in live:
            blocks[b["practitioner_id"]][(b["service_id"], b["starts_at"])] = (
                _aware(b["busy_from"]), _aware(b["busy_until"]))
        for practitioner, spans in blocks.items():
            items = sorted(spans.items(), key=lambda kv: kv[1])
            for (a, (_, a_end)), (b, (b_start, _)) in itertools.pairwise(items):
                if b_start < a_end:
                    problems.append(f"practitioner {practitioner}: {a} overlaps {b}")
        report.check("slots within capacity (live bookings per slot)", len(seats), problems)

        # 2. The ledger.
        unbalanced = rows("SELECT transaction_id, currency, SUM(amount_minor) AS total "
                          "FROM ledger_entries GROUP BY transaction_id, currency "
                          "HAVING SUM(amount_minor) <> 0")
        transactions = db.execute(text("SELECT COUNT(*) FROM ledger_transactions")).scalar()
        app = in_process_app(url)
        result = app.test_cli_runner().invoke(args=["ledger", "check"])
        with app.app_context():
            from core.db import db as app_db

            app_db.engine.dispose()
        problems = [f"transaction {u['transaction_id']} sums to {u['total']} {u['currency']}"
                    for u in unbalanced]
        if result.exit_code != 0:
            problems.append(f"flask ledger check: {result.output[-2000:]}")
        report.check("ledger transactions sum to zero (and flask ledger check)",
                     transactions, problems)

        # 3. No budget below zero: the projection and the entries themselves.
        accounts = rows("SELECT a.id, a.key, a.balance_minor, a.allows_negative, "
                        "COALESCE(SUM(e.amount_minor), 0) AS entries FROM ledger_accounts a "
                        "LEFT JOIN ledger_entries e ON e.account_id = a.id GROUP BY a.id")
        problems = [f"{a['key']}: balance {a['balance_minor']}, entries {a['entries']}"
                    for a in accounts if not a["allows_negative"]
                    and (a["balance_minor"] < 0 or a["entries"] < 0)]
        problems += [f"{a['key']}: projection {a['balance_minor']} != entries {a['entries']}"
                     for a in accounts if a["balance_minor"] != a["entries"]]
        report.check("accounts that may not go negative are >= 0", len(accounts), problems)

        # 4. Bookings and their money, both ways.
        problems = []
        for b in bookings.values():
            p = by_booking.get(b["id"])
            if b["price_minor"] and b["status"] in LIVE and (p is None or p["status"] != "paid"):
                problems.append(f"booking {b['id']} {b['status']} but payment "
                                f"{p and p['status']}")
        for p in payments.values():
            b = bookings.get(p["booking_id"]) if p["booking_id"] else None
            if p["booking_id"] and b is None:
                problems.append(f"payment {p['id']} without booking {p['booking_id']}")
                continue
            if b is None:
                continue
            ref = f"pay{p['id']}"
            hold = references.get(f"hold:{ref}")
            if p["budget_minor"] and hold is None:
                problems.append(f"payment {p['id']}: budget share without its hold")
            if p["status"] == "paid":
                if b["status"] not in LIVE:
                    problems.append(f"payment {p['id']} paid, booking {b['id']} {b['status']}")
                if p["budget_minor"] and f"capture:{ref}" not in references:
                    problems.append(f"payment {p['id']} paid without its capture")
                if p["card_minor"] and f"card:{ref}" not in references:
                    problems.append(f"payment {p['id']} paid without its card transaction")
            elif p["status"] == "refunded" and f"capture:{ref}" not in references \
                    and f"card:{ref}" not in references:
                # A card payment that succeeded after its hold was released, sent back
                # whole: nothing was taken, and everything is recorded as back.
                if b["status"] in LIVE:
                    problems.append(f"payment {p['id']} late-refunded, booking {b['status']}")
                if hold is not None and hold["id"] not in reversed_ids:
                    problems.append(f"payment {p['id']} late-refunded, hold not reversed")
                if (p["refunded_budget_minor"], p["refunded_card_minor"]) != (
                        p["budget_minor"], p["card_minor"]):
                    problems.append(f"payment {p['id']} late-refunded, not everything back")
            elif p["status"] == "refunded":
                if not b["status"].startswith("cancelled"):
                    problems.append(f"payment {p['id']} refunded, booking {b['status']}")
                if p["refunded_budget_minor"] and f"budget-refund:{ref}" not in references:
                    problems.append(f"payment {p['id']} refunded without its budget refund")
                if p["refunded_card_minor"] and f"card-refund:{ref}" not in references:
                    problems.append(f"payment {p['id']} refunded without its card refund")
            elif p["status"] == "released":
                if b["status"] in LIVE:
                    problems.append(f"payment {p['id']} released, booking {b['status']}")
                if hold is not None and hold["id"] not in reversed_ids:
                    problems.append(f"payment {p['id']} released, hold not reversed")
                if f"capture:{ref}" in references or f"card:{ref}" in references:
                    problems.append(f"payment {p['id']} released but money was taken")
            elif p["status"] == "pending" and (b["status"] != "held" or _aware(
                    b["hold_expires_at"]) <= check_at - grace):
                problems.append(f"payment {p['id']} pending, booking {b['status']}")
        for reference in references:
            _head, _, tail = reference.partition(":pay")
            if tail.isdigit() and int(tail) not in payments:
                problems.append(f"ledger {reference} without its payment")
        report.check("bookings <-> money movements (bookings, payments)",
                     len(bookings) + len(payments), problems)

        # 5. Every acknowledged write is still there.
        problems = []
        for booking_id in seen.bookings:
            if booking_id not in bookings:
                problems.append(f"acknowledged booking {booking_id} is gone")
        for booking_id in seen.checkouts:
            if booking_id not in by_booking:
                problems.append(f"acknowledged checkout of booking {booking_id} has no payment")
        for booking_id in seen.cancelled:
            status = bookings.get(booking_id, {}).get("status", "gone")
            if not status.startswith("cancelled"):
                problems.append(f"acknowledged cancellation of {booking_id}: now {status}")
        for booking_id in seen.paid:
            p = by_booking.get(booking_id)
            if p is None or p["status"] not in ("paid", "refunded"):
                problems.append(f"acknowledged payment of {booking_id}: {p and p['status']}")
        problems += [f"idempotency: {m}" for m in seen.idempotency_mismatches]
        acknowledged = (len(seen.bookings) + len(seen.checkouts) + len(seen.cancelled)
                        + len(seen.paid))
        report.check("acknowledged (2xx) writes present (bookings, checkouts, cancellations, "
                     "payments)", acknowledged, problems)

        # 6. No hold alive past its expiry, once the workers had their turn.
        held = [b for b in bookings.values() if b["status"] == "held"]
        problems = [f"booking {b['id']} held, expired at {b['hold_expires_at']}"
                    for b in held if _aware(b["hold_expires_at"]) <= check_at - grace]
        expired = sum(1 for b in bookings.values() if b["status"] == "expired")
        report.check(f"no hold alive past its expiry ({expired} expired by the workers, "
                     f"{len(held)} still held)", len(held) + expired, problems)

        # 7. No reminder sent twice: claimed once in the database, mailed once.
        claimed = rows("SELECT booking_id, COUNT(*) AS n FROM booking_notifications "
                       "WHERE kind = 'reminder' GROUP BY booking_id")
        problems = [f"booking {c['booking_id']}: {c['n']} reminders recorded"
                    for c in claimed if c["n"] > 1]
        with sink.lock:
            mailed = Counter(name for m in sink.mails if m.subject.startswith("Reminder")
                             for name in m.attachments)
        problems += [f"{name}: mailed {n} times" for name, n in mailed.items() if n > 1]
        if len(claimed) < world.reminders_due:  # the workers never got to them
            problems.append(f"only {len(claimed)} of {world.reminders_due} due reminders "
                            "were claimed: the job workers did not run")
        report.check(f"no reminder sent twice ({len(claimed)} recorded, {sum(mailed.values())} "
                     f"mailed, {world.reminders_due} due)", len(claimed) + len(mailed),
                     problems)
    engine.dispose()
    return report


# ---------------------------------------------------------------------------------------
# The run
# ---------------------------------------------------------------------------------------

def flush_redis(redis_url: str) -> None:
    from redis import Redis

    Redis.from_url(redis_url).flushdb()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=int,
                        default=int(os.environ.get("CRASH_SECONDS", "170")),
                        help="time box of the whole run, setup and checks included")
    parser.add_argument("--clients", type=int, default=6, help="client threads")
    parser.add_argument("--gunicorn-workers", type=int, default=3)
    parser.add_argument("--seed", type=int, default=None)
    parser.add_argument("--database", default="parkwell_faults_crash")
    parser.add_argument("--keep", action="store_true", help="keep the database afterwards")
    options = parser.parse_args(argv)
    started = time.monotonic()
    deadline = started + options.seconds
    seed = options.seed if options.seed is not None else random.randrange(1_000_000)

    log(f"crash test, seed {seed}, time box {options.seconds} s")
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    for old_log in ARTIFACTS.glob("*.log"):
        old_log.unlink()
    redis_url = os.environ.get("FAULTS_REDIS_URL", "redis://127.0.0.1:6379/12")

    with throwaway_database(options.database, keep=options.keep) as url:
        env = app_env(
            url, REDIS_URL=redis_url, STRIPE_SECRET_KEY="sk_test_faults",
            STRIPE_WEBHOOK_SECRET=WEBHOOK_SECRET,
            STRIPE_API_BASE=f"http://127.0.0.1:{STRIPE_PORT}", STRIPE_TIMEOUT_SECONDS="2",
            BOOKING_HOLD_MINUTES=str(HOLD_MINUTES), MAIL_SERVER="127.0.0.1",
            MAIL_PORT=str(SMTP_PORT), MAIL_USE_TLS="false", DEFAULT_LOCALE="en")
        flush_redis(redis_url)
        migrate(url)
        world = build_world(url)
        log(f"world: {EMPLOYEES} employees, {len(world.slot_starts)} contested starts, "
            f"{world.reminders_due} reminders due ({time.monotonic() - started:.0f} s)")

        logging.getLogger("werkzeug").setLevel(logging.WARNING)  # the fake Stripe's log
        stripe = ChaosStripe(rng=random.Random(seed + 1))
        stripe_server = make_server("127.0.0.1", STRIPE_PORT, stripe, threaded=True)
        sink = SmtpSink(SMTP_PORT)
        for target in (stripe_server.serve_forever, sink.serve_forever):
            threading.Thread(target=target, daemon=True).start()
        server = Gunicorn(env, HTTP_PORT, workers=options.gunicorn_workers, timeout=30,
                          logfile=ARTIFACTS / "gunicorn.log")
        workers = [JobWorker(env, f"worker{n}") for n in (1, 2)]
        seen = Ledger()
        stop = threading.Event()
        killer = None
        try:
            server.start()
            for worker in workers:
                worker.start()
            # Traffic until the time left is what the quiet period and checks need.
            traffic_ends = max(time.monotonic() + 20, deadline - 45)
            log(f"traffic and kills for {traffic_ends - time.monotonic():.0f} s "
                f"({options.clients} clients, {options.gunicorn_workers} gunicorn workers, "
                "2 job workers)")
            killer = Killer(server, workers, random.Random(seed + 2), stop,
                            until=traffic_ends)
            killer.start()

            def drive(n: int) -> None:
                client = Client(world, stripe, seen, random.Random(seed * 100 + n))
                while time.monotonic() < traffic_ends:
                    client.step()

            threads = [threading.Thread(target=drive, args=(n,), daemon=True)
                       for n in range(options.clients)]
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join(timeout=max(1, traffic_ends - time.monotonic() + 20))
            stop.set()
            killer.join(timeout=30)
            log("traffic stopped; " + ", ".join(f"{n} {k}" for k, n in killer.kills.items())
                + f" killed; Stripe failed {stripe.failed} and was slow {stripe.slowed} times")
            # Quiet period: both job workers alive, until no lapsed hold is left (or time).
            if not server.process or server.process.poll() is not None:
                server.start()
            for worker in workers:
                if not worker.alive():
                    worker.start()
            # Until the workers have swept every lapsed hold and claimed the due reminders
            # (a restarted worker first imports the app, slow on a busy machine).
            # At least half a minute, past the time box if need be: a worker killed just
            # before the traffic stopped may take most of it to import the app again.
            quiet_ends = max(time.monotonic() + QUIET_SECONDS, deadline - 10)
            engine = create_engine(url)
            while time.monotonic() < quiet_ends:
                with engine.connect() as connection:
                    lapsed = connection.execute(text(
                        "SELECT COUNT(*) FROM bookings WHERE status = 'held' "
                        "AND hold_expires_at < now() - interval '1 second'")).scalar()
                    claimed = connection.execute(text(
                        "SELECT COUNT(DISTINCT booking_id) FROM booking_notifications "
                        "WHERE kind = 'reminder'")).scalar()
                if not lapsed and claimed >= world.reminders_due \
                        and time.monotonic() > traffic_ends + 2 * WORKER_INTERVAL + 2:
                    break
                time.sleep(1)
            engine.dispose()
        finally:
            stop.set()
            for worker in workers:
                worker.kill()
            server.stop()
            stripe_server.shutdown()
            sink.shutdown()

        print("\nRequests (status: count):", flush=True)
        for what, n in sorted(seen.statuses.items()):
            print(f"  {what}: {n}", flush=True)
        print("\nChecks:", flush=True)
        check_at = datetime.now(UTC)
        report = check_everything(url, seen, sink, world, check_at=check_at,
                                  grace=timedelta(seconds=2 * WORKER_INTERVAL + 5))
        if killer is not None and killer.errors:
            print(f"  (killer errors: {killer.errors[:3]})", flush=True)
        # A 502 is Stripe failing (declared, retried); any other 5xx is a bug found.
        report.check("no server error but Stripe's 502", sum(seen.statuses.values()),
                     seen.server_errors)
        if sum(1 for k in seen.statuses if k.startswith("POST bookings 201")) == 0:
            report.violations.append("no booking was ever acknowledged: the test proved nothing")
            print("  FAIL no booking was acknowledged", flush=True)

    elapsed = time.monotonic() - started
    if report.violations:
        log(f"crash test FAILED in {elapsed:.0f} s: {len(report.violations)} violations "
            f"(seed {seed})")
        return 1
    log(f"crash test passed in {elapsed:.0f} s (seed {seed})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
