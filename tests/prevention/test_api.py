"""The campaign API as each side uses it: the admin creates a campaign and reads its
k-anonymous report, the employee books a day and reads explained results, the provider
uploads results; bad input gets a clear error with a stable code, never a 500."""

from __future__ import annotations

from datetime import timedelta

from core.clock import to_zone, utcnow
from core.db import db
from prevention import services
from prevention.models import CampaignCheckup


def _h(make, user) -> dict:
    return {"Authorization": f"Bearer {make.token(user)}"}


def _day(kit, days: int = 3) -> str:
    return to_zone(kit.slot(days), "Asia/Shanghai").date().isoformat()


def test_an_admin_creates_a_campaign_and_bad_dates_are_named(client, make, kit):
    body = {"name_zh": "体检", "name_en": "Check-ups", "year": kit.today.year,
            "service_id": kit.checkup_service.id, "programme_id": kit.programme.id,
            "starts_on": kit.today.isoformat(), "ends_on": kit.today.isoformat(),
            "daily_capacity": 3, "packages": [{"code": "basic", "name_zh": "基础",
                                               "name_en": "Basic", "price_minor": 100}]}
    url = f"/api/v1/enterprises/{kit.enterprise.id}/campaigns"
    created = client.post(url, json=body, headers=_h(make, kit.admin))
    assert created.status_code == 201 and created.get_json()["packages"][0]["code"] == "basic"
    wrong = client.post(url, json=body | {"ends_on": (kit.today - timedelta(days=1))
                                          .isoformat()}, headers=_h(make, kit.admin))
    assert wrong.status_code == 422
    assert wrong.get_json()["error"]["code"] == "invalid_campaign"
    assert "ends_on" in wrong.get_json()["error"]["fields"]
    listed = client.get(url, headers=_h(make, kit.admin)).get_json()["items"]
    assert len(listed) == 2


def test_an_employee_sees_fitting_packages_books_a_day_and_reads_the_preparation(client, make,
                                                                                kit):
    user = kit.person(sex="male", birth_year=1990)
    mine = client.get("/api/v1/me/checkup-campaigns", headers=_h(make, user)).get_json()
    assert mine["items"][0]["fitting_package_ids"] == [kit.package("basic").id]
    slots = client.get(f"/api/v1/me/checkup-campaigns/{kit.campaign.id}/slots?on={_day(kit)}",
                       headers=_h(make, user)).get_json()
    assert slots["left_today"] == 10 and slots["slots"]
    first = slots["slots"][0]
    url = f"/api/v1/me/checkup-campaigns/{kit.campaign.id}/bookings"
    refused = client.post(url, headers=_h(make, user), json={
        "package_id": kit.package("enhanced").id, "practitioner_id": first["practitioner_id"],
        "starts_at": first["starts_at"]})
    assert refused.status_code == 422
    assert refused.get_json()["error"]["code"] == "package_does_not_fit"
    booked = client.post(url, headers=_h(make, user), json={
        "package_id": kit.package("basic").id, "practitioner_id": first["practitioner_id"],
        "starts_at": first["starts_at"], "results_consent": True})
    assert booked.status_code == 201, booked.get_json()
    data = booked.get_json()
    assert data["booking_status"] == "confirmed" and data["results_consent"]
    assert data["preparation"]


def test_booking_outside_the_campaign_or_an_unknown_day_is_a_clear_error(client, make, kit):
    user = kit.person()
    late = (kit.campaign.ends_on + timedelta(days=1)).isoformat()
    answer = client.get(f"/api/v1/me/checkup-campaigns/{kit.campaign.id}/slots?on={late}",
                        headers=_h(make, user))
    assert answer.status_code == 422 and answer.get_json()["error"]["code"] == "outside_campaign"
    bad = client.get(f"/api/v1/me/checkup-campaigns/{kit.campaign.id}/slots?on=31-02-2026",
                     headers=_h(make, user))
    assert bad.status_code == 422


def test_the_provider_uploads_results_and_the_employee_reads_them_explained(client, make, kit):
    user = kit.person()
    checkup = kit.book(user)
    # The check-up took place: move the booking into the past, as time would.
    booking = checkup.booking
    shift = booking.starts_at - (utcnow() - timedelta(hours=3))
    booking.starts_at -= shift
    booking.ends_at -= shift
    booking.busy_from -= shift
    booking.busy_until -= shift
    checkup.day = to_zone(booking.starts_at, "Asia/Shanghai").date()
    db.session.commit()
    impossible = client.post(f"/api/v1/campaign-checkups/{checkup.id}/results",
                             headers=_h(make, kit.owner),
                             json={"format": "csv", "content": "systolic,diastolic\n80,120\n"})
    assert impossible.status_code == 422
    assert impossible.get_json()["error"]["code"] == "import_rejected"
    uploaded = client.post(f"/api/v1/campaign-checkups/{checkup.id}/results",
                           headers=_h(make, kit.owner), json={
                               "format": "json",
                               "content": '{"checkups": [{"systolic": 150, "diastolic": 96,'
                                          ' "hdl": 0.8}]}'})
    assert uploaded.status_code == 201 and uploaded.get_json()["abnormal"]
    again = client.post(f"/api/v1/campaign-checkups/{checkup.id}/results",
                        headers=_h(make, kit.owner),
                        json={"format": "csv", "content": "systolic,diastolic\n120,80\n"})
    assert again.status_code == 409
    assert again.get_json()["error"]["code"] == "results_already_received"
    mine = client.get(f"/api/v1/me/checkups/{checkup.id}", headers=_h(make, user)).get_json()
    levels = {r["key"]: r["level"] for r in mine["results"]}
    assert levels == {"systolic": "high", "diastolic": "high", "hdl": "low"}
    assert all(r["what_it_is"] and r["advice"] for r in mine["results"])
    other = kit.person()
    assert client.get(f"/api/v1/me/checkups/{checkup.id}",
                      headers=_h(make, other)).status_code == 404


def test_the_admin_reads_only_aggregates_and_nudges_for_a_count(client, make, kit, app):
    app.config["REPORT_MIN_GROUP"] = 2
    people = [kit.person(department="研发部") for _ in range(3)]
    kit.book(people[0])
    answer = client.get(f"/api/v1/campaigns/{kit.campaign.id}", headers=_h(make, kit.admin))
    report = answer.get_json()
    assert report["completion"]["total"]["eligible"] == 3
    assert report["completion"]["total"]["booked"] is None  # one booking: below k
    assert report["completion"]["released_at"]  # today's release, not live figures
    assert not any(p.display_name in answer.text or p.email in answer.text for p in people)
    nudged = client.post(f"/api/v1/campaigns/{kit.campaign.id}/nudges", json={},
                         headers=_h(make, kit.admin))
    assert nudged.status_code == 201 and nudged.get_json() == {"nudged": 2}
    too_soon = client.post(f"/api/v1/campaigns/{kit.campaign.id}/nudges", json={},
                           headers=_h(make, kit.admin))
    assert too_soon.status_code == 409
    assert too_soon.get_json()["error"]["code"] == "nudge_too_soon"


def test_an_employee_withdraws_consent_before_results_arrive(client, make, kit):
    user = kit.person()
    checkup = kit.book(user)
    answer = client.put(f"/api/v1/me/checkups/{checkup.id}/consent",
                        json={"results_consent": False}, headers=_h(make, user))
    assert answer.status_code == 200 and not answer.get_json()["results_consent"]
    assert db.session.get(CampaignCheckup, checkup.id).results_consent_at is None
    assert services.unbooked_invitations(kit.campaign) == []


def test_the_catalogue_filters_by_the_check_up_category(client, make, kit):
    user = kit.person()
    found = client.get("/api/v1/catalog/search?category=health_checkup", headers=_h(make, user))
    assert found.status_code == 200
    ids = {item["id"] for item in found.get_json()["items"]}
    assert kit.checkup_service.id in ids
    providers = client.get("/api/v1/providers?category=health_checkup", headers=_h(make, user))
    assert providers.status_code == 200
