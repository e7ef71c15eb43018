"""Field-level exposure. The matrix walk (``tests/authz/test_matrix.py``) checks every page
and API answer of every route for every actor against health data no one was given; here a
provider's view of shared data is pinned down: only its own clients, only the fields shared,
only inside the consent window."""

from __future__ import annotations

import re
from datetime import date, timedelta

import pytest

from core.accounts.models import Role
from core.clock import utcnow
from core.db import db
from health import services as health
from health import sharing
from tests.pages import shows_number

SHARED = ("151", "97")  #: blood pressure, shared
NOT_SHARED = ("166.6", "77.7", "Zephyrine")  #: height, weight, a dependant


def shows(value: str, text: str) -> bool:
    """Whether the page shows the value as such, to a reader: in its visible text, not in a
    tag (a link to /providers/97/dashboard on PostgreSQL, whose ids run on) and not as digits
    of a longer number (an organisation called 测试机构3097 does not show a diastolic 97)."""
    visible = re.sub(r"<[^>]*>", " ", text)
    return re.search(rf"(?<![\d.]){re.escape(value)}(?!\d)(?!\.\d)", visible) is not None


@pytest.fixture
def world(make):
    employee = make.user(Role.EMPLOYEE)
    enterprise = employee.active_memberships[0].enterprise
    provider = make.provider(park=enterprise.park)
    other_provider = make.provider(park=enterprise.park)
    now = utcnow()
    health.record_checkup(employee, measured_on=date(2026, 10, 1), source="", now=now,
                          readings={"systolic": (151, None), "diastolic": (97, None),
                                    "height": (166.6, "cm"), "weight": (77.7, "kg")})
    health.add_dependant(employee, name="Zephyrine", birth_date=date(1950, 1, 1),
                         relation="parent", needs=["eldercare"], now=now)
    consent = sharing.share_for_days(employee, provider_id=provider.id,
                                     fields=["blood_pressure"], days=7, now=now)
    db.session.commit()
    return {
        "employee": employee, "consent": consent, "provider": provider,
        "staff": make.user(Role.PROVIDER_STAFF, provider=provider),
        "other_staff": make.user(Role.PROVIDER_STAFF, provider=other_provider),
        "hr": make.user(Role.ENTERPRISE_ADMIN, enterprise=enterprise),
        "other_provider": other_provider,
    }


def page_of(world) -> str:
    return f"/providers/{world['provider'].id}/health-clients/{world['employee'].id}"


def test_a_provider_sees_what_was_shared_and_nothing_else(client, auth, world):
    auth.login(world["staff"].email)
    listing = client.get(f"/providers/{world['provider'].id}/health-clients")
    assert page_of(world) in listing.text
    page = client.get(page_of(world))
    assert page.status_code == 200
    for value in SHARED:
        assert value in page.text
    for value in NOT_SHARED:
        assert not shows(value, page.text)


@pytest.mark.parametrize("who", ["other_staff", "hr"])
def test_no_one_else_sees_any_of_it(client, auth, world, who):
    auth.login(world[who].email)
    for path in (page_of(world),
                 f"/providers/{world['other_provider'].id}/health-clients/"
                 f"{world['employee'].id}"):
        response = client.get(path)
        assert response.status_code in (403, 404)
        for value in SHARED + NOT_SHARED:
            assert not shows(value, response.text)


def test_outside_the_window_the_provider_sees_nothing(client, auth, world):
    consent = world["consent"]
    consent.valid_from = utcnow() - timedelta(days=10)
    consent.valid_until = utcnow() - timedelta(minutes=1)
    db.session.commit()
    auth.login(world["staff"].email)
    response = client.get(page_of(world))
    assert response.status_code == 404
    for value in SHARED + NOT_SHARED:
        assert not shows(value, response.text)
    listing = client.get(f"/providers/{world['provider'].id}/health-clients")
    assert page_of(world) not in listing.text


def test_a_consent_not_yet_begun_shows_nothing(client, auth, world):
    world["consent"].valid_from = utcnow() + timedelta(days=1)
    db.session.commit()
    auth.login(world["staff"].email)
    assert client.get(page_of(world)).status_code == 404


def test_revoking_ends_it_on_the_next_request(client, auth, world):
    auth.login(world["staff"].email)
    assert client.get(page_of(world)).status_code == 200
    sharing.revoke_consent(world["employee"], consent_id=world["consent"].id, now=utcnow())
    db.session.commit()
    response = client.get(page_of(world))
    assert response.status_code == 404
    assert not shows_number(response.text, 151)
