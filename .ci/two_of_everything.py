"""The driver of ``.ci/two-of-everything`` (see there)."""

from __future__ import annotations

import concurrent.futures
import json
import os
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

ROOT = Path(os.path.abspath(__file__)).parent.parent  # not resolve(): keep symlinks
BIN = Path(sys.executable).parent
PG = os.environ.get("TWO_PG", "postgresql+psycopg://postgres@127.0.0.1:5432")
DB = f"parkwell_scale_two_{os.getpid()}"
URL = f"{PG}/{DB}"
REDIS = os.environ.get("TWO_REDIS_URL", "redis://127.0.0.1:6379/13")
PORTS = (5131, 5132)
ENV = {**os.environ, "DATABASE_URL": URL, "REDIS_URL": REDIS, "FLASK_APP": "wsgi.py",
       "PARKWELL_ENV": "production", "SECRET_KEY": "two-of-everything-secret",
       "HEALTH_DATA_KEYS": "t8TTs8yWwCBmJ8YLg6QYwlJqz8iEu3RkfmTmNsuaFQk=",
       "GUNICORN_WORKERS": "2", "GUNICORN_THREADS": "4", "GUNICORN_ACCESS_LOG": "",
       "GUNICORN_LOG_LEVEL": "warning", "LOGIN_RATE_LIMIT": "100000 per minute",
       "BOOKING_RATE_LIMIT": "100000 per minute", "STRIPE_SECRET_KEY": "",
       "MAIL_SUPPRESS_SEND": "1"}
ENV.pop("STRIPE_SECRET_KEY")
STARTED = time.monotonic()
failures: list[str] = []


def say(message: str) -> None:
    print(f"[{time.monotonic() - STARTED:5.1f}s] {message}", flush=True)


def check(ok: bool, message: str) -> None:
    say(("ok   " if ok else "FAIL ") + message)
    if not ok:
        failures.append(message)


def sql(statement: str, *params) -> list[tuple]:
    import psycopg
    with psycopg.connect(URL.replace("postgresql+psycopg://", "postgresql://")) as conn:
        return conn.execute(statement, params).fetchall()


def admin(statement: str) -> None:
    import psycopg
    with psycopg.connect(PG.replace("postgresql+psycopg://", "postgresql://") + "/postgres",
                         autocommit=True) as conn:
        conn.execute(statement)


def flask(*args: str, check: bool = True) -> subprocess.CompletedProcess:
    return subprocess.run([str(BIN / "flask"), *args], cwd=ROOT, env=ENV, check=check,
                          capture_output=True, text=True)


def call(port: int, method: str, path: str, token: str, body: dict | None = None):
    request = urllib.request.Request(
        f"http://127.0.0.1:{port}{path}", method=method,
        data=json.dumps(body).encode() if body is not None else None,
        headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(request, timeout=30) as answer:
            return answer.status, json.loads(answer.read() or b"null")
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read() or b"null")


SETUP = """
import json
from flask_migrate import upgrade
from sqlalchemy import select
from core.accounts.models import User
from core.accounts.tokens import create_api_token
from core.clock import utcnow
from core.db import db
from marketplace import create_app
from demo.seed_scale import ScaleSize, seed_scale
app = create_app()
with app.app_context():
    upgrade(revision="heads")
    seed_scale(ScaleSize(employees=60, enterprises=3, providers=6, services=18, bookings=600,
                         days=10, past_days=3, feed_events=20), now=utcnow())
    db.session.commit()
    users = db.session.scalars(select(User).where(User.email.like("e%@scale.%"))
                               .order_by(User.id)).all()
    tokens = {u.id: create_api_token(u, name="two", scopes=["read", "write"],
                                     expires_in_days=1, now=utcnow())[1] for u in users}
    db.session.commit()
    print(json.dumps(tokens))
"""


def setup() -> dict:
    """Migrate, seed a small scale park and issue API tokens, in one process."""
    admin(f'CREATE DATABASE "{DB}"')
    out = subprocess.run([str(BIN / "python"), "-c", SETUP], cwd=ROOT, env=ENV, check=True,
                         capture_output=True, text=True).stdout
    return {int(k): v for k, v in json.loads(out.strip().splitlines()[-1]).items()}


def start() -> list[subprocess.Popen]:
    processes = [subprocess.Popen(
        [str(BIN / "gunicorn"), "-c", "gunicorn.conf.py", "--bind", f"127.0.0.1:{port}",
         "wsgi:app"], cwd=ROOT, env=ENV, start_new_session=True) for port in PORTS]
    logs = ROOT / "instance"
    logs.mkdir(exist_ok=True)
    processes += [subprocess.Popen(
        [str(BIN / "flask"), "worker", "--interval", "5"], cwd=ROOT, env=ENV,
        start_new_session=True, stdout=subprocess.DEVNULL,
        stderr=(logs / f"two-of-everything-worker-{n}.log").open("w")) for n in range(2)]
    for port in PORTS:
        for _ in range(120):
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2):
                    break
            except OSError:
                time.sleep(0.5)
        else:
            raise RuntimeError(f"app server on {port} did not start")
    return processes


def free_slots(token: str, count: int, priced: bool) -> list[dict]:
    """Free slots (4–8 days ahead), each at another time (one person cannot be in two
    places at once), of priced or free services."""
    found, starts = [], set()
    for service_id, price in sql("SELECT id, price_minor FROM services ORDER BY id"):
        if (price > 0) != priced:
            continue
        status, body = call(PORTS[0], "GET", f"/api/v1/services/{service_id}/slots?"
                            "from=" + _day(4) + "&to=" + _day(8), token)
        for slot in body["items"] if status == 200 else []:
            if slot["starts_at"] not in starts:
                starts.add(slot["starts_at"])
                found.append({"service_id": service_id, "price": price,
                              "practitioner_id": slot["practitioner_id"],
                              "starts_at": slot["starts_at"]})
                break
        if len(found) >= count:
            break
    return found


def _day(days: int) -> str:
    from datetime import UTC, datetime, timedelta
    return (datetime.now(UTC) + timedelta(days=days)).strftime("%Y-%m-%dT00:00:00%%2B00:00")


def bookings_race(tokens: dict[int, str]) -> None:
    users = list(tokens)
    slot = free_slots(tokens[users[0]], 1, priced=False)[0]
    body = {k: slot[k] for k in ("service_id", "practitioner_id", "starts_at")}
    with concurrent.futures.ThreadPoolExecutor(max_workers=24) as pool:
        answers = list(pool.map(
            lambda n: call(PORTS[n % 2], "POST", "/api/v1/bookings", tokens[users[n + 1]],
                           body)[0], range(40)))
    won = answers.count(201)
    live = sql("SELECT count(*) FROM bookings WHERE practitioner_id = %s AND starts_at = %s"
               " AND (status = 'confirmed' OR (status = 'held' AND hold_expires_at > now()))",
               slot["practitioner_id"], slot["starts_at"])[0][0]
    check(won == 1 and live == 1 and answers.count(409) == 39,
          f"bookings: 40 people raced for the last place of a slot through both app "
          f"servers: {won} won (201), {answers.count(409)} were refused (409), "
          f"other answers {sorted(set(answers) - {201, 409})}; {live} live booking holds it")


def budget_race(tokens: dict[int, str]) -> None:
    user = list(tokens)[7]
    token = tokens[user]
    # What the app says can be spent (early in a month last month's budget is still
    # spendable in its grace days), every programme and pot together: an upper bound.
    _status, mine = call(PORTS[0], "GET", "/api/v1/me/budget", token)
    available = sum(line["available_minor"] for line in mine["budgets"])
    held = []
    for slot in free_slots(token, 40, priced=True):
        status, body = call(PORTS[len(held) % 2], "POST", "/api/v1/bookings", token,
                            {k: slot[k] for k in ("service_id", "practitioner_id",
                                                  "starts_at")})
        if status == 201:
            held.append((body["id"], slot["price"]))
        if sum(price for _id, price in held) > available + 20_000 and len(held) >= 4:
            break
    asked = sum(price for _id, price in held)
    with concurrent.futures.ThreadPoolExecutor(max_workers=len(held)) as pool:
        answers = list(pool.map(
            lambda pair: call(PORTS[pair[0] % 2], "POST",
                              f"/api/v1/bookings/{pair[1][0]}/checkout", token)[0],
            enumerate(held)))
    spent = sql("SELECT coalesce(sum(budget_minor), 0) FROM payments WHERE user_id = %s"
                " AND booking_id = ANY(%s) AND status IN ('paid', 'pending')",
                user, [b for b, _p in held])[0][0]
    negative = sql("SELECT count(*) FROM ledger_accounts WHERE NOT allows_negative"
                   " AND balance_minor < 0")[0][0]
    check(spent <= available and negative == 0 and 0 < answers.count(201) < len(held),
          f"budgets: {len(held)} checkouts worth {asked} fen raced on both servers for a "
          f"budget of {available} fen: {answers.count(201)} paid, the others refused "
          f"({sorted(set(answers) - {201})}; 409: not enough budget and no card, 503: "
          f"PostgreSQL broke a lock cycle and rolled one back); {spent} fen taken from the "
          f"budget; "
          f"{negative} accounts below zero")
    ledger = flask("ledger", "check", check=False)
    check(ledger.returncode == 0, f"budgets: flask ledger check: {ledger.stdout.strip()}")


def reminders() -> None:
    due = sql("SELECT count(*) FROM bookings WHERE status = 'confirmed'"
              " AND starts_at > now() AND starts_at <= now() + interval '24 hours'")[0][0]
    # Besides the two RQ workers, two embedded ticks at the same instant (SKIP LOCKED).
    embedded = {k: v for k, v in ENV.items() if k != "REDIS_URL"}
    bursts = [subprocess.Popen([str(BIN / "flask"), "worker", "--burst"], cwd=ROOT,
                               env=embedded, stdout=subprocess.DEVNULL) for _ in range(2)]
    for burst in bursts:
        burst.wait(timeout=180)
    deadline = time.monotonic() + 30
    pending = due
    while pending and time.monotonic() < deadline:
        pending = sql("SELECT count(*) FROM bookings WHERE status = 'confirmed'"
                      " AND starts_at > now() AND starts_at <= now() + interval '24 hours'"
                      " AND reminder_24h_sent_at IS NULL AND reminder_2h_sent_at IS NULL")[0][0]
        time.sleep(1)
    twice = sql("SELECT count(*) FROM (SELECT booking_id FROM booking_notifications"
                " WHERE kind = 'reminder' GROUP BY booking_id HAVING count(*) > 1) AS x")[0][0]
    sent = sql("SELECT count(*) FROM booking_notifications WHERE kind = 'reminder'")[0][0]
    check(due > 0 and pending == 0 and twice == 0 and sent <= due,
          f"reminders: {due} bookings due in the next 24 h, two RQ workers and two "
          f"embedded ticks: {sent} reminders sent, {pending} left unsent, {twice} sent twice")


def main() -> int:
    processes: list[subprocess.Popen] = []
    try:
        say(f"database {DB}, Redis {REDIS}: migrate and seed a small scale park")
        tokens = setup()
        say("seeded")
        processes = start()
        say(f"two app servers (ports {PORTS[0]}, {PORTS[1]}) and two workers are up")
        bookings_race(tokens)
        budget_race(tokens)
        reminders()
    finally:
        for process in processes:
            try:
                os.killpg(process.pid, signal.SIGTERM)
                process.wait(timeout=20)
            except (ProcessLookupError, subprocess.TimeoutExpired):
                os.killpg(process.pid, signal.SIGKILL)
        try:
            admin(f'DROP DATABASE IF EXISTS "{DB}" WITH (FORCE)')
        except Exception as exc:
            say(f"could not drop {DB}: {exc}")
    say("two of everything: " + ("all invariants held" if not failures
                                 else f"{len(failures)} violation(s)"))
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
