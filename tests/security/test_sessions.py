"""Sessions end when they should: after idling, after their maximum age, at once when the
account is switched off; and a role taken away is gone on the very next request."""

from __future__ import annotations

from datetime import timedelta

import pytest

import core.protections
from core.accounts import services as accounts
from core.accounts.models import Role
from core.clock import utcnow
from core.db import db


@pytest.fixture
def clock(monkeypatch):
    """The session clock, moved by hand."""

    class Clock:
        now = utcnow()

        def advance(self, **delta) -> None:
            self.now += timedelta(**delta)

    clock = Clock()
    monkeypatch.setattr(core.protections, "utcnow", lambda: clock.now)
    return clock


def signed_out(response) -> bool:
    return response.status_code == 302 and "/login" in response.headers["Location"]


def test_an_idle_session_ends_and_an_active_one_goes_on(client, make, auth, clock, app):
    assert app.config["SESSION_IDLE_MINUTES"] == 30
    user = make.user(Role.EMPLOYEE)
    auth.login(user.email)
    assert client.get("/account").status_code == 200
    clock.advance(minutes=29)
    assert client.get("/account").status_code == 200
    clock.advance(minutes=29)  # 58 minutes in, but never 30 idle
    assert client.get("/account").status_code == 200
    clock.advance(minutes=31)
    expired = client.get("/account")
    assert signed_out(expired)
    assert "next=" in expired.headers["Location"]
    assert signed_out(client.get("/account")), "the session stays ended"


def test_a_session_ends_at_its_maximum_age_however_busy(client, make, auth, clock, app):
    user = make.user(Role.EMPLOYEE)
    auth.login(user.email)
    client.get("/account")
    for _ in range(app.config["SESSION_MAX_HOURS"] * 3 + 2):
        clock.advance(minutes=20)
        response = client.get("/account")
        if response.status_code != 200:
            break
    assert signed_out(response)
    assert clock.now - utcnow() > timedelta(hours=app.config["SESSION_MAX_HOURS"] - 1)


@pytest.fixture
def config_overrides() -> dict:
    return {"SESSION_IDLE_MINUTES": 30, "SESSION_MAX_HOURS": 12}


def test_a_role_taken_away_mid_session_is_gone_on_the_next_request(client, make, auth):
    admin = make.user(Role.ENTERPRISE_ADMIN)
    enterprise = admin.memberships[0].enterprise
    token = make.token(admin)
    page = f"/enterprises/{enterprise.id}/invitations"
    api = f"/api/v1/enterprises/{enterprise.id}/roster"
    auth.login(admin.email)
    assert client.get(page).status_code == 200
    assert client.get(api, headers={"Authorization": f"Bearer {token}"}).status_code == 200
    admin.memberships[0].is_active = False
    db.session.commit()
    assert client.get(page).status_code == 404
    assert client.get(api, headers={"Authorization": f"Bearer {token}"}).status_code == 404


def test_a_deactivated_accounts_sessions_and_tokens_stop_at_once(client, make, auth):
    user = make.user(Role.EMPLOYEE)
    token = make.token(user)
    auth.login(user.email)
    assert client.get("/account").status_code == 200
    assert client.get("/api/v1/me", headers={"Authorization": f"Bearer {token}"}
                      ).status_code == 200
    accounts.deactivate_user(user)
    db.session.commit()
    assert signed_out(client.get("/account"))
    refused = client.get("/api/v1/me", headers={"Authorization": f"Bearer {token}"})
    assert refused.status_code == 401
    assert refused.get_json()["error"]["code"] == "unauthorised"
    assert auth.login(user.email).status_code == 401, "and it cannot sign in again"


def test_a_password_change_ends_other_sessions(app, make):
    user = make.user(Role.EMPLOYEE)
    first, second = app.test_client(), app.test_client()
    for browser in (first, second):
        browser.post("/login", data={"login": user.email, "password": "correct horse battery"})
        assert browser.get("/account").status_code == 200
    accounts.set_password(user, password="another long passphrase")
    db.session.commit()
    assert signed_out(first.get("/account")) and signed_out(second.get("/account"))
