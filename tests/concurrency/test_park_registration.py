"""Park events under contention, on PostgreSQL with real commits from separate connections:
parallel registrations for the last places never overfill a session, and two simultaneous
scans of one ticket check it in once."""

from __future__ import annotations

from sqlalchemy import func, select

from core.accounts.models import Role, User
from core.accounts.services import add_membership
from core.clock import utcnow
from core.db import db
from park import checkin, registration
from park.errors import SessionFull, TicketAlreadyUsed
from park.models import EventSession, Registration, RegistrationStatus
from tests.concurrency.crowd import all_at_once, errors
from tests.factories import Factories
from tests.park.factories import ParkKit

THREADS = 30
REFUSALS = (SessionFull, TicketAlreadyUsed)


def _employees(kit: ParkKit, count: int, prefix: str) -> list[int]:
    now = utcnow()
    users = [User(email=f"park-{prefix}{n}-{kit.enterprise.id}@example.com", display_name=f"c{n}",
                  password_hash="x", is_active=True, session_version=1, created_at=now)
             for n in range(count)]
    db.session.add_all(users)
    db.session.flush()
    for user in users:
        add_membership(user, role=Role.EMPLOYEE, enterprise=kit.enterprise, now=now)
    db.session.commit()
    return [u.id for u in users]


def test_parallel_attempts_at_the_last_places_never_overfill(pg_app):
    kit = ParkKit(Factories())
    session_id = kit.session(capacity=5).id
    early = _employees(kit, 3, "early")
    crowd = _employees(kit, THREADS, "crowd")
    for user_id in early:
        registration.register(db.session.get(EventSession, session_id),
                              actor=db.session.get(User, user_id), now=utcnow())
    db.session.commit()

    def attempt(user_id: int) -> str:
        reg = registration.register(db.session.get(EventSession, session_id),
                                    actor=db.session.get(User, user_id), now=utcnow(),
                                    join_waitlist=user_id % 2 == 0)
        return reg.status.value

    results = all_at_once(pg_app, crowd, attempt, refusals=REFUSALS, barrier_seconds=10)
    assert errors(results) == []
    assert results.count("confirmed") == 2
    assert results.count("waiting") + results.count("session_full") == THREADS - 2
    db.session.expire_all()
    session = db.session.get(EventSession, session_id)
    confirmed = db.session.scalar(select(func.count(Registration.id)).where(
        Registration.session_id == session_id,
        Registration.status == RegistrationStatus.CONFIRMED))
    assert confirmed == session.places_taken == 5


def test_two_simultaneous_scans_check_a_ticket_in_once(pg_app):
    kit = ParkKit(Factories())
    session = kit.session()
    codes = [kit.register(session, kit.employee_user()).ticket_code for _ in range(3)]
    session_id, committee_id = session.id, kit.committee.id

    def scan(code: str) -> str:
        checkin.check_in(db.session.get(EventSession, session_id), code=code,
                         actor=db.session.get(User, committee_id), now=utcnow())
        return "checked_in"

    for code in codes:
        results = all_at_once(pg_app, [code, code], scan, refusals=REFUSALS,
                              barrier_seconds=10)
        assert sorted(results) == ["checked_in", "ticket_already_used"]
    db.session.expire_all()
    assert checkin.attendance(db.session.get(EventSession, session_id)).checked_in == 3
