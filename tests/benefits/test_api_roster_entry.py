"""HR moves a person to another department or grade through the API (issue 19's parity:
the roster page's edit row), so that the programme's grade and department rules follow."""

from __future__ import annotations

from sqlalchemy import select

from benefits.models import RosterEntry
from core.accounts.models import Role
from core.db import db
from tests.benefits.factories import roster_employee
from tests.core.test_api import assert_error, bearer


def _entry(enterprise) -> RosterEntry:
    return db.session.scalar(select(RosterEntry).filter_by(enterprise_id=enterprise.id))


def test_hr_changes_a_persons_grade_and_keeps_their_department(client, make):
    enterprise = make.enterprise()
    roster_employee(make, enterprise, department="研发部", grade="P6")
    token = make.token(make.user(Role.ENTERPRISE_ADMIN, enterprise=enterprise))
    entry = _entry(enterprise)
    changed = client.patch(f"/api/v1/enterprises/{enterprise.id}/roster/{entry.id}",
                           json={"grade": " P7 "}, headers=bearer(token))
    assert changed.status_code == 200, changed.get_json()
    assert (changed.get_json()["department"], changed.get_json()["grade"]) == ("研发部", "P7")
    db.session.expire_all()
    assert (_entry(enterprise).department, _entry(enterprise).grade) == ("研发部", "P7")


def test_an_empty_grade_or_another_enterprises_entry_changes_nothing(client, make):
    enterprise, other = make.enterprise(), make.enterprise()
    roster_employee(make, enterprise, department="研发部", grade="P6")
    entry = _entry(enterprise)
    token = make.token(make.user(Role.ENTERPRISE_ADMIN, enterprise=enterprise))
    error = assert_error(client.patch(f"/api/v1/enterprises/{enterprise.id}/roster/{entry.id}",
                                      json={"grade": ""}, headers=bearer(token)),
                         422, "invalid_input")
    assert "grade" in error["fields"]
    stranger = make.token(make.user(Role.ENTERPRISE_ADMIN, enterprise=other))
    assert client.patch(f"/api/v1/enterprises/{enterprise.id}/roster/{entry.id}",
                        json={"grade": "P9"}, headers=bearer(stranger)).status_code == 404
    employee = make.token(make.user(Role.EMPLOYEE, enterprise=enterprise))
    assert_error(client.patch(f"/api/v1/enterprises/{enterprise.id}/roster/{entry.id}",
                              json={"grade": "P9"}, headers=bearer(employee)), 403, "forbidden")
    db.session.expire_all()
    assert _entry(enterprise).grade == "P6"
