"""Sign-in limits that fit an office: only failures count, per account and per address (the
address's limit is higher, since an office shares one), with a wait that grows instead of a
lock; the page and ``POST /api/v1/tokens`` follow the same rule and say when to try again."""

from __future__ import annotations

import uuid

import pytest

from core.accounts import signin_limits
from core.accounts.models import Role
from core.db import db
from marketplace import create_app
from tests.conftest import base_config, require_redis
from tests.factories import PASSWORD

OFFICE = "198.51.100.20"
ELSEWHERE = "203.0.113.5"
ENGLISH = {"Accept-Language": "en"}


@pytest.fixture
def config_overrides() -> dict:
    return {"RATELIMIT_ENABLED": True, "SIGNIN_FAILURES_PER_ACCOUNT_AT_ADDRESS": 3,
            "SIGNIN_FAILURES_PER_ACCOUNT": 6, "SIGNIN_FAILURES_PER_ADDRESS": 10,
            "SIGNIN_FIRST_WAIT_SECONDS": 60, "SIGNIN_LONGEST_WAIT_SECONDS": 600}


def sign_in(client, login: str, password: str = PASSWORD, *, address: str = OFFICE,
            headers: dict | None = None):
    return client.post("/login", data={"login": login, "password": password},
                       environ_base={"REMOTE_ADDR": address}, headers=headers or {})


def token_sign_in(client, login: str, password: str = PASSWORD, *, address: str = OFFICE):
    return client.post("/api/v1/tokens", json={"name": "phone", "login": login,
                                               "password": password},
                       environ_base={"REMOTE_ADDR": address})


def fail(client, login: str, times: int, *, address: str = OFFICE) -> list[int]:
    return [sign_in(client, login, "not my password", address=address).status_code
            for _ in range(times)]


def test_a_colleagues_typos_do_not_lock_me_out(app, make):
    me, colleague = make.user(Role.EMPLOYEE), make.user(Role.EMPLOYEE)
    make.commit()
    typing = app.test_client()
    assert fail(typing, colleague.email, 4) == [401, 401, 401, 429]
    response = sign_in(app.test_client(), me.email)  # same office address, another browser
    assert response.status_code == 302


def test_successful_sign_ins_never_count(app, make):
    people = [make.user(Role.EMPLOYEE) for _ in range(12)]
    make.commit()
    for person in people:  # more than the address's 10, all from one office
        assert sign_in(app.test_client(), person.email).status_code == 302
    assert fail(app.test_client(), people[0].email, 3) == [401, 401, 401]


def test_the_page_says_when_to_try_again(app, make):
    user = make.user(Role.EMPLOYEE)
    make.commit()
    client = app.test_client()
    fail(client, user.email, 3)
    response = sign_in(client, user.email, headers=ENGLISH)  # even the right password waits
    assert response.status_code == 429
    assert response.headers["Retry-After"] == "60"
    assert "Please try again in 1 minute." in response.text
    assert "<!doctype html>" in response.text.lower()
    chinese = sign_in(client, user.email, headers={"Accept-Language": "zh-CN"})
    assert "请在 1 分钟后再试" in chinese.text


def test_the_wait_grows_with_each_failure_after_it(app, make, monkeypatch):
    user = make.user(Role.EMPLOYEE)
    make.commit()
    client = app.test_client()
    fail(client, user.email, 3)
    waits = []
    for _ in range(3):
        waits.append(int(sign_in(client, user.email).headers["Retry-After"]))
        # The wait runs out (as if the time had passed); the next failure doubles it.
        monkeypatch.setattr(signin_limits, "_wait_left", lambda *_a: 0)
        assert sign_in(client, user.email, "still wrong").status_code == 401
        monkeypatch.undo()
    assert waits == [60, 120, 240]
    assert int(sign_in(client, user.email).headers["Retry-After"]) == 480


def test_guessing_one_password_from_many_addresses_is_limited(app, make):
    user = make.user(Role.EMPLOYEE)
    make.commit()
    statuses = [sign_in(app.test_client(), user.email, "guess", address=f"192.0.2.{n}")
                .status_code for n in range(1, 9)]
    assert statuses == [401] * 6 + [429, 429]


def test_a_stranger_cannot_lock_me_out_of_my_own_browser(app, make):
    user = make.user(Role.EMPLOYEE)
    make.commit()
    mine = app.test_client()
    assert sign_in(mine, user.email, address=ELSEWHERE).status_code == 302
    mine.post("/logout")
    for n in range(1, 9):  # a stranger, from many addresses
        sign_in(app.test_client(), user.email, "guess", address=f"192.0.2.{n}")
    assert sign_in(app.test_client(), user.email, address="192.0.2.77").status_code == 429
    assert sign_in(mine, user.email, address=ELSEWHERE).status_code == 302


def test_a_forged_device_cookie_vouches_for_nothing(app, make):
    user = make.user(Role.EMPLOYEE)
    make.commit()
    for n in range(1, 8):
        sign_in(app.test_client(), user.email, "guess", address=f"192.0.2.{n}")
    forger = app.test_client()
    forger.set_cookie("pw_device", "WyJ4Il0.forged", domain="parkwell.test")
    assert sign_in(forger, user.email, address="192.0.2.50").status_code == 429


def test_two_spellings_of_a_mobile_number_share_one_count(app, make):
    user = make.user(Role.EMPLOYEE, email=None, mobile="+8613800000000")
    make.commit()
    client = app.test_client()
    statuses = [sign_in(client, login, "wrong").status_code
                for login in ("13800000000", "+8613800000000", "138 0000 0000", "13800000000")]
    assert statuses == [401, 401, 401, 429]
    assert sign_in(client, "+86 138 0000 0000").status_code == 429, "even with the password"
    assert user.mobile == "+8613800000000"


def test_many_accounts_failing_from_one_address_are_slowed(app, make):
    client = app.test_client()
    statuses = [sign_in(client, f"nobody{n}@example.com", "guess").status_code
                for n in range(11)]
    assert statuses == [401] * 10 + [429]


def test_the_token_endpoint_has_the_same_rule_with_a_stable_code(app, make):
    me, colleague = make.user(Role.EMPLOYEE), make.user(Role.EMPLOYEE)
    make.commit()
    client = app.test_client()
    assert [token_sign_in(client, colleague.email, "typo").status_code
            for _ in range(3)] == [401, 401, 401]
    refused = token_sign_in(client, colleague.email)
    assert refused.status_code == 429
    assert refused.get_json()["error"]["code"] == "sign_in_throttled"
    assert refused.headers["Retry-After"] == "60"
    assert token_sign_in(client, me.email).status_code == 201


def test_the_token_endpoint_and_the_page_share_the_count(app, make):
    user = make.user(Role.EMPLOYEE)
    make.commit()
    client = app.test_client()
    fail(client, user.email, 3)
    assert token_sign_in(client, user.email).status_code == 429


def test_a_successful_sign_in_clears_my_own_typos(app, make):
    user = make.user(Role.EMPLOYEE)
    make.commit()
    client = app.test_client()
    fail(client, user.email, 2)
    assert sign_in(client, user.email).status_code == 302
    client.post("/logout")
    assert fail(client, user.email, 3) == [401, 401, 401]


class TestSharedByEveryProcess:
    """With Redis (as production must have), the counts are shared by every app process."""

    @pytest.fixture
    def config_overrides(self) -> dict:
        return {"RATELIMIT_ENABLED": True, "SIGNIN_FAILURES_PER_ACCOUNT_AT_ADDRESS": 2,
                "SIGNIN_FIRST_WAIT_SECONDS": 60, "RATELIMIT_STORAGE_URI": require_redis(),
                "RATELIMIT_KEY_PREFIX": f"test-{uuid.uuid4().hex}"}

    def test_failures_on_one_server_count_on_the_other(self, app, make, config_overrides):
        user = make.user(Role.EMPLOYEE)
        make.commit()
        fail(app.test_client(), user.email, 2)
        other = create_app({**base_config(app.config["SQLALCHEMY_DATABASE_URI"]),
                            **config_overrides})
        refused = token_sign_in(other.test_client(), user.email)
        with other.app_context():
            db.engine.dispose()
        assert refused.status_code == 429
        assert 58 <= int(refused.headers["Retry-After"]) <= 60
