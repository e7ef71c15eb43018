"""A sponsored team's agreements are paid from the enterprise's pot, on PostgreSQL with real
commits: many employees signing at once against a pot that covers only three of them end
with exactly three agreements, the pot at zero, the rest refused with a clear code, and the
ledger clean (the ledger's row locks and its CHECK keep the pot from going below zero)."""

from __future__ import annotations

from sqlalchemy import func, select

from benefits import budgets, ledger
from benefits.models import BudgetProgramme
from care import agreements
from care.errors import SponsorshipUnfunded
from care.models import CareAgreement, CareTeam
from core.accounts.models import Role, User
from core.clock import utcnow
from core.db import db
from tests.benefits.factories import programme
from tests.care.factories import CareKit
from tests.concurrency.crowd import all_at_once, errors
from tests.factories import Factories

THREADS = 12
PRICE = 60_000


def test_parallel_signatures_never_overspend_the_sponsor_s_pot(pg_app):
    make = Factories()
    kit = CareKit(make, price_minor=PRICE)
    pot_programme = programme(make, kit.enterprise, amount_minor=0, funded_minor=3 * PRICE)
    admin = make.user(Role.ENTERPRISE_ADMIN, enterprise=kit.enterprise)
    agreements.sponsor_team(kit.enterprise, actor=admin, team_id=kit.team.id,
                            programme_id=pot_programme.id, now=kit.now)
    user_ids = [kit.employee().id for _ in range(THREADS)]
    team_id, programme_id = kit.team.id, pot_programme.id
    starts_on = kit.today()
    db.session.commit()
    def sign(user_id: int) -> str:
        team = db.session.get(CareTeam, team_id)
        agreements.sign_agreement(
            team, actor=db.session.get(User, user_id), starts_on=starts_on,
            accept_terms=True, terms_version=1,
            terms_sha256=agreements.terms_digest(team.terms_en), locale="en",
            share_fields=[], dependant_ids=[], now=utcnow())
        return "signed"

    results = all_at_once(pg_app, user_ids, sign, refusals=(SponsorshipUnfunded,),
                          barrier_seconds=10)

    assert errors(results) == []
    assert results.count("signed") == 3
    assert results.count("care_sponsorship_unfunded") == THREADS - 3
    assert db.session.scalar(select(func.count(CareAgreement.id))) == 3
    pot = budgets.funds_account(db.session.get(BudgetProgramme, programme_id), now=utcnow())
    assert pot.balance_minor == 0
    assert ledger.check_ledger() == []
