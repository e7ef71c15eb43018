"""An employee on her phone chooses a day on the strip and a time on it, checks what she is
booking before anything is held, and afterwards adds it to her calendar, gets the video
link only shortly before the start, is asked before cancelling what it costs, and is asked
for a review once she attended."""

from __future__ import annotations

from datetime import timedelta
from urllib.parse import quote as _quote

from booking import feeds, notifications, services
from booking.models import Booking, BookingStatus
from core.db import db
from tests.booking.factories import SHANGHAI

LINK = "https://meet.example.com/room-42"


def quote(value: str) -> str:
    """As the pages write a time in a query string (Werkzeug keeps the colons)."""
    return _quote(value, safe=":")


def _login(client, user):
    with client.session_transaction() as session:
        session.clear()  # signing in starts a new session (and its lifetime)
        session["_user_id"] = user.get_id()
        session["_fresh"] = True


def _day(at) -> str:
    return at.astimezone(SHANGHAI).date().isoformat()


def _confirm_url(service, practitioner, starts_at) -> str:
    return (f"/services/{service.id}/book/confirm?practitioner_id={practitioner.id}"
            f"&starts_at={quote(starts_at.isoformat())}")


def _booked(kit, service, user, *, days=3, hour=10, paid=False):
    booking = services.hold_slot(service, practitioner_id=kit.practitioner.id,
                                 starts_at=kit.slot(days, hour), actor=user, now=kit.now)
    if paid:
        services.confirm_booking(booking, actor=None, now=kit.now, payment_reference="pay-1")
    db.session.commit()
    return booking


def test_she_taps_a_day_on_the_strip_and_sees_its_times_once_with_places_left(client, kit):
    second = kit.add_practitioner("Dr Li")
    service = kit.service(capacity=3, practitioners=[kit.practitioner, second])
    _login(client, kit.employee(locale="en"))
    page = client.get(f"/services/{service.id}/book?day={_day(kit.slot())}")
    assert page.status_code == 200
    # The strip: a link per day with times, marked as the chosen one.
    assert f"day={_day(kit.slot())}" in page.text and 'aria-current="date"' in page.text
    # One chip per time, however many practitioners are free then: 2 x 3 places.
    at_ten = quote(kit.slot().isoformat())
    assert page.text.count(f"starts_at={at_ten}") == 1
    assert "6 places left" in page.text
    # The course is offered once, not on every time.
    assert page.text.count(f"/services/{service.id}/series") == 1
    # Only that day's times are listed.
    assert quote(kit.slot(days=4).isoformat()) not in page.text


def test_the_service_page_has_the_strip_too_and_its_chip_is_a_link(client, kit):
    service = kit.service()
    _login(client, kit.employee(locale="en"))
    page = client.get(f"/services/{service.id}?day={_day(kit.slot())}")
    assert page.status_code == 200
    assert f"/services/{service.id}?first=" in page.text  # days link back to the page
    assert _confirm_url(service, kit.practitioner, kit.slot()).replace("&", "&amp;") \
        in page.text
    assert f'class="category-chip" href="/catalogue?category={service.category.value}"' \
        in page.text


def test_a_public_holiday_is_greyed_on_the_strip_with_its_name(client, kit):
    service = kit.service()
    _login(client, kit.employee(locale="en"))
    today = kit.now.astimezone(SHANGHAI).date()
    new_year = today.replace(year=today.year + 1, month=1, day=1)
    page = client.get(f"/services/{service.id}/book?first={new_year - timedelta(days=3)}")
    assert page.status_code == 200
    assert "Holiday" in page.text


def test_tapping_a_time_shows_what_when_where_who_pays_before_anything_is_held(app, client,
                                                                               kit):
    app.config["STRIPE_SECRET_KEY"] = "sk_test_anything"  # the card share could be paid
    service = kit.service(price_minor=12000)
    _login(client, kit.employee(locale="en"))
    page = client.get(_confirm_url(service, kit.practitioner, kit.slot()))
    assert page.status_code == 200
    for part in ("Confirm your booking", "Tuina massage", "Dr Wang", "50 minutes",
                 "Who pays what", "Confirm booking"):
        assert part in page.text, part
    assert db.session.query(Booking).count() == 0  # nothing held by looking
    token = page.text.split('name="form_token" value="')[1].split('"')[0]
    answer = client.post(f"/services/{service.id}/book", data={
        "practitioner_id": kit.practitioner.id, "starts_at": kit.slot().isoformat(),
        "form_token": token})
    assert answer.status_code == 302
    assert db.session.query(Booking).one().status is BookingStatus.HELD


def test_a_time_that_is_not_offered_goes_back_to_the_strip(client, kit):
    service = kit.service()
    _login(client, kit.employee(locale="en"))
    off_grid = kit.slot() + timedelta(minutes=17)
    page = client.get(_confirm_url(service, kit.practitioner, off_grid))
    assert page.status_code == 422 and "Choose a time" in page.text
    assert client.get(f"/services/{service.id}/book/confirm?starts_at=x").status_code == 400
    assert db.session.query(Booking).count() == 0


def test_a_missing_questionnaire_is_said_before_the_tap_with_a_way_back(client, kit):
    service = kit.service(screening_questionnaire="isi")
    _login(client, kit.employee(locale="en"))
    page = client.get(f"/services/{service.id}?day={_day(kit.slot())}")
    assert "Complete the Sleep (Insomnia Severity Index) questionnaire first." in page.text
    assert f"/me/health/questionnaires/isi?next=/services/{service.id}" in page.text
    assert "/book/confirm?" not in page.text  # the times are shown, not offered
    answers = {f"q{n}": "0" for n in range(1, 8)}
    back = f"/services/{service.id}"
    done = client.post(f"/me/health/questionnaires/isi?next={back}", data=answers)
    assert done.status_code == 200 and f'href="{back}"' in done.text
    page = client.get(f"/services/{service.id}?day={_day(kit.slot())}")
    assert "questionnaire first" not in page.text and "/book/confirm?" in page.text
    # ?next= never sends anyone to another site.
    elsewhere = client.post("/me/health/questionnaires/isi?next=//evil.example", data=answers)
    assert "evil.example" not in elsewhere.text.split("<main")[1]


def test_cancelling_asks_first_and_shows_the_late_fee(client, kit, fixed_clock):
    service = kit.service(price_minor=10000, late_cancel_fee_percent=50)
    user = kit.employee(locale="en")
    booking = _booked(kit, service, user, days=1, hour=9, paid=True)
    fixed_clock.move_to(booking.starts_at - timedelta(hours=3))  # inside the 24 hours
    _login(client, user)
    detail = client.get(f"/bookings/{booking.id}")
    assert f'href="/bookings/{booking.id}/cancel"' in detail.text
    ask = client.get(f"/bookings/{booking.id}/cancel")
    assert ask.status_code == 200 and "Cancel this booking?" in ask.text
    assert "a fee of" in ask.text and "50.00" in ask.text and "50%" in ask.text
    assert db.session.get(Booking, booking.id).status is BookingStatus.CONFIRMED
    done = client.post(f"/bookings/{booking.id}/cancel", data={})
    assert done.status_code == 302
    detail = client.get(f"/bookings/{booking.id}")
    assert "50%" in detail.text and "50.0%" not in detail.text


def test_an_unpaid_hold_says_nothing_was_paid_not_a_refund_percentage(client, kit):
    service = kit.service(price_minor=10000)
    user = kit.employee(locale="en")
    booking = _booked(kit, service, user)
    _login(client, user)
    ask = client.get(f"/bookings/{booking.id}/cancel")
    assert "Nothing was paid for this booking" in ask.text
    client.post(f"/bookings/{booking.id}/cancel", data={})
    detail = client.get(f"/bookings/{booking.id}")
    assert "Nothing was paid" in detail.text and "100.0%" not in detail.text


def test_she_adds_the_booking_to_her_calendar_from_its_page(client, kit):
    service = kit.service()
    user = kit.employee(locale="en")
    booking = _booked(kit, service, user)
    _login(client, user)
    detail = client.get(f"/bookings/{booking.id}").text
    assert f"/bookings/{booking.id}/calendar.ics" in detail
    assert "https://calendar.google.com/calendar/render?action=TEMPLATE" in detail
    assert "https://outlook.live.com/calendar/0/deeplink/compose?" in detail
    ics = client.get(f"/bookings/{booking.id}/calendar.ics")
    assert ics.status_code == 200 and ics.mimetype == "text/calendar"
    assert "SUMMARY:Tuina massage" in ics.text and "attachment" in \
        ics.headers["Content-Disposition"]


def _online(kit):
    service = kit.service(delivery_mode="online")
    service.details = {"session_link": LINK}
    db.session.commit()
    return service


def test_the_video_link_is_the_attendees_and_only_shortly_before(client, make, kit,
                                                                 fixed_clock, outbox):
    service = _online(kit)
    user = kit.employee(locale="en", email="mei@example.com")
    booking = _booked(kit, service, user, days=1, hour=10)
    # Nobody reads it from the service: not the API, not the pages.
    bearer = {"Authorization": f"Bearer {make.token(user)}"}
    public = client.get(f"/api/v1/services/{service.id}", headers=bearer).get_json()
    assert "session_link" not in public["details"]
    owner = {"Authorization": f"Bearer {make.token(kit.owner)}"}
    assert client.get(f"/api/v1/services/{service.id}",
                      headers=owner).get_json()["details"]["session_link"] == LINK
    _login(client, user)
    assert LINK not in client.get(f"/services/{service.id}").text
    # A day ahead, the booking says when it will come, and the 2-hour reminder too.
    detail = client.get(f"/bookings/{booking.id}").text
    assert LINK not in detail and "The video link appears here from" in detail
    assert client.get(f"/api/v1/bookings/{booking.id}", headers=bearer) \
        .get_json()["online_link"] is None
    outbox.clear()
    notifications.reminder(booking, hours=2, now=booking.starts_at - timedelta(hours=2))
    db.session.commit()  # mail goes out after the commit
    assert LINK not in outbox[-1].body and "30 minutes before" in outbox[-1].body
    # Twenty minutes before: hers on the booking, by API, in the reminder and the feed.
    fixed_clock.move_to(booking.starts_at - timedelta(minutes=20))
    _login(client, user)  # a day later: signed in again
    assert LINK in client.get(f"/bookings/{booking.id}").text
    assert client.get(f"/api/v1/bookings/{booking.id}", headers=bearer) \
        .get_json()["online_link"] == LINK
    notifications.reminder(booking, hours=2, now=booking.starts_at - timedelta(minutes=20))
    db.session.commit()
    assert LINK in outbox[-1].body
    feed = feeds.calendar_for(user, now=booking.starts_at - timedelta(minutes=20),
                              locale="en", name="ParkWell")
    assert LINK in feed.replace("\r\n ", "")
    # Not the provider's staff's (they have it), nor anyone else's.
    _login(client, kit.staff)
    assert LINK not in client.get(f"/bookings/{booking.id}").text


def test_after_attending_she_is_asked_for_a_review(client, kit, fixed_clock, outbox):
    service = kit.service()
    user = kit.employee(locale="en", email="mei@example.com")
    booking = _booked(kit, service, user, days=1)
    fixed_clock.move_to(booking.starts_at + timedelta(minutes=55))
    _login(client, kit.staff)
    outbox.clear()
    marked = client.post(f"/bookings/{booking.id}/attendance", data={"attended": "1"})
    assert marked.status_code == 302
    mail = next(m for m in outbox if m.to == "mei@example.com")
    assert f"/bookings/{booking.id}/review" in mail.body
    _login(client, user)
    review = f"/bookings/{booking.id}/review"
    assert review in client.get(f"/bookings/{booking.id}").text
    assert review in client.get("/bookings").text
    client.post(review, data={"stars": 5, "text": "很好"})
    assert review not in client.get(f"/bookings/{booking.id}").text


def test_the_api_previews_a_cancellation_and_gives_calendar_links(client, make, kit,
                                                                  fixed_clock):
    service = kit.service(price_minor=10000, late_cancel_fee_percent=50)
    user = kit.employee(locale="en")
    booking = _booked(kit, service, user, days=1, hour=9, paid=True)
    fixed_clock.move_to(booking.starts_at - timedelta(hours=3))  # inside the 24 hours
    bearer = {"Authorization": f"Bearer {make.token(user)}"}
    preview = client.get(f"/api/v1/bookings/{booking.id}/cancellation", headers=bearer)
    assert preview.status_code == 200
    assert preview.get_json() | {"free_until": None} == {
        "by": "client", "paid": True, "price_minor": 10000, "currency": "CNY",
        "free_until": None, "late_fee_basis_points": 5000, "fee_minor": 5000,
        "refund_minor": 5000}
    detail = client.get(f"/api/v1/bookings/{booking.id}", headers=bearer).get_json()
    assert detail["was_paid"] is True
    assert detail["calendar"]["google_url"].startswith("https://calendar.google.com/")
    assert detail["calendar"]["ics_url"].endswith(f"/bookings/{booking.id}/calendar.ics")
    services.cancel_booking(booking, actor=user, now=kit.now)
    db.session.commit()
    refused = client.get(f"/api/v1/bookings/{booking.id}/cancellation", headers=bearer)
    assert refused.status_code == 409
    assert refused.get_json()["error"]["code"] == "transition_refused"
