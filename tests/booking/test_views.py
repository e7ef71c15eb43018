"""The booking pages: book a slot (a double submission makes one booking), my bookings,
cancel and move, and the provider's day with attendance."""

from __future__ import annotations

from datetime import timedelta

from booking.models import Booking, BookingStatus, WaitlistEntry
from core.db import db
from tests.booking.factories import SHANGHAI


def _employee(kit, **overrides):
    return kit.employee(**({"locale": "en"} | overrides))


def _login(client, user):
    with client.session_transaction() as session:
        session["_user_id"] = user.get_id()
        session["_fresh"] = True


def _form(kit, token="t-1", **overrides):
    return {"practitioner_id": kit.practitioner.id, "starts_at": kit.slot().isoformat(),
            "form_token": token} | overrides


def test_the_service_page_lists_slots_and_books_one(client, kit):
    service = kit.service()
    user = _employee(kit)
    _login(client, user)
    day = kit.slot().astimezone(SHANGHAI).date().isoformat()
    page = client.get(f"/services/{service.id}/book?day={day}")
    assert page.status_code == 200 and f"/services/{service.id}/book/confirm?" in page.text
    response = client.post(f"/services/{service.id}/book", data=_form(kit))
    booking = db.session.query(Booking).one()
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/bookings/{booking.id}")
    assert booking.status is BookingStatus.CONFIRMED


def test_a_double_submitted_form_makes_one_booking(client, kit):
    service = kit.service()
    _login(client, _employee(kit))
    first = client.post(f"/services/{service.id}/book", data=_form(kit))
    second = client.post(f"/services/{service.id}/book", data=_form(kit))
    assert first.status_code == second.status_code == 302
    assert first.headers["Location"] == second.headers["Location"]
    assert db.session.query(Booking).count() == 1


def test_a_taken_slot_is_explained_not_crashed(client, kit):
    service = kit.service()
    _login(client, _employee(kit))
    client.post(f"/services/{service.id}/book", data=_form(kit))
    _login(client, _employee(kit))
    response = client.post(f"/services/{service.id}/book", data=_form(kit, token="t-2"))
    assert response.status_code == 409
    assert "fully booked" in response.text


def test_a_malformed_form_is_a_400(client, kit):
    service = kit.service()
    _login(client, _employee(kit))
    response = client.post(f"/services/{service.id}/book",
                           data=_form(kit, starts_at="not-a-time"))
    assert response.status_code == 400
    assert db.session.query(Booking).count() == 0


def test_my_bookings_cancel_and_move(client, kit):
    service = kit.service()
    _login(client, _employee(kit))
    client.post(f"/services/{service.id}/book", data=_form(kit))
    booking = db.session.query(Booking).one()
    assert "Tuina massage" in client.get("/bookings").text
    detail = client.get(f"/bookings/{booking.id}")
    assert detail.status_code == 200 and "Move to another time" in detail.text
    moved = client.post(f"/bookings/{booking.id}/reschedule", data={
        "practitioner_id": kit.practitioner.id, "starts_at": kit.slot(days=4).isoformat()})
    assert moved.status_code == 302
    cancelled = client.post(f"/bookings/{booking.id}/cancel", data={"reason": "ill"})
    assert cancelled.status_code == 302
    db.session.expire_all()
    assert booking.status is BookingStatus.CANCELLED_BY_CLIENT
    assert booking.starts_at == kit.slot(days=4)


def test_the_provider_marks_attendance_on_its_day(client, kit):
    service = kit.service()
    user = _employee(kit)
    _login(client, user)
    client.post(f"/services/{service.id}/book", data=_form(kit))
    booking = db.session.query(Booking).one()
    booking.starts_at -= timedelta(days=4)  # it has started
    booking.ends_at -= timedelta(days=4)
    booking.busy_from -= timedelta(days=4)
    booking.busy_until -= timedelta(days=4)
    db.session.commit()
    kit.staff.locale = "en"
    db.session.commit()
    _login(client, kit.staff)
    day = booking.starts_at.astimezone(SHANGHAI).date()
    page = client.get(f"/providers/{kit.provider.id}/bookings?on={day.isoformat()}")
    assert page.status_code == 200 and user.display_name in page.text
    response = client.post(f"/bookings/{booking.id}/attendance", data={"attended": "0"})
    assert response.status_code == 302
    db.session.expire_all()
    assert booking.status is BookingStatus.NO_SHOW
    _login(client, user)
    assert "You missed 1 booking" in client.get("/bookings").text


def test_the_pages_render_in_chinese(client, kit):
    service = kit.service()
    user = _employee(kit, locale="zh_CN")
    _login(client, user)
    client.post(f"/services/{service.id}/book", data=_form(kit))
    assert "我的预约" in client.get("/bookings").text


def test_a_full_time_can_be_joined_and_its_offer_accepted_from_the_pages(client, kit):
    service = kit.service()
    holder = _employee(kit)
    _login(client, holder)
    client.post(f"/services/{service.id}/book", data=_form(kit))
    waiting = _employee(kit)
    _login(client, waiting)
    day = kit.slot().astimezone(SHANGHAI).date().isoformat()  # the full time's day
    page = client.get(f"/services/{service.id}/book?day={day}")
    assert "Join the waitlist" in page.text
    joined = client.post(f"/services/{service.id}/waitlist", data={
        "practitioner_id": kit.practitioner.id, "starts_at": kit.slot().isoformat()})
    assert joined.status_code == 302
    _login(client, holder)
    booking = db.session.query(Booking).one()
    client.post(f"/bookings/{booking.id}/cancel", data={})
    _login(client, waiting)
    mine = client.get("/bookings")
    assert "Accept the place" in mine.text
    entry_id = db.session.query(WaitlistEntry).one().id
    accepted = client.post(f"/waitlist/{entry_id}/accept")
    assert accepted.status_code == 302
    db.session.expire_all()
    assert db.session.query(Booking).filter_by(client_id=waiting.id,
                                               status=BookingStatus.CONFIRMED).count() == 1
