"""On PostgreSQL: a service's kept rating counts every review when many attendees review
it at the same moment (increments on one row, not recounts that miss each other)."""

from __future__ import annotations

import contextlib
import threading
from datetime import timedelta

from booking import services as booking_services
from booking.models import Booking
from core.accounts.models import User
from core.clock import utcnow
from core.db import db
from marketplace import ratings, reviews
from tests.benefits.factories import put_on_roster
from tests.booking.factories import BookingKit
from tests.factories import Factories

REVIEWERS = 12


def test_reviews_written_at_once_all_count_in_the_rating(pg_app):
    kit = BookingKit(Factories())
    class_ = kit.service(capacity=REVIEWERS, title_zh="八段锦", title_en="Baduanjin")
    starts = kit.slot()
    visits = []
    for n in range(REVIEWERS):
        user = put_on_roster(kit.enterprise, kit.employee())
        booking = booking_services.hold_slot(class_, practitioner_id=kit.practitioner.id,
                                             starts_at=starts, actor=user, now=utcnow())
        booking_services.mark_attendance(booking, actor=kit.owner, attended=True,
                                         now=booking.starts_at + timedelta(minutes=5))
        visits.append((booking.id, user.id, 1 + n % 5))
    db.session.commit()
    barrier, errors = threading.Barrier(REVIEWERS), []

    def review(booking_id: int, user_id: int, stars: int) -> None:
        with pg_app.app_context():
            try:
                booking, user = db.session.get(Booking, booking_id), db.session.get(User, user_id)
                with contextlib.suppress(threading.BrokenBarrierError):
                    barrier.wait(timeout=10)
                reviews.write_review(booking, actor=user, stars=stars, text="", now=utcnow())
                db.session.commit()
            except Exception as error:  # reported below
                errors.append(error)
            finally:
                db.session.remove()

    threads = [threading.Thread(target=review, args=visit) for visit in visits]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert errors == []
    stars = sum(s for _b, _u, s in visits)
    expected_tenths = ratings.stars_tenths(stars, REVIEWERS)
    db.session.expire_all()
    assert ratings.ratings([class_.id]) == {class_.id: (expected_tenths / 10, REVIEWERS)}
    assert ratings.check() == []
