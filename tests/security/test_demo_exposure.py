"""An enterprise admin in the demo park, walking every page they can reach and every API
answer they can ask for, never meets anyone's health data."""

from __future__ import annotations

import re
from datetime import date

import pytest
from sqlalchemy import select

from benefits.models import BudgetProgramme
from core.accounts.services import find_user_by_login
from core.clock import utcnow
from core.db import db
from health import services as health
from health.models import Dependant

MAX_PAGES = 400
LINK = re.compile(r'href="(/[^"#]*)"')
SKIP = ("/static/", "/api/v1/docs", "/logout", "/locale")


@pytest.fixture
def backend() -> str:
    return "sqlite"  # the exposure does not depend on the database; the seed takes a while


@pytest.fixture
def demo(app, flask_cli):
    result = flask_cli("seed-demo")
    assert result.exit_code == 0, result.output
    employee = find_user_by_login("employee@parkwell.demo")
    hr = find_user_by_login("hr@parkwell.demo")
    now = utcnow()
    health.record_checkup(employee, measured_on=date(2026, 10, 3), source="", now=now,
                          readings={"height": (166.6, "cm"), "weight": (77.7, "kg")})
    health.add_dependant(employee, name="Zephyrine", birth_date=date(1950, 1, 1),
                         relation="parent", needs=["eldercare"], now=now)
    db.session.commit()
    names = {d.data["name"] for d in db.session.scalars(
        select(Dependant).where(Dependant.user_id != hr.id)) if len(d.data["name"]) >= 2}
    return hr, {"166.6", "77.7", *names}


def _leaks(body: str, markers: set[str]) -> list[str]:
    return [f"{m} in …{body[max(0, body.index(m) - 80):body.index(m) + 20]}…"
            for m in markers if m in body]


def test_an_enterprise_admin_meets_no_health_data_anywhere(app, client, demo, make):
    hr, markers = demo
    owner = app.test_client()
    owner.post("/login", data={"login": "employee@parkwell.demo", "password": "parkwell-demo"})
    own = owner.get("/me/health/checkups").text + owner.get("/me/health/dependants").text
    assert all(m in own for m in ("166.6", "77.7", "Zephyrine")), "the owner sees them"

    client.post("/login", data={"login": hr.email, "password": "parkwell-demo"})
    leaks, seen, queue = [], set(), ["/"]
    while queue and len(seen) < MAX_PAGES:
        path = queue.pop(0)
        if path in seen or path.startswith(SKIP) or path.startswith("/me/health"):
            continue  # /me/health is hr's own profile (they are an employee too)
        seen.add(path)
        response = client.get(path)
        body = response.get_data().decode("utf-8", "replace")
        leaks += [f"{path}: {m}" for m in _leaks(body, markers)]
        queue += [link.replace("&amp;", "&") for link in LINK.findall(body)]
    assert len(seen) > 15, "the walk reached the admin's pages"

    enterprise = hr.active_memberships[0].enterprise
    programme = db.session.scalar(select(BudgetProgramme).where(
        BudgetProgramme.enterprise_id == enterprise.id))
    values = {"enterprise_id": enterprise.id, "park_id": enterprise.park_id,
              "programme_id": programme.id if programme else 1}
    token = make.token(hr)
    asked = 0
    for rule in app.url_map.iter_rules():
        if "GET" not in rule.methods or not set(rule.arguments) <= set(values) \
                or rule.rule.startswith(SKIP) or rule.rule.startswith("/api/v1/me/health"):
            continue
        path = rule.rule
        for name, value in values.items():
            path = re.sub(rf"<(?:int:)?{name}>", str(value), path)
        headers = {"Authorization": f"Bearer {token}"} if path.startswith("/api/") else {}
        body = client.get(path, headers=headers).get_data().decode("utf-8", "replace")
        asked += 1
        leaks += [f"{path}: {m}" for m in _leaks(body, markers)]
    assert asked > 20
    assert not leaks, "health data shown to an enterprise admin:\n" + "\n".join(leaks)
