"""The provider dashboard pages, in both languages."""

from __future__ import annotations

from datetime import date, time

import pytest

from core.db import db
from providers.models import Service


@pytest.fixture
def signed_in(kit, make, auth):
    make.commit()
    auth.login(kit.owner.email)
    return kit


def test_the_dashboard_shows_verification_practitioners_and_services(client, signed_in):
    signed_in.service()
    db.session.commit()
    page = client.get(f"/providers/{signed_in.provider.id}/dashboard")
    text = page.get_data(as_text=True)
    assert page.status_code == 200
    assert "Dr Wang" in text and "推拿" in text


def test_the_week_view_marks_national_day_and_the_make_up_saturday(client, signed_in):
    signed_in.rule()
    db.session.commit()
    page = client.get(f"/providers/practitioners/{signed_in.practitioner.id}/schedule"
                      "?week=2026-10-07", headers={"Accept-Language": "en"})
    text = page.get_data(as_text=True)
    assert "Public holiday" in text and "Make-up working day" in text
    assert client.get(f"/providers/practitioners/{signed_in.practitioner.id}/schedule"
                      "?week=nonsense").status_code == 200


def test_the_week_view_speaks_chinese(client, signed_in):
    signed_in.rule()
    db.session.commit()
    client.post("/locale", data={"locale": "zh_CN", "next": "/"})
    text = client.get(f"/providers/practitioners/{signed_in.practitioner.id}/schedule"
                      "?week=2026-10-07").get_data(as_text=True)
    assert "法定节假日" in text and "调休工作日" in text


def test_a_bad_rule_is_refused_on_the_page_with_the_reason(client, signed_in):
    response = client.post(
        f"/providers/practitioners/{signed_in.practitioner.id}/rules",
        data={"rrule": "FREQ=WEEKLY;BYHOUR=9", "starts_on": "2026-09-01",
              "start_time": "09:00", "end_time": "12:00", "timezone": "Asia/Shanghai"},
        headers={"Accept-Language": "en"})
    assert response.status_code == 422
    assert "Only FREQ, INTERVAL, BYDAY" in response.get_data(as_text=True)


def test_time_off_from_the_page_is_saved(client, signed_in):
    response = client.post(
        f"/providers/practitioners/{signed_in.practitioner.id}/exceptions",
        data={"kind": "closed", "happens_on": "2026-09-03", "start_time": "10:00",
              "end_time": "11:00", "note": "dentist"})
    assert response.status_code == 302
    from providers.queries import exceptions_of
    saved = exceptions_of(signed_in.practitioner)
    assert [(e.happens_on, e.start_time) for e in saved] == [(date(2026, 9, 3), time(10))]


def test_a_service_is_created_from_the_form_with_category_specifics(client, signed_in):
    response = client.post(f"/providers/{signed_in.provider.id}/services/new", data={
        "category": "travel_wellness", "delivery_mode": "trip", "title_zh": "莫干山",
        "title_en": "Moganshan", "duration_minutes": "480", "capacity": "10",
        "price_yuan": "1280", "trip_days": "2", "trip_seats": "20", "deposit_yuan": "300",
        "itinerary_zh": "第一天\n第二天", "itinerary_en": "Day one\nDay two",
        "free_cancel_hours": "48", "late_cancel_fee_percent": "20",
        "min_notice_minutes": "1440", "horizon_days": "60", "is_active": "y"})
    assert response.status_code == 302
    service = db.session.query(Service).filter_by(title_en="Moganshan").one()
    assert service.details["deposit_minor"] == 30000
    assert service.details["itinerary_en"] == ["Day one", "Day two"]
    assert service.price_minor == 128000


def test_a_service_form_with_a_negative_price_is_refused(client, signed_in):
    response = client.post(f"/providers/{signed_in.provider.id}/services/new", data={
        "category": "tcm", "delivery_mode": "premises", "title_zh": "x", "title_en": "x",
        "duration_minutes": "30", "capacity": "0", "price_yuan": "-5"})
    assert response.status_code in (400, 422)
