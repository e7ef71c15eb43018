"""What a priced service will cost the employee, shown before they choose a time: the
split ("budget ¥X + you pay ¥Y"), their balance, the category's cap or pot, and whether
their own share can be paid here at all (card payment switched off strands no one)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from benefits import budgets, checkout, queries, stripe_gateway
from benefits.models import BudgetProgramme
from core.accounts.models import User
from providers.models import Service


@dataclass(frozen=True)
class CapLine:
    category: str
    #: The share of the period's budget the category may use (basis points), or None for
    #: a pot of its own.
    cap_basis_points: int | None
    available_minor: int  #: what the category can still take


@dataclass(frozen=True)
class PricePreview:
    price_minor: int
    currency: str
    budget_minor: int  #: what the budget would pay now
    own_minor: int  #: what is left to the employee
    balance_minor: int | None  #: the programme's general balance (None: no programme)
    cap: CapLine | None
    #: The employee's own share can be paid here (nothing to pay, or card payment is on).
    payable: bool

    @property
    def cap_percent(self) -> int | None:
        if self.cap is None or self.cap.cap_basis_points is None:
            return None
        return self.cap.cap_basis_points // 100


def _programme_of(user: User) -> BudgetProgramme | None:
    for enterprise_id in queries.employee_enterprise_ids(user):
        for programme in budgets.programmes_of(enterprise_id):
            return programme
    return None


def price_preview(user: User, service: Service, *, today: date) -> PricePreview | None:
    """None for a free service."""
    if not service.price_minor:
        return None
    category = service.category.value
    split = checkout.quote_for(user, price_minor=service.price_minor,
                               currency=service.currency, category=category,
                               for_dependant=False, today=today)
    programme = split.programme or _programme_of(user)
    balance, cap = None, None
    if programme is not None:
        balance = budgets.spendable(user.id, programme, category=None,
                                    today=today).available_minor
        rule = programme.cap_for(category)
        if rule is not None:
            cap = CapLine(category, None if rule.is_own_pot else rule.cap_basis_points,
                          budgets.spendable(user.id, programme, category=category,
                                            today=today).available_minor)
    return PricePreview(price_minor=split.price_minor, currency=split.currency,
                        budget_minor=split.budget_minor, own_minor=split.card_minor,
                        balance_minor=balance, cap=cap,
                        payable=not split.card_minor
                        or stripe_gateway.browser_settings() is not None)
