"""Past its limit, signing up, asking for a reset, booking and exporting answer 429: a
translated page in the browser, ``rate_limited`` over the API. The limit is per caller."""

from __future__ import annotations

import pytest

from core.accounts.models import Role

LIMIT = "2 per minute"


@pytest.fixture
def config_overrides() -> dict:
    return {"RATELIMIT_ENABLED": True, "SIGNUP_RATE_LIMIT": LIMIT, "LOGIN_RATE_LIMIT": LIMIT,
            "BOOKING_RATE_LIMIT": LIMIT, "EXPORT_RATE_LIMIT": LIMIT}


ENGLISH = {"Accept-Language": "en"}


def third(send):
    first, second, third = send(), send(), send()
    assert first.status_code != 429 and second.status_code != 429
    return third


def test_sign_up_is_throttled_with_a_page(client):
    response = third(lambda: client.post("/signup", data={"invite_code": "NOPE"},
                                         headers=ENGLISH))
    assert response.status_code == 429
    assert "Too many attempts" in response.text
    assert "<!doctype html>" in response.text.lower()
    assert 1 <= int(response.headers["Retry-After"]) <= 60


def test_password_reset_requests_are_throttled(client):
    response = third(lambda: client.post("/password/forgot",
                                         data={"login": "someone@example.com"}))
    assert response.status_code == 429


def test_exports_are_throttled_per_person(client, make):
    owner, other = make.user(Role.EMPLOYEE), make.user(Role.EMPLOYEE)
    token, other_token = make.token(owner), make.token(other)
    response = third(lambda: client.get("/api/v1/me/health/export",
                                        headers={"Authorization": f"Bearer {token}"}))
    assert response.status_code == 429
    assert response.get_json()["error"]["code"] == "rate_limited"
    assert client.get("/api/v1/me/health/export",
                      headers={"Authorization": f"Bearer {other_token}"}).status_code == 200


def test_booking_is_throttled_and_says_when_to_try_again(client, make):
    token = make.token(make.user(Role.EMPLOYEE))
    answers = [client.post("/api/v1/bookings", json={},
                           headers={"Authorization": f"Bearer {token}"}) for _ in range(3)]
    assert [a.status_code == 429 for a in answers] == [False, False, True]
    assert answers[2].get_json()["error"]["code"] == "rate_limited"
    assert 1 <= int(answers[2].headers["Retry-After"]) <= 60
    # Within the limit nothing is said of it: the X-RateLimit-* headers cost two more
    # round trips to the rate-limit store on every limited request (issue 22).
    assert not [name for name, _value in answers[0].headers if name.startswith("X-RateLimit")]


def test_the_html_export_is_throttled(client, make, auth):
    owner = make.user(Role.EMPLOYEE)
    auth.login(owner.email)
    response = third(lambda: client.get("/me/health/export", headers=ENGLISH))
    assert response.status_code == 429
    assert "Too many attempts" in response.text
