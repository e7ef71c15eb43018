"""Behind a reverse proxy (nginx in front of gunicorn) every request comes from the proxy's
address. With ``PROXY_FIX_HOPS`` set to the number of proxies, the audit log records the
client's own address from ``X-Forwarded-For``, and rate limits count each client apart;
without it (the default) the forwarded headers are ignored, since anyone can send them."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from core.accounts.models import Role
from core.audit.models import AuditEvent
from core.db import db
from core.protections import trust_proxies
from marketplace import create_app
from tests.conftest import base_config

PROXY = "10.0.0.2"
CLIENT = "203.0.113.9"


def _failed_sign_in_from(client, user, *, forwarded_for: str, proto: str = "https") -> str:
    client.post("/login", data={"login": user.email, "password": "wrong"},
                environ_base={"REMOTE_ADDR": PROXY},
                headers={"X-Forwarded-For": forwarded_for, "X-Forwarded-Proto": proto})
    return db.session.scalars(select(AuditEvent.ip).where(
        AuditEvent.action == "auth.login.failed").order_by(AuditEvent.id.desc())).first()


@pytest.mark.parametrize("config_overrides", [{"PROXY_FIX_HOPS": 0}])
def test_without_a_proxy_setting_forwarded_addresses_are_not_believed(client, make):
    user = make.user(Role.EMPLOYEE)
    assert _failed_sign_in_from(client, user, forwarded_for=CLIENT) == PROXY


@pytest.mark.parametrize("config_overrides", [{"PROXY_FIX_HOPS": 1}])
def test_behind_one_proxy_the_audit_log_records_the_clients_address(client, make):
    user = make.user(Role.EMPLOYEE)
    assert _failed_sign_in_from(client, user, forwarded_for=CLIENT) == CLIENT
    # a client that writes its own X-Forwarded-For gets the proxy's entry appended after
    # it: only the last one (the proxy's own) is believed
    assert _failed_sign_in_from(client, user, forwarded_for=f"6.6.6.6, {CLIENT}") == CLIENT


@pytest.mark.parametrize("config_overrides", [{"PROXY_FIX_HOPS": 2}])
def test_behind_two_proxies_the_address_the_outer_one_saw_is_kept(client, make):
    user = make.user(Role.EMPLOYEE)
    outer_proxy = "10.0.0.7"
    assert _failed_sign_in_from(client, user,
                                forwarded_for=f"{CLIENT}, {outer_proxy}") == CLIENT


@pytest.mark.parametrize("config_overrides", [{"PROXY_FIX_HOPS": 1, "RATELIMIT_ENABLED": True,
                                               "SIGNUP_RATE_LIMIT": "2 per minute"}])
def test_one_clients_attempts_do_not_throttle_the_rest_of_the_office(client):
    def sign_up_from(address: str):
        return client.post("/signup", data={"invite_code": "NOPE"},
                           environ_base={"REMOTE_ADDR": PROXY},
                           headers={"X-Forwarded-For": address})

    assert [sign_up_from(CLIENT).status_code for _ in range(3)][-1] == 429
    assert sign_up_from("203.0.113.10").status_code != 429


def test_a_negative_number_of_proxies_is_refused_at_start_up():
    app = create_app(base_config("sqlite://"))
    with pytest.raises(ValueError, match="PROXY_FIX_HOPS"):
        trust_proxies(app, -1)
