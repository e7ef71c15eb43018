"""Capacity holds under contention: 200 parallel attempts at a slot of capacity 5, from
separate connections (threads) and from separate processes, give exactly 5 bookings and no
server errors; the same for the last place of a group session; and idempotent retries in
parallel make one booking."""

from __future__ import annotations

import contextlib
import multiprocessing
import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
from sqlalchemy import func, select

from booking import services, waitlist
from booking.models import Booking, BookingStatus, WaitlistEntry, WaitlistStatus
from core.accounts.models import Role, User
from core.accounts.services import add_membership
from core.clock import utcnow
from core.db import db
from providers.models import Service
from tests.booking.factories import BookingKit
from tests.concurrency.attempts import attempt, process_worker
from tests.factories import Factories

ATTEMPTS = 200
THREADS = 40
PROCESSES = 2


class World:
    def __init__(self, capacity: int, people: int) -> None:
        kit = BookingKit(Factories())
        self.service_id = kit.service(capacity=capacity).id
        self.practitioner_id = kit.practitioner.id
        self.slot = kit.slot()
        self.user_ids = _employees(kit, people)


def _employees(kit: BookingKit, count: int) -> list[int]:
    """Many employees in one transaction (the factories commit each one)."""
    now = utcnow()
    users = [User(email=f"crowd{n}-{kit.enterprise.id}@example.com", display_name=f"c{n}",
                  password_hash="x", is_active=True, session_version=1, created_at=now)
             for n in range(count)]
    db.session.add_all(users)
    db.session.flush()
    for user in users:
        add_membership(user, role=Role.EMPLOYEE, enterprise=kit.enterprise, now=now)
    db.session.commit()
    return [u.id for u in users]


def _thread_attempts(app, service_id, practitioner_id, starts_at, user_ids) -> list[str]:
    barrier = threading.Barrier(THREADS)

    def run(user_id: int) -> str:
        with app.app_context():
            with contextlib.suppress(threading.BrokenBarrierError):
                barrier.wait(timeout=5)
            return attempt(service_id, practitioner_id, starts_at, user_id)

    with ThreadPoolExecutor(max_workers=THREADS) as pool:
        return list(pool.map(run, user_ids))


def _booked(service_id: int) -> int:
    db.session.expire_all()
    return db.session.scalar(select(func.count(Booking.id)).where(
        Booking.service_id == service_id, Booking.status == BookingStatus.CONFIRMED))


def test_200_threads_at_a_slot_of_capacity_5_make_exactly_5_bookings(pg_app):
    w = World(5, ATTEMPTS)
    results = _thread_attempts(pg_app, w.service_id, w.practitioner_id, w.slot, w.user_ids)
    assert [r for r in results if r.startswith("error")] == []
    assert results.count("booked") == 5 and results.count("full") == ATTEMPTS - 5
    assert _booked(w.service_id) == 5


def test_200_threads_at_the_last_place_of_a_group_session_make_one_booking(pg_app):
    w = World(5, ATTEMPTS + 4)
    for user_id in w.user_ids[:4]:
        assert attempt(w.service_id, w.practitioner_id, w.slot, user_id) == "booked"
    results = _thread_attempts(pg_app, w.service_id, w.practitioner_id, w.slot,
                               w.user_ids[4:])
    assert [r for r in results if r.startswith("error")] == []
    assert results.count("booked") == 1
    assert _booked(w.service_id) == 5


def test_200_attempts_from_2_processes_make_exactly_5_bookings(pg_app, pg_url):
    w = World(5, ATTEMPTS)
    context = multiprocessing.get_context("spawn")
    start, queue = context.Event(), context.Queue()
    chunks = [w.user_ids[i::PROCESSES] for i in range(PROCESSES)]
    config = {key: value for key, value in pg_app.config.items()
              if key in ("TESTING", "SECRET_KEY", "SQLALCHEMY_DATABASE_URI",
                         "SQLALCHEMY_ENGINE_OPTIONS", "SERVER_NAME", "MAIL_SERVER",
                         "WTF_CSRF_ENABLED", "RATELIMIT_ENABLED")}
    processes = [context.Process(target=process_worker, args=(
        config, w.service_id, w.practitioner_id, w.slot.isoformat(), chunk, 10, start, queue))
        for chunk in chunks]
    import time
    print("parent start", time.time(), flush=True)
    for process in processes:
        process.start()
    print("parent started", time.time(), flush=True)
    start.set()
    results = [r for _ in processes for r in queue.get(timeout=120)]
    print("parent got", time.time(), flush=True)
    for process in processes:
        process.join(timeout=30)
    print("parent joined", time.time(), flush=True)
    assert [r for r in results if r.startswith("error")] == []
    assert len(results) == ATTEMPTS
    assert results.count("booked") == 5
    assert _booked(w.service_id) == 5


def test_parallel_retries_with_one_idempotency_key_make_one_booking(pg_app):
    w = World(5, 1)
    token = Factories().token(db.session.get(User, w.user_ids[0]))
    body = {"service_id": w.service_id, "practitioner_id": w.practitioner_id,
            "starts_at": w.slot.isoformat()}
    barrier = threading.Barrier(20)

    def post(_n):
        client = pg_app.test_client()
        with contextlib.suppress(threading.BrokenBarrierError):
            barrier.wait(timeout=5)
        response = client.post("/api/v1/bookings", json=body, headers={
            "Authorization": f"Bearer {token}", "Idempotency-Key": "retry-1"})
        return response.status_code, response.get_json()["id"] if response.status_code == 201 \
            else response.get_json()

    with ThreadPoolExecutor(max_workers=20) as pool:
        answers = list(pool.map(post, range(20)))
    assert {status for status, _id in answers} == {201}, answers
    assert len({booking_id for _status, booking_id in answers}) == 1
    assert _booked(w.service_id) == 1


pytestmark = pytest.mark.postgres_only


def test_a_freed_place_goes_to_the_waitlist_not_to_parallel_bookers(pg_app):
    w = World(1, 32)
    holder, first, *crowd = w.user_ids
    assert attempt(w.service_id, w.practitioner_id, w.slot, holder) == "booked"
    service = db.session.get(Service, w.service_id)
    waitlist.join_waitlist(service, practitioner_id=w.practitioner_id, starts_at=w.slot,
                           actor=db.session.get(User, first), now=utcnow())
    db.session.commit()
    booking_id = db.session.scalar(select(Booking.id).where(Booking.client_id == holder))
    barrier = threading.Barrier(len(crowd) + 1)

    def cancel() -> str:
        with pg_app.app_context():
            barrier.wait(timeout=5)
            booking = db.session.get(Booking, booking_id)
            services.cancel_booking(booking, actor=db.session.get(User, holder), now=utcnow())
            db.session.commit()
            db.session.remove()
            return "cancelled"

    def book(user_id: int) -> str:
        with pg_app.app_context():
            barrier.wait(timeout=5)
            return attempt(w.service_id, w.practitioner_id, w.slot, user_id)

    with ThreadPoolExecutor(max_workers=len(crowd) + 1) as pool:
        futures = [pool.submit(cancel)] + [pool.submit(book, u) for u in crowd]
        results = [f.result() for f in futures]
    assert [r for r in results if r.startswith("error")] == []
    db.session.expire_all()
    entry = db.session.scalar(select(WaitlistEntry).where(WaitlistEntry.client_id == first))
    live = db.session.scalars(select(Booking).where(
        Booking.service_id == w.service_id,
        Booking.status.in_([BookingStatus.HELD, BookingStatus.CONFIRMED]))).all()
    assert len(live) == 1
    # The place is offered in the cancelling transaction itself: no booker ever sees it.
    assert results.count("booked") == 0
    assert entry.status is WaitlistStatus.OFFERED and live[0].client_id == first
