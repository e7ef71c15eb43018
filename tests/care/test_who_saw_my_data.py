"""Who saw my data: every read of an employee's health data by their family-physician team
(plan, home measurements, messages, alerts, and what they share) is in the employee's
access log and shown to them in words; when they stop sharing, every screen says so."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from care import plans
from care.models import CarePlan
from core.db import db
from health import sharing
from health.models import AccessLogEntry, Consent
from tests.care.factories import CareKit

EN = {"Accept-Language": "en"}
ZH = {"Accept-Language": "zh-CN"}


@pytest.fixture
def kit(make) -> CareKit:
    return CareKit(make)


@pytest.fixture
def signed(kit):
    """An employee in an agreement, with a plan, a reading over its threshold (an alert)
    and a message."""
    employee = kit.employee()
    agreement = kit.sign(employee, share=("blood_pressure",))
    plans.set_plan(agreement, actor=kit.physician, goals=[{
        "kind": "blood_pressure", "target": [135, 85], "alert_above": [160, 100],
        "due_on": kit.today() + timedelta(days=60)}], now=kit.now, today=kit.today())
    plans.log_measurement(agreement, actor=employee, kind="blood_pressure",
                          values={"systolic": 170, "diastolic": 104}, now=kit.now)
    plans.post_message(agreement, actor=employee, body="头晕", now=kit.now)
    db.session.commit()
    return employee, agreement


def _sign_in(client, user) -> None:
    with client.session_transaction() as session:
        session["_user_id"] = user.get_id()
        session["_fresh"] = True


def _bearer(make, user) -> dict:
    return {"Authorization": f"Bearer {make.token(user)}", **EN}


def _log(owner) -> list[AccessLogEntry]:
    db.session.expire_all()
    return sharing.access_log(owner)


def test_the_physician_opening_the_agreement_is_shown_to_the_employee_in_words(
        client, kit, signed):
    employee, agreement = signed
    _sign_in(client, employee)
    client.get(f"/care/agreements/{agreement.id}", headers=EN)  # the owner's own read
    assert _log(employee) == []

    _sign_in(client, kit.physician)
    assert client.get(f"/care/agreements/{agreement.id}", headers=EN).status_code == 200
    [entry] = _log(employee)
    assert entry.accessor_id == kit.physician.id and entry.provider_id == kit.provider.id
    assert set(entry.fields.split()) == {"blood_pressure", "care_plan", "care_measurements",
                                         "care_messages", "care_alerts"}

    _sign_in(client, employee)
    page = client.get("/me/health/sharing", headers=EN)
    assert "Who saw my data" in page.text, page.text[page.text.find("<main"):][:3000]
    assert (f"{kit.physician.display_name} of {kit.provider.name_en} saw Blood pressure, "
            "your care plan, your home measurements, your messages with the team, and "
            "alerts about your readings.") in page.text.replace("&#39;", "'"), \
        page.text[page.text.find('access-log'):][:800]
    chinese = client.get("/me/health/sharing", headers=ZH)
    assert "谁看过我的数据" in chinese.text and "您的家庭测量记录" in chinese.text


def test_every_team_read_through_the_api_is_logged_and_the_employees_own_are_not(
        client, make, kit, signed):
    employee, agreement = signed
    mine = _bearer(make, employee)
    for path in ("", "/measurements", "/messages"):
        assert client.get(f"/api/v1/care/agreements/{agreement.id}{path}",
                          headers=mine).status_code == 200
    assert _log(employee) == []

    team = _bearer(make, kit.physician)
    reads = {"/measurements": {"care_measurements"}, "/messages": {"care_messages"},
             "": {"care_plan", "care_measurements", "care_alerts"}}
    for path, expected in reads.items():
        assert client.get(f"/api/v1/care/agreements/{agreement.id}{path}",
                          headers=team).status_code == 200
        assert set(_log(employee)[0].fields.split()) == expected, path
    assert client.get(f"/api/v1/providers/{kit.provider.id}/care/patients",
                      headers=team).status_code == 200
    assert _log(employee)[0].fields == "care_alerts"
    assert len(_log(employee)) == 4

    log = client.get("/api/v1/me/health/access-log", headers=mine).json["items"]
    assert log[0]["fields"] == ["care_alerts"]
    assert log[0]["what"] == ["alerts about your readings"]


def test_a_refused_plan_form_saves_nothing_but_still_records_what_it_showed(
        client, kit, signed):
    employee, agreement = signed
    _sign_in(client, kit.physician)
    refused = client.post(f"/care/agreements/{agreement.id}/plan", headers=EN, data={
        "bp_target_systolic": "135", "bp_target_diastolic": "85",
        "bp_due_on": (kit.today() - timedelta(days=1)).isoformat()})
    assert refused.status_code == 422 and "头晕" in refused.text  # the page showed it
    db.session.expire_all()
    plan = db.session.scalar(select(CarePlan))
    assert plan.goals[0]["alert_above"] == [160, 100]  # unchanged
    [entry] = _log(employee)
    assert "care_messages" in entry.fields.split()


def test_after_the_employee_stops_sharing_every_screen_says_so(client, make, kit, signed):
    employee, agreement = signed
    consent = db.session.scalar(select(Consent).where(Consent.purpose == f"care:{agreement.id}"))
    _sign_in(client, employee)
    page = client.get(f"/care/agreements/{agreement.id}", headers=EN)
    assert "Shared with the team: Blood pressure" in page.text

    assert client.post(f"/me/health/sharing/{consent.id}/revoke").status_code == 302
    page = client.get(f"/care/agreements/{agreement.id}", headers=EN)
    assert "Shared with the team: nothing: the sharing stopped on" in page.text
    assert "Shared with the team: Blood pressure" not in page.text
    sharing_page = client.get("/me/health/sharing", headers=EN)
    assert "Revoked" in sharing_page.text and "family physician agreement" in sharing_page.text

    mine = client.get(f"/api/v1/care/agreements/{agreement.id}",
                      headers=_bearer(make, employee)).json["agreement"]
    assert mine["share_fields"] == ["blood_pressure"]  # what was ticked when signing
    assert mine["shared_now"] == [] and mine["sharing_stopped_at"] is not None

    team = _bearer(make, kit.physician)
    shared = client.get(f"/api/v1/care/agreements/{agreement.id}/shared-health", headers=team)
    assert shared.status_code == 200 and shared.json["fields"] == []
    patients = client.get(f"/api/v1/providers/{kit.provider.id}/care/patients",
                          headers=team).json
    assert patients["agreements"][0]["shared_now"] == []
    _sign_in(client, kit.physician)
    team_page = client.get(f"/care/agreements/{agreement.id}", headers=EN)
    assert "Nothing is shared with your organisation." in team_page.text
    assert client.get(f"/providers/{kit.provider.id}/health-clients/{employee.id}",
                      headers=EN).status_code == 404
    clients = client.get(f"/providers/{kit.provider.id}/health-clients", headers=EN)
    assert employee.display_name not in clients.text
    # the reads after revoking hold no shared group any more
    assert all("blood_pressure" not in e.fields.split() for e in _log(employee))
    assert db.session.scalar(select(func.count()).select_from(AccessLogEntry)) >= 2
