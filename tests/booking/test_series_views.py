"""Booking a course from a page: see which sessions are free, book them, end the course."""

from __future__ import annotations

from booking import series as series_services
from booking import services
from booking.models import Booking, BookingSeries, BookingStatus
from core.clock import utcnow
from core.db import db
from tests.booking.factories import BookingKit


def test_an_employee_books_a_weekly_course_and_later_cancels_the_rest(make, client, auth):
    kit = BookingKit(make)
    service = kit.service(title_en="Rehab course")
    user, other = kit.employee(), kit.employee()
    taken = kit.slot(days=10)  # the second weekly session is already someone else's
    services.hold_slot(service, practitioner_id=kit.practitioner.id, starts_at=taken,
                       actor=other, now=utcnow())
    db.session.commit()
    auth.login(user.email)
    first = kit.slot(days=3)
    page = client.get(f"/services/{service.id}/series", query_string={
        "practitioner_id": kit.practitioner.id, "first": first.isoformat(), "count": 3,
        "every_days": 7})
    assert page.status_code == 200 and page.text.count('type="checkbox"') == 3
    assert page.text.count("disabled") == 1
    free = [first.isoformat(), kit.slot(days=17).isoformat()]
    booked = client.post(f"/services/{service.id}/series", query_string={"count": 3},
                         data={"practitioner_id": kit.practitioner.id, "starts": free})
    assert booked.status_code == 302 and "/series/" in booked.headers["Location"]
    series = db.session.scalar(db.select(BookingSeries).filter_by(client_id=user.id))
    assert len(db.session.scalars(db.select(Booking).filter_by(series_id=series.id)).all()) == 2

    client.post(f"/series/{series.id}/cancel")
    statuses = {b.status for b in db.session.scalars(
        db.select(Booking).filter_by(series_id=series.id))}
    assert statuses == {BookingStatus.CANCELLED_BY_CLIENT}


def test_a_course_without_a_chosen_start_begins_at_the_next_free_time(make, client, auth):
    kit = BookingKit(make)
    service = kit.service(title_en="TCM course")
    user = kit.employee()
    auth.login(user.email)
    page = client.get(f"/services/{service.id}/series?count=4&every_days=7")
    assert page.status_code == 200 and page.text.count('type="checkbox"') == 4


def test_nobody_sees_someone_elses_course(make, client, auth):
    kit = BookingKit(make)
    service = kit.service()
    owner, stranger = kit.employee(), kit.employee()
    series = series_services.book_series(service, practitioner_id=kit.practitioner.id,
                                         starts=[kit.slot(days=3)], actor=owner, now=utcnow())
    db.session.commit()
    auth.login(stranger.email)
    assert client.get(f"/series/{series.id}").status_code == 404
    assert client.post(f"/series/{series.id}/cancel").status_code == 404
