"""Family-physician agreements under contention, on PostgreSQL with real commits: one person
signing the same period from many connections at once ends with exactly one agreement (the
person's row is locked while the overlap is checked)."""

from __future__ import annotations

from sqlalchemy import func, select

from care import agreements
from care.errors import AgreementOverlaps
from care.models import CareAgreement, CareTeam
from core.accounts.models import User
from core.clock import utcnow
from core.db import db
from health.models import Consent
from tests.care.factories import CareKit
from tests.concurrency.crowd import all_at_once, errors
from tests.factories import Factories

THREADS = 12


def test_parallel_signatures_of_one_person_make_one_agreement(pg_app):
    kit = CareKit(Factories())
    user_id, team_id = kit.employee().id, kit.team.id
    starts_on = kit.today()
    def sign(_n: int) -> str:
        team = db.session.get(CareTeam, team_id)
        agreements.sign_agreement(
            team, actor=db.session.get(User, user_id),
            starts_on=starts_on, accept_terms=True, terms_version=1,
            terms_sha256=agreements.terms_digest(team.terms_en), locale="en",
            share_fields=["blood_pressure"], dependant_ids=[], now=utcnow())
        return "signed"

    results = all_at_once(pg_app, range(THREADS), sign, refusals=(AgreementOverlaps,),
                          barrier_seconds=10)

    assert errors(results) == []
    assert results.count("signed") == 1
    assert results.count("care_agreement_overlaps") == THREADS - 1
    assert db.session.scalar(select(func.count(CareAgreement.id))) == 1
    assert db.session.scalar(select(func.count(Consent.id))) == 1
