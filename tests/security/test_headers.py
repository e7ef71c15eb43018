"""Security headers on every answer, and templates that need no inline script."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from core.accounts.models import Role
from core.config import PROJECT_ROOT, load_config

TEMPLATES = PROJECT_ROOT / "templates"


def policy(response) -> dict[str, list[str]]:
    header = response.headers["Content-Security-Policy"]
    return {part.split()[0]: part.split()[1:] for part in header.split(";") if part.strip()}


@pytest.mark.parametrize("path", ["/login", "/signup", "/api/v1/docs/", "/api/v1/me",
                                  "/no-such-page"])
def test_every_answer_carries_the_protective_headers(client, path):
    response = client.get(path)
    csp = policy(response)
    for directive in ("script-src", "default-src"):
        assert "'unsafe-inline'" not in csp.get(directive, [])
        assert "'unsafe-eval'" not in csp.get(directive, [])
    assert csp["frame-ancestors"] == ["'none'"]
    assert csp["object-src"] == ["'none'"]
    assert response.headers["X-Frame-Options"] == "DENY"
    assert response.headers["Referrer-Policy"] == "strict-origin-when-cross-origin"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert "camera=(self)" in response.headers["Permissions-Policy"]


def test_hsts_only_over_https(client):
    assert "Strict-Transport-Security" not in client.get("/login").headers
    secure = client.get("/login", base_url="https://parkwell.test")
    assert "max-age=31536000" in secure.headers["Strict-Transport-Security"]
    proxied = client.get("/login", headers={"X-Forwarded-Proto": "https"})
    assert "Strict-Transport-Security" in proxied.headers


def test_session_cookies_are_http_only_lax_and_secure_in_production(client):
    cookie = client.get("/login").headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie
    production = load_config({"PARKWELL_ENV": "production", "SECRET_KEY": "x"})
    assert production["SESSION_COOKIE_SECURE"] and production["REMEMBER_COOKIE_SECURE"]
    assert not production["FORCE_HTTPS"], "redirecting is the proxy's job unless asked"


INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)[^>]*>", re.IGNORECASE)
EVENT_HANDLER = re.compile(r"<[^>]+\son[a-z]+\s*=", re.IGNORECASE)


@pytest.mark.parametrize("template", sorted(TEMPLATES.rglob("*.html")),
                         ids=lambda p: str(p.relative_to(TEMPLATES)))
def test_no_template_has_inline_script_or_event_handlers(template: Path):
    source = template.read_text(encoding="utf-8")
    assert not INLINE_SCRIPT.search(source), "move the script into static/js"
    assert not EVENT_HANDLER.search(source), "attach the handler from a static script"
    assert "javascript:" not in source.lower()


def test_the_api_docs_page_runs_swagger_ui_from_files(client):
    page = client.get("/api/v1/docs/")
    assert page.status_code == 200
    assert not INLINE_SCRIPT.search(page.text)
    assert "/static/js/api-docs.js" in page.text
    with client.get("/static/js/api-docs.js") as script:
        assert script.status_code == 200
    # Swagger UI sets styles from its script, so its page alone allows inline styles.
    assert "'unsafe-inline'" in policy(page)["style-src"]
    assert "'unsafe-inline'" not in policy(client.get("/login"))["style-src"]


def test_the_check_in_page_loads_its_camera_script_from_a_file(client, make, auth):
    committee = make.user(Role.COMMITTEE_MEMBER)
    auth.login(committee.email)
    source = (TEMPLATES / "park" / "checkin.html").read_text(encoding="utf-8")
    assert "js/checkin.js" in source
    with client.get("/static/js/checkin.js") as script:
        assert script.status_code == 200
