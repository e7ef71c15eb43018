"""A committee member cancels a session while employees are registering for it, on
PostgreSQL with real commits from separate connections: whoever registered before the
cancellation committed is cancelled with the rest (and counted), whoever came after is
refused, and no registration is left live on the cancelled session."""

from __future__ import annotations

from sqlalchemy import func, select

from core.accounts.models import User
from core.clock import utcnow
from core.db import db
from park import registration, services
from park.errors import SessionCancelled
from park.models import LIVE_STATUSES, EventSession, Registration
from tests.concurrency.crowd import all_at_once
from tests.concurrency.test_park_registration import REFUSALS, _employees
from tests.factories import Factories
from tests.park.factories import ParkKit

REGISTRANTS = 16
ROUNDS = 3


def test_a_registration_racing_the_cancellation_never_ends_live_on_it(pg_app):
    kit = ParkKit(Factories())
    crowd = _employees(kit, REGISTRANTS, "race")
    committee_id = kit.committee.id
    for round_ in range(ROUNDS):
        event = kit.event(sessions=2, capacity=10, day=3 + 3 * round_)
        session_id = event.sessions[0].id

        def attempt(who: int | str, session_id: int = session_id) -> str:
            session = db.session.get(EventSession, session_id)
            if who == "committee":
                cancelled = services.cancel_session(
                    session, actor=db.session.get(User, committee_id), reason="", now=utcnow())
                return f"cancelled {cancelled}"
            try:
                reg = registration.register(session, actor=db.session.get(User, who),
                                            now=utcnow(), join_waitlist=True)
            except SessionCancelled as exc:  # came after it: refused, nothing written
                return exc.code
            return reg.status.value

        # the cancellation in the middle of the crowd, all let go at once
        items = [*crowd[:REGISTRANTS // 2], "committee", *crowd[REGISTRANTS // 2:]]
        results = all_at_once(pg_app, items, attempt, refusals=REFUSALS, barrier_seconds=10)

        refused = [r for r in results if r == "session_cancelled"]
        registered = [r for r in results if r in ("confirmed", "waiting")]
        [cancelled] = [r for r in results if r.startswith("cancelled")]
        assert len(refused) + len(registered) == REGISTRANTS, results
        # everyone who got in before the cancellation was cancelled by it
        assert cancelled == f"cancelled {len(registered)}", results
        db.session.expire_all()
        session = db.session.get(EventSession, session_id)
        assert session.cancelled_at is not None and session.places_taken == 0
        assert db.session.scalar(select(func.count(Registration.id)).where(
            Registration.session_id == session_id,
            Registration.status.in_(LIVE_STATUSES))) == 0
