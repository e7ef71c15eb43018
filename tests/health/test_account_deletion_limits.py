"""Deleting an account asks for the password, so guessing it there is throttled like a
sign-in: past the limit the API answers 429 ``rate_limited`` and the account is untouched."""

from __future__ import annotations

import pytest

from core.accounts.models import Role
from core.db import db


@pytest.fixture
def config_overrides() -> dict:
    return {"RATELIMIT_ENABLED": True, "ACCOUNT_DELETE_RATE_LIMIT": "2 per minute"}


def test_guessing_the_password_through_account_deletion_is_throttled(client, make):
    person = make.user(Role.EMPLOYEE)
    headers = {"Authorization": f"Bearer {make.token(person)}"}
    guesses = [client.delete("/api/v1/me", json={"confirm": True, "password": f"guess{n}"},
                             headers=headers) for n in range(3)]
    assert [g.status_code for g in guesses] == [401, 401, 429]
    assert guesses[2].get_json()["error"]["code"] == "rate_limited"
    db.session.expire_all()
    assert person.is_active and person.email.endswith("@example.com")
