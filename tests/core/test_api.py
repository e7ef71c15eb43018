"""The JSON API: tokens, /me, the one error format, pagination and the OpenAPI document."""

from __future__ import annotations

from datetime import timedelta

import pytest
from openapi_spec_validator import validate

from core.accounts.models import ApiToken, Role, User
from core.clock import utcnow
from core.db import db
from tests.factories import PASSWORD
from tests.querycount import count_queries


def bearer(token: str) -> dict:
    return {"Authorization": f"Bearer {token}"}


def assert_error(response, status: int, code: str) -> dict:
    assert response.status_code == status, response.get_data(as_text=True)
    body = response.get_json()
    assert set(body) == {"error"}
    assert set(body["error"]) == {"code", "message", "fields"}
    assert body["error"]["code"] == code
    assert body["error"]["message"]
    return body["error"]


def test_mobile_client_gets_a_token_with_its_password_and_reads_me(client, make):
    user = make.user(Role.EMPLOYEE, display_name="王芳")
    created = client.post("/api/v1/tokens", json={
        "name": "iPhone", "scopes": ["read", "write"], "login": user.email,
        "password": PASSWORD})
    assert created.status_code == 201
    token = created.get_json()["token"]
    assert token.startswith("pw_")
    me = client.get("/api/v1/me", headers=bearer(token)).get_json()
    assert me["display_name"] == "王芳"
    assert me["memberships"][0]["role"] == "employee"
    assert me["memberships"][0]["scope_type"] == "enterprise"


def test_a_token_use_is_written_when_its_request_succeeds_and_not_again_soon_after(
        client, make):
    user = make.user(Role.EMPLOYEE)
    raw = make.token(user)
    stored = db.session.scalar(db.select(ApiToken).filter_by(user_id=user.id))
    assert client.get("/api/v1/me", headers=bearer(raw)).status_code == 200
    db.session.refresh(stored)
    first_use = stored.last_used_at
    assert first_use is not None
    with count_queries() as sent:
        assert client.get("/api/v1/me", headers=bearer(raw)).status_code == 200
    assert not [s for s in sent.statements if s.lstrip().upper().startswith("UPDATE")]
    db.session.refresh(stored)
    assert stored.last_used_at == first_use


def test_a_phone_listing_its_tokens_sees_when_the_token_it_uses_was_last_used(client, make):
    user = make.user(Role.EMPLOYEE)
    created = client.post("/api/v1/tokens", json={
        "name": "iPhone", "scopes": ["read"], "login": user.email, "password": PASSWORD})
    phone = bearer(created.get_json()["token"])
    assert client.get("/api/v1/me", headers=phone).status_code == 200
    listed = client.get("/api/v1/tokens", headers=phone).get_json()["items"]
    stored = db.session.scalar(db.select(ApiToken).filter_by(user_id=user.id))
    assert stored.last_used_at is not None
    assert listed[0]["last_used_at"] is not None, "not the remembered copy's 'never'"


def test_tokens_are_stored_only_as_digests(client, make):
    user = make.user(Role.EMPLOYEE)
    raw = make.token(user)
    stored = db.session.scalar(db.select(ApiToken).filter_by(user_id=user.id))
    assert raw not in (stored.token_hash, stored.prefix) and len(stored.token_hash) == 64


def test_wrong_password_for_a_token_is_refused(client, make):
    user = make.user(Role.EMPLOYEE)
    response = client.post("/api/v1/tokens", json={"name": "x", "login": user.email,
                                                   "password": "not-it"})
    assert_error(response, 401, "invalid_credentials")


def test_requests_without_a_valid_token_are_unauthorised(client, make):
    assert_error(client.get("/api/v1/me"), 401, "unauthorised")
    assert_error(client.get("/api/v1/me", headers=bearer("pw_forged")), 401, "unauthorised")


def test_a_revoked_token_stops_at_once(client, make):
    user = make.user(Role.EMPLOYEE)
    token = make.token(user)
    token_id = db.session.scalar(db.select(ApiToken.id).filter_by(user_id=user.id))
    assert client.delete(f"/api/v1/tokens/{token_id}", headers=bearer(token)).status_code == 204
    assert_error(client.get("/api/v1/me", headers=bearer(token)), 401, "unauthorised")


def test_an_expired_token_is_refused(client, make):
    user = make.user(Role.EMPLOYEE)
    token = make.token(user, days=1)
    assert client.get("/api/v1/me", headers=bearer(token)).status_code == 200  # remembered
    stored = db.session.scalar(db.select(ApiToken).filter_by(user_id=user.id))
    stored.expires_at = utcnow() - timedelta(seconds=1)
    db.session.commit()
    assert_error(client.get("/api/v1/me", headers=bearer(token)), 401, "unauthorised")


def test_a_deactivated_accounts_tokens_stop_at_once(client, make):
    """Even a token whose holder the process remembers (core.accounts.tokens)."""
    user = make.user(Role.EMPLOYEE)
    token = make.token(user)
    assert client.get("/api/v1/me", headers=bearer(token)).status_code == 200
    db.session.get(User, user.id).is_active = False
    db.session.commit()
    assert_error(client.get("/api/v1/me", headers=bearer(token)), 401, "unauthorised")


def test_a_known_token_is_checked_with_one_statement_and_its_holder_roles_stay_true(
        client, make):
    """A token seen before is checked against its holder's counter alone; a role taken away
    is seen by the very next request."""
    from tests.querycount import count_queries

    user = make.user(Role.EMPLOYEE)
    token = make.token(user)
    assert client.get("/api/v1/me", headers=bearer(token)).json["memberships"]
    with count_queries() as log:
        client.get("/api/v1/me", headers=bearer(token))
    assert not [s for s in log.statements if s.lstrip().startswith("SELECT api_tokens")]
    for membership in db.session.get(User, user.id).memberships:
        membership.is_active = False
    db.session.commit()
    assert client.get("/api/v1/me", headers=bearer(token)).json["memberships"] == []


def test_a_read_only_token_cannot_write(client, make):
    user = make.user(Role.EMPLOYEE)
    token = make.token(user, scopes=("read",))
    response = client.patch("/api/v1/me", json={"locale": "en"}, headers=bearer(token))
    assert_error(response, 403, "insufficient_scope")


def test_nobody_revokes_someone_elses_token(client, make):
    owner, other = make.user(Role.EMPLOYEE), make.user(Role.EMPLOYEE)
    make.token(owner)
    owner_token_id = db.session.scalar(db.select(ApiToken.id).filter_by(user_id=owner.id))
    response = client.delete(f"/api/v1/tokens/{owner_token_id}",
                             headers=bearer(make.token(other)))
    assert_error(response, 404, "token_not_found")


def test_token_list_is_paginated(client, make):
    user = make.user(Role.EMPLOYEE)
    token = make.token(user)
    for _ in range(4):
        make.token(user)
    page = client.get("/api/v1/tokens?page=2&per_page=2", headers=bearer(token)).get_json()
    assert page["pagination"] == {"page": 2, "per_page": 2, "total": 5, "pages": 3}
    assert len(page["items"]) == 2
    assert_error(client.get("/api/v1/tokens?per_page=1000", headers=bearer(token)), 422,
                 "invalid_input")


def test_changing_language_through_the_api(client, make):
    user = make.user(Role.EMPLOYEE)
    token = make.token(user)
    response = client.patch("/api/v1/me", json={"locale": "en"}, headers=bearer(token))
    assert response.get_json()["locale"] == "en"
    error = assert_error(client.patch("/api/v1/me", json={"locale": "fr"},
                                      headers=bearer(token)), 422, "unsupported_locale")
    assert "locale" in error["fields"]


@pytest.mark.parametrize(("kwargs", "status", "code"), [
    ({"data": "{not json", "content_type": "application/json"}, 400, "malformed_json"),
    ({"data": "[1, 2]", "content_type": "application/json"}, 400, "malformed_json"),
    ({"data": "name=x", "content_type": "application/x-www-form-urlencoded"}, 415,
     "unsupported_media_type"),
    ({"json": {}}, 422, "invalid_input"),
    ({"json": {"name": "x", "unexpected": 1}}, 422, "invalid_input"),
    ({"data": "x" * (3 * 1024 * 1024), "content_type": "application/json"}, 413,
     "payload_too_large"),
])
def test_bad_requests_get_the_one_error_format(client, make, kwargs, status, code):
    token = make.token(make.user(Role.EMPLOYEE))
    response = client.post("/api/v1/tokens", headers=bearer(token), **kwargs)
    assert_error(response, status, code)


def test_missing_fields_are_named_in_the_callers_language(client, make):
    token = make.token(make.user(Role.EMPLOYEE))
    zh = assert_error(client.post("/api/v1/tokens", json={}, headers=bearer(token)),
                      422, "invalid_input")
    assert zh["fields"]["name"] == "此项为必填项。"
    en = assert_error(client.post("/api/v1/tokens", json={}, headers={
        **bearer(token), "Accept-Language": "en"}), 422, "invalid_input")
    assert en["fields"]["name"] == "This field is required."


def test_unknown_api_routes_and_methods_answer_in_json(client):
    assert_error(client.get("/api/v1/nothing-here"), 404, "not_found")
    assert_error(client.put("/api/v1/me"), 405, "method_not_allowed")


def test_openapi_document_is_valid_and_lists_the_endpoints(client):
    document = client.get("/api/v1/openapi.json").get_json()
    validate(document)
    assert {"/api/v1/me", "/api/v1/tokens", "/api/v1/tokens/{token_id}"} <= set(
        document["paths"])
    create = document["paths"]["/api/v1/tokens"]["post"]
    assert create["requestBody"]["content"]["application/json"]["schema"]["$ref"].endswith(
        "TokenCreate")
    assert "422" in create["responses"]


def test_api_docs_page_is_served_offline(client):
    page = client.get("/api/v1/docs/")
    assert page.status_code == 200 and "swagger-ui" in page.text
    asset = client.get("/api/v1/docs/swagger-ui-bundle.js")
    assert asset.status_code == 200
    asset.close()


def test_ids_too_large_for_the_database_are_simply_not_found(client, make):
    token = make.token(make.user(Role.EMPLOYEE))
    assert_error(client.delete("/api/v1/tokens/99999999999", headers=bearer(token)), 404,
                 "not_found")


def test_an_error_without_its_own_words_says_the_statuses_and_translates_once(app):
    """A refusal shows its own message, or its status's when it has none (None or empty),
    and a lazy message is translated once, not once to test it and again to show it."""
    from flask_babel import lazy_gettext

    from core.api.errors import HTTP_ERRORS, message_text

    default = HTTP_ERRORS[409][1]
    with app.test_request_context("/", headers={"Accept-Language": "zh-CN"}):
        assert message_text(None, default) == str(default)
        assert message_text("", default) == str(default)
        assert message_text("Slot taken", default) == "Slot taken"
        asked = []

        class Counted(str):
            def __str__(self):
                asked.append(1)
                return str(lazy_gettext("This slot is already full."))

        assert message_text(Counted(), default) == str(lazy_gettext("This slot is already full."))
        assert len(asked) == 1
