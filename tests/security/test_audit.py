"""The audit log: who did what, to what, when and from where, append-only, never a health
value; platform admins search it and each person sees the part about themselves."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import select, text
from sqlalchemy.exc import DBAPIError

from core.accounts import services as accounts
from core.accounts.models import Role
from core.audit.models import (
    POSTGRES_APPEND_ONLY,
    POSTGRES_DROP_APPEND_ONLY,
    AuditEvent,
    AuditLogIsAppendOnly,
)
from core.clock import utcnow
from core.db import db
from health import services as health
from health import sharing
from tests.benefits.factories import programme
from tests.factories import PASSWORD

BROWSER = {"User-Agent": "AuditTest/1.0", "X-Forwarded-For": "203.0.113.9"}


def events(action: str | None = None) -> list[AuditEvent]:
    statement = select(AuditEvent).order_by(AuditEvent.id)
    if action:
        statement = statement.where(AuditEvent.action == action)
    return list(db.session.scalars(statement))


def bearer(token: str) -> dict:
    return {"Authorization": f"Bearer {token}"}


def test_a_failed_sign_in_is_kept_although_the_request_rolls_back(client, make):
    user = make.user(Role.EMPLOYEE)
    response = client.post("/login", data={"login": user.email, "password": "wrong"},
                           headers=BROWSER, environ_base={"REMOTE_ADDR": "198.51.100.7"})
    assert response.status_code == 401
    [failed] = events("auth.login.failed")
    assert failed.subject_user_id == user.id
    assert failed.actor_id is None
    assert failed.details == {"login": user.email}
    assert failed.ip == "198.51.100.7"
    assert failed.user_agent == "AuditTest/1.0"
    assert failed.occurred_at.utcoffset() == timedelta(0)


def test_a_sign_in_records_who_and_as_what(client, make):
    user = make.user(Role.EMPLOYEE)
    assert client.post("/login", data={"login": user.email, "password": PASSWORD}
                       ).status_code == 302
    [signed_in] = events("auth.login.succeeded")
    assert (signed_in.actor_id, signed_in.subject_user_id) == (user.id, user.id)
    assert signed_in.actor_role == "employee"


def test_sign_up_tokens_and_deactivation_are_recorded(client, make):
    enterprise = make.enterprise()
    response = client.post("/signup", data={
        "invite_code": enterprise.invite_code, "login": "new.person@example.com",
        "display_name": "新人", "password": "a long passphrase 1",
        "confirm": "a long passphrase 1"})
    assert response.status_code == 302, response.text
    user = accounts.find_user_by_login("new.person@example.com")
    assert {"account.created", "membership.granted", "account.signed_up"} <= {
        e.action for e in events() if e.subject_user_id == user.id}
    client.post("/account/tokens", data={"name": "phone", "scopes": ["read"],
                                         "expires_in_days": 30})
    [created] = events("token.created")
    assert created.actor_id == user.id and created.details["scopes"] == "read"
    client.post(f"/account/tokens/{created.target_id}/revoke")
    [revoked] = events("token.revoked")
    assert revoked.target_id == created.target_id
    accounts.deactivate_user(user)
    db.session.commit()
    assert [e.subject_user_id for e in events("account.deactivated")] == [user.id]


def test_a_revoked_role_is_recorded(make):
    user = make.user(Role.ENTERPRISE_ADMIN)
    user.memberships[0].is_active = False
    db.session.commit()
    [revoked] = events("membership.revoked")
    assert revoked.subject_user_id == user.id
    assert revoked.details["role"] == "enterprise_admin"


def test_funding_and_programmes_are_recorded_with_their_actor(make):
    plan = programme(make, make.enterprise(), funded_minor=50_000)
    [funding] = events("money.funding")
    assert funding.actor_id is not None
    assert funding.target_type == "ledger_transaction"
    [created] = events("programme.created")
    assert created.target_id == str(plan.id)


@pytest.fixture
def shared(make):
    """An employee who shares blood pressure with a provider, whose staff read it once."""
    employee = make.user(Role.EMPLOYEE)
    provider = make.provider(park=employee.active_memberships[0].enterprise.park)
    staff = make.user(Role.PROVIDER_STAFF, provider=provider)
    now = utcnow()
    health.record_checkup(employee, measured_on=date(2026, 10, 1), source="",
                          readings={"systolic": (151, None), "diastolic": (97, None)},
                          now=now)
    sharing.share_for_days(employee, provider_id=provider.id, fields=["blood_pressure"],
                           days=7, now=now)
    db.session.commit()
    return employee, provider, staff


def test_a_providers_read_is_recorded_for_the_owner_without_any_value(client, make, auth,
                                                                     shared):
    employee, provider, staff = shared
    auth.login(staff.email)
    assert client.get(f"/providers/{provider.id}/health-clients/{employee.id}"
                      ).status_code == 200
    [read] = events("health.read_by_provider")
    assert (read.actor_id, read.subject_user_id) == (staff.id, employee.id)
    assert read.target_type == "provider" and read.target_id == str(provider.id)
    # Ids may be any number (PostgreSQL's grow across tests): the readings are looked for
    # in everything else.
    values = {key: value for key, value in read.details.items() if not key.endswith("_id")}
    stored = repr((values, sorted(read.details), read.actor_role))
    for health_word in ("151", "97", "blood", "systolic"):
        assert health_word not in stored

    # The owner sees it, in the page and over the API; someone else does not.
    auth.logout()
    auth.login(employee.email)
    page = client.get("/account/activity")
    assert "health.read_by_provider" in page.text and staff.display_name in page.text
    token = make.token(employee)
    items = client.get("/api/v1/me/audit-events", headers=bearer(token)).get_json()["items"]
    assert "health.read_by_provider" in {i["action"] for i in items}
    other = make.token(make.user(Role.EMPLOYEE))
    others = client.get("/api/v1/me/audit-events", headers=bearer(other)).get_json()["items"]
    assert "health.read_by_provider" not in {i["action"] for i in others}


def test_the_owners_export_is_recorded(client, auth, shared):
    employee, _provider, _staff = shared
    auth.login(employee.email)
    assert client.get("/me/health/export").status_code == 200
    [export] = events("export.health.export")
    assert export.subject_user_id == employee.id == export.actor_id


def test_platform_admins_search_by_actor_action_target_and_date(client, make, auth):
    admin = make.user(Role.PLATFORM_ADMIN)
    somebody = make.user(Role.EMPLOYEE)
    for _ in range(3):
        client.post("/login", data={"login": somebody.email, "password": "wrong"})
    client.post("/login", data={"login": "nobody@example.com", "password": "wrong"})
    token = make.token(admin)

    def search(**params):
        response = client.get("/api/v1/audit-events", query_string=params,
                              headers=bearer(token))
        assert response.status_code == 200, response.text
        return response.get_json()

    assert search(action="auth.login.failed")["pagination"]["total"] == 4
    assert search(action="auth.")["pagination"]["total"] == 4
    assert search(action="auth.login.failed", per_page=3)["pagination"]["pages"] == 2
    by_target = search(target_type="user", target_id=str(somebody.id))["items"]
    assert {i["action"] for i in by_target} == {"account.created"}
    assert search(actor_id=admin.id, action="auth.")["pagination"]["total"] == 0
    today = utcnow().date()
    assert search(date_from=str(today - timedelta(days=1)),
                  action="auth.login.failed")["pagination"]["total"] == 4
    assert search(date_to=str(today - timedelta(days=2)))["pagination"]["total"] == 0
    assert client.get("/api/v1/audit-events?date_from=yesterday",
                      headers=bearer(token)).status_code == 422

    auth.login(admin.email)
    page = client.get("/admin/audit", query_string={"actor": "", "action": "auth.login.failed"})
    assert page.status_code == 200 and page.text.count("<code>auth.login.failed</code>") == 4
    assert client.get("/admin/audit", query_string={"date_from": "not a date"}
                      ).status_code == 400
    assert client.get("/admin/audit", query_string={"actor": admin.email}).status_code == 200


def test_nobody_else_searches_the_log(client, make):
    for role in (Role.EMPLOYEE, Role.ENTERPRISE_ADMIN, Role.COMMITTEE_MEMBER,
                 Role.PROVIDER_STAFF):
        token = make.token(make.user(role))
        assert client.get("/api/v1/audit-events", headers=bearer(token)).status_code == 403


def test_entries_cannot_be_changed_or_deleted(make):
    make.user(Role.EMPLOYEE)
    event = events()[0]
    event.action = "rewritten"
    with pytest.raises(AuditLogIsAppendOnly):
        db.session.flush()
    db.session.rollback()
    db.session.delete(events()[0])
    with pytest.raises(AuditLogIsAppendOnly):
        db.session.flush()
    db.session.rollback()


@pytest.mark.parametrize("backend", ["postgresql"])  # the trigger is PostgreSQL's
def test_postgresql_refuses_updates_and_deletes_in_the_database(app, make, backend):
    make.user(Role.EMPLOYEE)
    db.session.execute(text(POSTGRES_APPEND_ONLY))
    db.session.commit()
    try:
        for statement in ("UPDATE audit_events SET action = 'x'", "DELETE FROM audit_events"):
            with pytest.raises(DBAPIError, match="append-only"):
                db.session.execute(text(statement))
            db.session.rollback()
        assert events()
    finally:
        db.session.rollback()
        db.session.execute(text(POSTGRES_DROP_APPEND_ONLY))
        db.session.commit()


@pytest.mark.parametrize("params", [
    {"date_from": "0001-01-01"}, {"date_to": "9999-12-31"}, {"target_id": "\x00x"},
    {"action": "%_\x00"}, {"actor": "\x00"}, {"actor": "99999999999999"}, {"page": "0"},
    {"actor": "not a login"},
])
def test_odd_searches_are_answered_not_crashed(client, make, auth, params):
    admin = make.user(Role.PLATFORM_ADMIN)
    token = make.token(admin)
    api_params = {"actor_id" if k == "actor" else k: v for k, v in params.items()}
    api = client.get("/api/v1/audit-events", query_string=api_params, headers=bearer(token))
    assert api.status_code in (200, 422)
    auth.login(admin.email)
    assert client.get("/admin/audit", query_string=params).status_code in (200, 400)
