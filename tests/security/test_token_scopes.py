"""Scopes are decided in one place for every API request: a read-only token reads and
never writes, on any route, including the route that mints tokens; and the per-person
limits count the person, not the text of the header they sent."""

from __future__ import annotations

import pytest
from flask import Flask

from core.accounts.models import ApiScope, ApiToken, Role
from core.api.auth import scope_for_method
from core.api.openapi import registry
from core.db import db


def bearer(token: str, spaces: str = " ") -> dict:
    return {"Authorization": f"Bearer{spaces}{token}"}


def test_read_only_token_cannot_mint_a_write_token(client, make):
    user = make.user(Role.EMPLOYEE)
    read_only = make.token(user, scopes=(ApiScope.READ,))
    before = db.session.scalar(db.select(db.func.count()).select_from(ApiToken))
    response = client.post("/api/v1/tokens", headers=bearer(read_only),
                           json={"name": "escalate", "scopes": ["read", "write"]})
    assert response.status_code == 403
    assert response.get_json()["error"]["code"] == "insufficient_scope"
    assert db.session.scalar(db.select(db.func.count()).select_from(ApiToken)) == before


def test_a_write_token_may_still_mint_a_token(client, make):
    token = make.token(make.user(Role.EMPLOYEE))
    response = client.post("/api/v1/tokens", headers=bearer(token),
                           json={"name": "second", "scopes": ["read"]})
    assert response.status_code == 201


def test_read_only_token_reads_but_never_writes(client, make):
    user = make.user(Role.EMPLOYEE)
    read_only = make.token(user, scopes=(ApiScope.READ,))
    assert client.get("/api/v1/me", headers=bearer(read_only)).status_code == 200
    response = client.patch("/api/v1/me", headers=bearer(read_only),
                            json={"display_name": "Changed"})
    assert response.status_code == 403
    db.session.expire_all()
    assert user.display_name != "Changed"


def test_a_revoked_token_is_refused_even_where_no_token_is_needed(client, make):
    user = make.user(Role.EMPLOYEE)
    token = make.token(user)
    client.delete(f"/api/v1/tokens/{db.session.scalar(db.select(ApiToken.id))}",
                  headers=bearer(token))
    response = client.post("/api/v1/tokens", headers=bearer(token),
                           json={"name": "again", "scopes": ["read"]})
    assert response.status_code == 401


def test_every_route_that_writes_asks_for_the_write_scope(app: Flask):
    """The before-request check gives writes the write scope whatever a route declares;
    the declarations say the same, so that the OpenAPI document tells the truth."""
    for operation in registry.operations:
        if operation.scope is not None:
            assert operation.scope == scope_for_method(operation.method) or (
                operation.scope == ApiScope.WRITE), (operation.method, operation.path)


def test_the_scope_check_covers_routes_outside_the_documented_api(app: Flask, make):
    """A route added under /api/ without ApiBlueprint.operation cannot forget the check."""
    from flask import Blueprint

    undocumented = Blueprint("undocumented", __name__, url_prefix="/api/v1")
    undocumented.add_url_rule("/undocumented", "write", lambda: ("written", 200),
                              methods=["POST"])
    app.register_blueprint(undocumented)
    read_only = make.token(make.user(Role.EMPLOYEE), scopes=(ApiScope.READ,))
    response = app.test_client().post("/api/v1/undocumented", headers=bearer(read_only))
    assert response.status_code == 403


class TestBuckets:
    @pytest.fixture
    def config_overrides(self) -> dict:
        return {"RATELIMIT_ENABLED": True, "BOOKING_RATE_LIMIT": "2 per minute",
                "EXPORT_RATE_LIMIT": "2 per minute"}

    def test_extra_spaces_in_bearer_share_the_bucket(self, client, make):
        token = make.token(make.user(Role.EMPLOYEE))
        statuses = [client.post("/api/v1/bookings", json={},
                                headers=bearer(token, spaces)).status_code
                    for spaces in (" ", "  ", "   ")]
        assert statuses[:2] != [429, 429] and statuses[2] == 429

    def test_the_refusal_says_when_to_retry_as_documented(self, client, make):
        token = make.token(make.user(Role.EMPLOYEE))
        for _ in range(2):
            client.post("/api/v1/bookings", json={}, headers=bearer(token))
        refused = client.post("/api/v1/bookings", json={}, headers=bearer(token))
        assert int(refused.headers["Retry-After"]) >= 1
        document = client.get("/api/v1/openapi.json").get_json()
        for path, method in (("/api/v1/tokens", "post"), ("/api/v1/bookings", "post")):
            response = document["paths"][path][method]["responses"].get("429")
            if response is not None:
                assert "Retry-After" in response["headers"]
        assert "429" in document["paths"]["/api/v1/tokens"]["post"]["responses"]

    def test_a_new_token_does_not_bring_a_new_bucket(self, client, make):
        user = make.user(Role.EMPLOYEE)
        first, second, third = (make.token(user) for _ in range(3))
        statuses = [client.post("/api/v1/bookings", json={}, headers=bearer(token)).status_code
                    for token in (first, second, third)]
        assert statuses[2] == 429

    def test_another_person_has_a_bucket_of_their_own(self, client, make):
        mine, theirs = make.token(make.user(Role.EMPLOYEE)), make.token(
            make.user(Role.EMPLOYEE))
        for _ in range(3):
            client.get("/api/v1/me/health/export", headers=bearer(mine))
        assert client.get("/api/v1/me/health/export",
                          headers=bearer(theirs)).status_code == 200
