"""An employee signs a family-physician agreement; the team reads what is shared only
inside the agreement's window, and every read is logged."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from benefits import budgets
from benefits.models import LedgerTransaction
from care import agreements
from care.errors import (
    AgreementNotFound,
    AgreementOverlaps,
    BudgetNotEnough,
    InvalidCareInput,
    NoCareAccess,
    TermsChanged,
    TermsNotAccepted,
)
from care.models import AgreementStatus, CareAgreement
from core.accounts.models import Role
from core.db import db
from core.i18n import park_today
from health import services as health_services
from health.models import AccessLogEntry, Consent
from tests.benefits.factories import programme, put_on_roster
from tests.care.factories import CareKit, days


@pytest.fixture
def kit(make) -> CareKit:
    return CareKit(make)


def _count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def test_signing_stores_the_accepted_terms_and_a_consent_for_the_period(kit):
    employee = kit.employee()
    agreement = kit.sign(employee)
    assert agreement.status is AgreementStatus.ACTIVE
    assert agreement.terms_version == 1
    assert agreement.terms_sha256 == agreements.terms_digest(kit.team.terms_en)
    assert agreement.accepted_at == kit.now
    assert (agreement.ends_on - agreement.starts_on).days == 365
    consent = db.session.scalar(select(Consent).where(Consent.purpose == f"care:{agreement.id}"))
    assert consent.valid_from == agreement.starts_at
    assert consent.valid_until == agreement.ends_at
    assert sorted(consent.fields.split()) == ["blood_pressure", "body"]


def test_the_team_reads_what_is_shared_only_within_the_agreement(kit):
    employee = kit.employee()
    health_services.save_checkup(employee, kit.today(), "clinic",
                                 {"systolic": 142, "diastolic": 92, "ldl": 3.0}, kit.now)
    agreement = kit.sign(employee)

    shared = agreements.shared_profile(agreement, actor=kit.physician, now=kit.now + days(1))
    assert shared.readings["systolic"].value == 142
    assert "ldl" not in shared.readings  # lipids were not shared
    assert _count(AccessLogEntry) == 1  # the read is in the employee's access log

    last_moment = agreement.ends_at - timedelta(seconds=1)
    assert agreements.shared_profile(agreement, actor=kit.physician, now=last_moment)
    with pytest.raises(NoCareAccess):  # the day the agreement ends, access is gone
        agreements.shared_profile(agreement, actor=kit.physician, now=agreement.ends_at)
    with pytest.raises(NoCareAccess):
        agreements.agreement_for(kit.physician, agreement.id, now=agreement.ends_at)
    # and the employee still sees their own agreement
    assert agreements.agreement_for(employee, agreement.id, now=agreement.ends_at)[1] == "client"


def test_staff_who_are_not_on_the_team_never_see_the_agreement(kit):
    agreement = kit.sign(kit.employee())
    with pytest.raises(AgreementNotFound):
        agreements.agreement_for(kit.outsider_staff, agreement.id, now=kit.now)


def test_an_agreement_starting_later_gives_no_access_before_it_starts(kit):
    employee = kit.employee()
    agreement = kit.sign(employee, starts_on=kit.today() + days(10))
    with pytest.raises(NoCareAccess):
        agreements.shared_profile(agreement, actor=kit.physician, now=kit.now + days(1))
    assert agreements.shared_profile(agreement, actor=kit.physician,
                                     now=agreement.starts_at) is not None


def test_ending_early_revokes_access_at_once(kit):
    employee = kit.employee()
    agreement = kit.sign(employee)
    later = kit.now + days(30)
    agreements.end_agreement(agreement, actor=employee, now=later)
    db.session.commit()
    with pytest.raises(NoCareAccess):
        agreements.shared_profile(agreement, actor=kit.physician, now=later)
    consent = db.session.scalar(select(Consent).where(Consent.purpose == f"care:{agreement.id}"))
    assert consent.revoked_at == later
    # and a new agreement may start once the old one has ended
    assert kit.sign(employee, starts_on=kit.today(later), now=later).id != agreement.id


def test_signing_twice_for_overlapping_periods_is_refused_and_writes_nothing(kit):
    employee = kit.employee()
    kit.sign(employee)
    before = (_count(CareAgreement), _count(Consent))
    with pytest.raises(AgreementOverlaps):
        kit.sign(employee, starts_on=kit.today() + days(30))
    db.session.rollback()
    assert (_count(CareAgreement), _count(Consent)) == before


def test_terms_must_be_accepted_and_be_the_ones_shown(kit):
    employee = kit.employee()
    digest = agreements.terms_digest(kit.team.terms_en)
    with pytest.raises(TermsNotAccepted):
        agreements.sign_agreement(kit.team, actor=employee, starts_on=kit.today(),
                                  accept_terms=False, terms_version=1, terms_sha256=digest,
                                  locale="en", share_fields=[], dependant_ids=[], now=kit.now)
    with pytest.raises(TermsChanged):
        agreements.sign_agreement(kit.team, actor=employee, starts_on=kit.today(),
                                  accept_terms=True, terms_version=1, terms_sha256="0" * 64,
                                  locale="en", share_fields=[], dependant_ids=[], now=kit.now)
    assert _count(CareAgreement) == 0


def test_family_members_must_be_the_employees_own(kit):
    employee, other = kit.employee(), kit.employee()
    child = health_services.add_dependant(other, name="小明", birth_date=kit.today() - days(3000),
                                          relation="child", needs=[], now=kit.now)
    with pytest.raises(InvalidCareInput) as caught:
        kit.sign(employee, dependant_ids=[child.id])
    assert "dependant_ids" in caught.value.fields
    mine = health_services.add_dependant(employee, name="小红",
                                         birth_date=kit.today() - days(3000),
                                         relation="child", needs=[], now=kit.now)
    assert kit.sign(employee, dependant_ids=[mine.id]).dependant_ids == [mine.id]


def test_a_sponsored_team_is_free_for_the_enterprises_employees(make):
    kit = CareKit(make, price_minor=60_000)
    admin = make.user(Role.ENTERPRISE_ADMIN, enterprise=kit.enterprise)
    programme(make, kit.enterprise)  # its pot pays the provider (tests/care/test_payments.py)
    agreements.sponsor_team(kit.enterprise, actor=admin, team_id=kit.team.id, now=kit.now)
    agreement = kit.sign(kit.employee())
    assert (agreement.price_minor, agreement.sponsored, agreement.budget_minor) == (0, True, 0)


def test_a_priced_agreement_is_paid_from_the_budget_through_the_ledger(make):
    kit = CareKit(make, price_minor=30_000)
    employee = put_on_roster(kit.enterprise, kit.employee())
    plan = programme(make, kit.enterprise, amount_minor=50_000)
    budgets.allocate_period(plan, on=park_today(), actor=None, now=kit.now)
    db.session.commit()
    agreement = kit.sign(employee)
    assert agreement.budget_minor == 30_000
    assert db.session.scalar(select(LedgerTransaction).where(
        LedgerTransaction.reference == f"capture:{agreement.ledger_reference}")) is not None
    assert budgets.spendable(employee.id, plan, category=None,
                             today=park_today()).available_minor == 20_000


def test_without_enough_budget_nothing_is_signed(make):
    kit = CareKit(make, price_minor=30_000)
    employee = kit.employee()
    with pytest.raises(BudgetNotEnough):
        kit.sign(employee)
    db.session.rollback()
    assert _count(CareAgreement) == 0
    assert _count(Consent) == 0
