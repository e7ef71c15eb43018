"""Rosters: a whole file checked before anything is saved; leavers leave cleanly."""

from __future__ import annotations

import io
from datetime import date

import pytest
from openpyxl import Workbook

from benefits import budgets, roster
from benefits.errors import RosterImportInvalid
from benefits.models import RosterEntry
from core.accounts.models import Invitation, Role, User
from core.clock import utcnow
from core.db import db
from core.errors import InvalidInput
from tests.benefits.factories import programme, roster_employee

GOOD_CSV = """employee_no,name,email,mobile,department,grade
E001,张伟,zhang.wei@example.com,,研发部,P5
E002,李娜,,13912345678,市场部,P6
"""


def count(model) -> int:
    return db.session.scalar(db.select(db.func.count()).select_from(model))


def test_a_good_csv_is_imported_and_new_people_are_invited(app, make, outbox):
    enterprise = make.enterprise()
    admin = make.user(Role.ENTERPRISE_ADMIN, enterprise=enterprise)
    parsed = roster.parse_roster(GOOD_CSV.encode())
    result = roster.import_roster(enterprise, parsed, actor=admin, now=utcnow(),
                                  link_builder=str)
    db.session.commit()
    assert (result.created, result.invited) == (2, 2)
    assert count(RosterEntry) == 2 and count(Invitation) == 2
    assert [m.to for m in outbox] == ["zhang.wei@example.com"]  # the mobile one gets no mail


def test_gbk_files_with_chinese_headers_are_read(app):
    text = "工号,姓名,邮箱,部门,职级\nE9,王芳,wang@example.com,财务部,P4\n"
    parsed = roster.parse_roster(text.encode("gbk"))
    assert parsed.errors == []
    assert parsed.rows[0].name == "王芳" and parsed.rows[0].department == "财务部"


def test_xlsx_files_are_read(app):
    book = Workbook()
    sheet = book.active
    sheet.append(["employee_no", "name", "email", "department", "grade"])
    sheet.append(["E7", "赵敏", "zhao@example.com", "人事部", "P3"])
    data = io.BytesIO()
    book.save(data)
    parsed = roster.parse_roster(data.getvalue())
    assert parsed.errors == [] and parsed.rows[0].employee_no == "E7"


def test_every_bad_row_is_reported_and_nothing_is_imported(app, make):
    enterprise = make.enterprise()
    admin = make.user(Role.ENTERPRISE_ADMIN, enterprise=enterprise)
    bad = GOOD_CSV + "E001,重复,dup@example.com,,研发部,P5\nE004,无邮箱,,,研发部,P5\n" \
        "E005,错号,,12345,研发部,\n"
    parsed = roster.parse_roster(bad.encode())
    errors = {(e.row, e.field) for e in parsed.errors}
    assert errors == {(4, "employee_no"), (5, "email"), (6, "mobile"), (6, "grade")}
    with pytest.raises(RosterImportInvalid) as refused:
        roster.import_roster(enterprise, parsed, actor=admin, now=utcnow(), link_builder=str)
    assert "row 4.employee_no" in refused.value.fields
    assert count(RosterEntry) == 0


def test_the_admin_may_choose_to_import_only_the_valid_rows(app, make):
    enterprise = make.enterprise()
    admin = make.user(Role.ENTERPRISE_ADMIN, enterprise=enterprise)
    parsed = roster.parse_roster((GOOD_CSV + "E004,无邮箱,,,研发部,P5\n").encode())
    result = roster.import_roster(enterprise, parsed, actor=admin, now=utcnow(),
                                  link_builder=str, import_valid_rows=True)
    assert (result.created, result.skipped_rows) == (2, 1)


@pytest.mark.parametrize("content", [b"", b"name,grade\nx,y\n", b"\xff\xfe\x00garbage\x81",
                                     b"PK\x03\x04 not really a workbook"])
def test_unreadable_files_are_refused_clearly(app, content):
    with pytest.raises(InvalidInput):
        roster.parse_roster(content)


def test_existing_accounts_are_linked_and_get_the_employee_role(app, make):
    enterprise = make.enterprise()
    admin = make.user(Role.ENTERPRISE_ADMIN, enterprise=enterprise)
    person = make.user(email="zhang.wei@example.com")
    roster.import_roster(enterprise, roster.parse_roster(GOOD_CSV.encode()), actor=admin,
                         now=utcnow(), link_builder=str)
    db.session.commit()
    assert db.session.get(User, person.id).has_role(Role.EMPLOYEE)
    assert db.session.scalar(db.select(RosterEntry).filter_by(employee_no="E001")).user_id == \
        person.id


def test_a_leaver_loses_access_and_their_budget_goes_back(app, make, client, auth):
    enterprise = make.enterprise()
    admin = make.user(Role.ENTERPRISE_ADMIN, enterprise=enterprise)
    leaver = roster_employee(make, enterprise)
    plan = programme(make, enterprise, amount_minor=40_000)
    budgets.allocate_period(plan, on=date(2026, 11, 2), actor=None, now=utcnow())
    db.session.commit()
    auth.login(leaver.email)
    assert client.get("/").status_code == 200

    entry = db.session.scalar(db.select(RosterEntry).filter_by(user_id=leaver.id))
    returned = roster.deactivate_leaver(entry, actor=admin, now=utcnow())
    db.session.commit()
    assert returned == 40_000
    assert client.get("/").status_code == 302  # their session has ended
    assert not db.session.get(User, leaver.id).has_role(Role.EMPLOYEE)
    assert budgets.spendable(leaver.id, plan, category=None,
                             today=date(2026, 11, 2)).available_minor == 0


def test_an_invited_employee_is_linked_to_the_roster_when_they_join(app, make, client):
    enterprise = make.enterprise()
    admin = make.user(Role.ENTERPRISE_ADMIN, enterprise=enterprise)
    links = []
    roster.import_roster(enterprise, roster.parse_roster(GOOD_CSV.encode()), actor=admin,
                         now=utcnow(), link_builder=lambda token: links.append(token) or token)
    db.session.commit()
    client.post(f"/invitations/{links[0]}", data={"display_name": "张伟",
                                                  "password": "a-long-password",
                                                  "confirm": "a-long-password"})
    entry = db.session.scalar(db.select(RosterEntry).filter_by(employee_no="E001"))
    assert entry.user is not None and entry.user.email == "zhang.wei@example.com"
