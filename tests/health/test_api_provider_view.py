"""The provider's view of shared health data, through the API (issue 19's parity): who
shares with the provider now, and what one of them shares, each read logged as on the page."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import func, select

from core.accounts.models import Role
from core.clock import utcnow
from core.db import db
from health import services, sharing
from health.models import AccessLogEntry
from tests.core.test_api import assert_error, bearer
from tests.pages import shows_number


@pytest.fixture
def provider(make, employee):
    return make.provider(park=employee.active_memberships[0].enterprise.park)


@pytest.fixture
def staff(make, provider):
    return make.user(Role.PROVIDER_STAFF, provider=provider)


@pytest.fixture
def now():
    """The API reads at the clock's instant, so the sharing starts then too."""
    return utcnow()


@pytest.fixture
def shared(employee, provider, now):
    services.record_checkup(employee, measured_on=date(2026, 10, 12), source="Ruijin",
                            readings={"systolic": (145, None), "diastolic": (95, None),
                                      "fasting_glucose": (6.5, None)}, now=now)
    consent = sharing.share_for_days(employee, provider_id=provider.id,
                                     fields=["blood_pressure"], days=7, now=now)
    db.session.commit()
    return consent


def _log_entries() -> int:
    return db.session.scalar(select(func.count(AccessLogEntry.id)))


def test_staff_list_who_shares_and_read_only_what_is_shared(
        client, make, employee, provider, staff, shared, now):
    headers = bearer(make.token(staff))
    listed = client.get(f"/api/v1/providers/{provider.id}/health-clients", headers=headers)
    assert listed.status_code == 200
    assert listed.get_json()["items"] == [{
        "user_id": employee.id, "display_name": employee.display_name,
        "fields": ["blood_pressure"],
        "valid_until": shared.valid_until.isoformat().replace("+00:00", "Z")}]
    assert _log_entries() == 0  # names only: nothing to log

    read = client.get(f"/api/v1/providers/{provider.id}/health-clients/{employee.id}",
                      headers=headers)
    assert read.status_code == 200 and read.headers["Cache-Control"] == "no-store"
    body = read.get_json()
    assert body["fields"] == ["blood_pressure"]
    assert set(body["readings"]) == {"systolic", "diastolic"}  # not the glucose
    assert body["readings"]["systolic"]["value"] == 145
    assert _log_entries() == 1  # the read is in the employee's access log
    log = client.get("/api/v1/me/health/access-log",
                     headers=bearer(make.token(employee))).get_json()["items"]
    assert log and log[0]["provider_id"] == provider.id


def test_after_the_sharing_ends_the_data_does_not_exist_for_the_provider(
        client, make, employee, provider, staff, shared, now):
    sharing.revoke_consent(employee, consent_id=shared.id, now=now + timedelta(minutes=1))
    db.session.commit()
    headers = bearer(make.token(staff))
    assert client.get(f"/api/v1/providers/{provider.id}/health-clients",
                      headers=headers).get_json()["items"] == []
    assert_error(client.get(f"/api/v1/providers/{provider.id}/health-clients/{employee.id}",
                            headers=headers), 404, "no_consent")
    assert _log_entries() == 0


def test_another_providers_staff_read_nothing(client, make, employee, provider, shared):
    stranger = make.user(Role.PROVIDER_STAFF, provider=make.provider(park=provider.park))
    headers = bearer(make.token(stranger))
    response = client.get(f"/api/v1/providers/{provider.id}/health-clients/{employee.id}",
                          headers=headers)
    assert response.status_code == 404
    assert not shows_number(response.get_data(as_text=True), 145)
    assert _log_entries() == 0
