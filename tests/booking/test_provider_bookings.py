"""The provider's bookings list: today is today in the park's zone (also early on a Sunday,
when UTC still says Saturday), upcoming days, a search by name, and who attends."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta

from core.db import db
from tests.booking.factories import SHANGHAI


def _login(client, user):
    with client.session_transaction() as session:
        session["_user_id"] = user.get_id()
        session["_fresh"] = True


def _book(client, kit, service, user, starts_at):
    _login(client, user)
    response = client.post(f"/services/{service.id}/book", data={
        "practitioner_id": kit.practitioner.id, "starts_at": starts_at.isoformat(),
        "form_token": f"t-{user.id}-{starts_at.isoformat()}"})
    assert response.status_code == 302, response.text


def test_today_upcoming_and_search_on_a_sunday_morning(client, kit, fixed_clock):
    service = kit.service()
    li = kit.employee(locale="en", display_name="Li Lei")
    han = kit.employee(locale="en", display_name="Han Meimei")
    today = kit.now.astimezone(SHANGHAI).date()
    to_sunday = (6 - today.weekday()) % 7 or 7
    sunday = today + timedelta(days=to_sunday)
    _book(client, kit, service, li, kit.slot(days=to_sunday, hour=10))
    _book(client, kit, service, han, kit.slot(days=to_sunday, hour=11))
    _book(client, kit, service, li, kit.slot(days=to_sunday + 1, hour=10))
    kit.staff.locale = "en"
    db.session.commit()
    # 07:00 on the Sunday in Shanghai: still Saturday in UTC.
    fixed_clock.move_to(datetime.combine(sunday, time(7), tzinfo=SHANGHAI).astimezone(UTC))
    _login(client, kit.staff)
    url = f"/providers/{kit.provider.id}/bookings"
    today = client.get(url).text
    assert "Li Lei" in today and "Han Meimei" in today
    assert "Attending: Han Meimei" in today
    assert today.count("Tuina massage") == 2  # not Monday's
    upcoming = client.get(url + "?view=upcoming").text
    assert upcoming.count("Tuina massage") == 3
    found = client.get(url + "?view=upcoming&q=han").text
    assert found.count("Tuina massage") == 1 and "Han Meimei" in found
    none = client.get(url + "?q=%25_nobody").text
    assert "No bookings of anyone named" in none


def test_a_day_is_still_chosen_with_on(client, kit):
    kit.service()
    kit.staff.locale = "en"
    db.session.commit()
    _login(client, kit.staff)
    page = client.get(f"/providers/{kit.provider.id}/bookings?on=2026-12-24")
    assert page.status_code == 200 and "December 24, 2026" in page.text
