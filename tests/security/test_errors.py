"""No answer, however things go wrong, shows a stack trace or internal detail; uploads are
checked by content and size."""

from __future__ import annotations

import io
from datetime import date

import pytest

from core.accounts.models import ProviderLevel, Role
from core.db import db
from providers.models import Credential

INTERNALS = ("Traceback", 'File "', "RuntimeError", "secret-detail", "sqlalchemy",
             "psycopg", "werkzeug", "site-packages", "/work/")


def clean(response) -> None:
    body = response.get_data(as_text=True)
    for marker in INTERNALS:
        assert marker not in body, f"{marker!r} in a {response.status_code} answer"


@pytest.fixture
def app_with_a_bug(app):
    def boom():
        raise RuntimeError("secret-detail at /work/main/core/thing.py line 12")

    app.add_url_rule("/boom", "boom", boom)
    app.add_url_rule("/api/v1/boom", "api_boom", boom)
    return app


def test_an_unexpected_error_says_sorry_and_nothing_more(app_with_a_bug, caplog):
    client = app_with_a_bug.test_client()
    page = client.get("/boom")
    assert page.status_code == 500
    clean(page)
    api = client.get("/api/v1/boom")
    assert api.status_code == 500
    assert api.get_json()["error"]["code"] == "internal_error"
    clean(api)
    assert "secret-detail" in caplog.text, "the detail goes to the log instead"


@pytest.mark.parametrize(("method", "path", "status"), [
    ("GET", "/no-such-page", 404), ("GET", "/api/v1/no-such-thing", 404),
    ("DELETE", "/login", 405), ("PUT", "/api/v1/me", 405),
    ("GET", "/api/v1/me", 401),
])
def test_refusals_show_no_internals(client, method, path, status):
    response = client.open(path, method=method)
    assert response.status_code == status
    clean(response)


def test_malformed_json_is_a_clear_error(client, make):
    token = make.token(make.user(Role.EMPLOYEE))
    response = client.patch("/api/v1/me", data="{not json", content_type="application/json",
                            headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 400
    assert response.get_json()["error"]["code"] == "malformed_json"
    clean(response)


def test_a_too_large_upload_is_a_clean_413(client, make, auth, app):
    owner = make.user(Role.EMPLOYEE)
    token = make.token(owner)
    too_big = b"x" * (app.config["MAX_CONTENT_LENGTH"] + 1)
    auth.login(owner.email)
    boundary = "b0undary"
    multipart = (f"--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; "
                 f"filename=\"report.csv\"\r\n\r\n").encode() + too_big + \
        f"\r\n--{boundary}--\r\n".encode()
    page = client.post("/me/health/checkups/import", data=multipart,
                       content_type=f"multipart/form-data; boundary={boundary}")
    assert page.status_code == 413
    clean(page)
    api = client.post("/api/v1/me/health/checkups/import", data=too_big,
                      content_type="application/json",
                      headers={"Authorization": f"Bearer {token}"})
    assert api.status_code == 413
    assert api.get_json()["error"]["code"] == "payload_too_large"


def test_a_credential_document_is_judged_by_its_content_not_its_name(client, make, auth):
    owner = make.user(Role.PROVIDER_STAFF, provider_level=ProviderLevel.OWNER)
    provider = owner.memberships[0].provider
    auth.login(owner.email)
    disguised = b"MZ\x90\x00" + b"\x00" * 200  # a Windows program named .pdf
    response = client.post(f"/providers/{provider.id}/credentials", data={
        "practitioner_id": "", "licence_type": "医师执业证书", "licence_number": "110",
        "issuer": "上海市卫健委", "expires_on": date(2030, 1, 1).isoformat(),
        "document": (io.BytesIO(disguised), "licence.pdf")},
        content_type="multipart/form-data")
    assert response.status_code in (400, 422)
    clean(response)
    assert db.session.query(Credential).count() == 0


@pytest.mark.parametrize("content", [
    b"\x89PNG\r\n\x1a\n" + b"\x00" * 64,  # a picture named .xlsx
    b"PK\x03\x04" + b"\x00" * 64,  # a broken zip, as a broken spreadsheet would be
    "工号,姓名\n".encode("utf-16"),  # text in an encoding we do not read
])
def test_a_roster_that_is_not_a_roster_is_refused_clearly(client, make, auth, content):
    hr = make.user(Role.ENTERPRISE_ADMIN)
    auth.login(hr.email)
    enterprise = hr.memberships[0].enterprise
    response = client.post(f"/enterprises/{enterprise.id}/roster",
                           data={"file": (io.BytesIO(content), "roster.xlsx")},
                           content_type="multipart/form-data")
    assert 400 <= response.status_code < 500
    clean(response)
