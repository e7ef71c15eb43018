"""Health check, error pages and the demo park."""

from __future__ import annotations

import pytest

from core.clock import utcnow
from core.db import db
from core.mail import OutgoingMail, _deliver, calendar_attachment
from demo.seed import DEMO_LOGINS, DEMO_PASSWORD, row_counts, seed_demo
from marketplace import create_app
from tests.conftest import base_config


def test_health_check_reports_the_database(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.get_json() == {"status": "ok", "database": "ok"}


def test_health_check_says_503_when_the_database_is_unreachable(tmp_path):
    app = create_app(base_config(f"sqlite:///{tmp_path}/missing/dir/db.sqlite"))
    response = app.test_client().get("/healthz")
    assert response.status_code == 503
    assert response.get_json()["database"] == "unreachable"


def test_unknown_page_is_a_translated_404(client):
    response = client.get("/no/such/page")
    assert response.status_code == 404 and "页面不存在" in response.text


def test_unexpected_errors_show_a_translated_500_without_internals(app, client):
    @app.route("/boom")
    def boom():
        raise RuntimeError("secret internals")

    response = client.get("/boom", headers={"Accept-Language": "en"})
    assert response.status_code == 500
    assert "Something went wrong" in response.text and "secret internals" not in response.text


@pytest.mark.parametrize("width", [390, 1280])
def test_shell_has_a_viewport_for_phones(client, width):
    page = client.get("/login").text
    assert 'name="viewport" content="width=device-width, initial-scale=1"' in page


def test_demo_park_seeds_once_and_a_second_run_changes_nothing(app):
    first = seed_demo(now=utcnow())
    db.session.commit()
    second = seed_demo(now=utcnow())
    db.session.commit()
    assert first == second == row_counts()
    assert first["enterprises"] == 3 and first["provider_organisations"] >= 13
    assert 55 <= first["users"] <= 80


def test_every_demo_login_signs_in(app, client):
    seed_demo(now=utcnow())
    db.session.commit()
    for login in DEMO_LOGINS:
        response = client.post("/login", data={"login": login.email, "password": DEMO_PASSWORD})
        assert response.status_code == 302, login.email
        assert client.get("/").status_code == 200
        client.post("/logout")


def test_mail_with_a_calendar_attachment_is_sent_as_mime(app, monkeypatch):
    """With a mail server configured, attachments travel as real MIME parts."""
    sent = []

    class FakeSMTP:
        def __init__(self, *args, **kwargs):
            pass

        def __enter__(self):
            return self

        def __exit__(self, *exc):
            return False

        def starttls(self, **kwargs):
            pass

        def send_message(self, message):
            sent.append(message)

        def quit(self):
            pass

    monkeypatch.setattr("core.mail.smtplib.SMTP", FakeSMTP)
    app.config.update(MAIL_SERVER="smtp.example.com", MAIL_USERNAME=None)
    _deliver(app, OutgoingMail(to="a@example.com", subject="预约确认", body="见附件",
                               attachments=(calendar_attachment("BEGIN:VCALENDAR\r\n",
                                                                method="REQUEST"),)))
    parts = list(sent[0].iter_attachments())
    assert parts[0].get_content_type() == "text/calendar"
    assert parts[0].get_param("method") == "REQUEST"


def test_form_fields_keep_their_own_input_type(client):
    page = client.get("/login").text
    assert 'type="password"' in page and '"None"' not in page
