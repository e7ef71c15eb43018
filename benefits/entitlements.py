"""What one employee is entitled to from a programme in one period, and why.

The amount per period is the programme's flat (base) amount, unless an amount rule for the
employee's grade and/or department replaces it (the most specific rule wins, see
``BudgetProgramme.rule_for``); each category with a pot of its own adds that pot.

**Proration (joiners).** Someone who joins during a period, after the programme has begun
giving budgets, gets that period's amounts in proportion to the days left in it:

    amount × (days from the join day to the period's last day, both counted)
           ÷ (days in the period)

rounded down to the fen by ``core.money.prorate`` (the one rounding rule of core.money).
The join day is the day (in the park's zone) their roster entry was created, or, for a
self sign-up with no roster entry, the day their employee role began. Nobody is prorated
when the programme's ``prorate_joiners`` is off, in a period they joined on or before the
first day of, or when they were there before the programme's first allocation (the
employees a programme starts with get full budgets).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime

from flask_babel import gettext as _
from sqlalchemy import func, select

from benefits.models import (
    BudgetProgramme,
    LedgerTransaction,
    ProgrammeAmountRule,
    RosterEntry,
    TransactionKind,
)
from benefits.periods import period_bounds
from core.clock import to_zone, zone_of
from core.db import db
from core.i18n import format_day, format_money, format_period
from core.money import prorate
from providers.models import CATEGORY_LABELS, ProviderCategory


def category_label(category: str | None) -> str:
    """A category's name in the reader's language (never its key)."""
    if category is None:
        return _("General budget")
    try:
        return str(CATEGORY_LABELS[ProviderCategory(category)])
    except ValueError:
        return category


def park_day(value: datetime) -> date:
    return to_zone(value, zone_of()).date()


def launched_on(programme: BudgetProgramme) -> date | None:
    """The day the programme first allocated a budget (None: never yet)."""
    first = db.session.scalar(select(func.min(LedgerTransaction.created_at)).where(
        LedgerTransaction.kind == TransactionKind.ALLOCATION,
        LedgerTransaction.reference.like(f"allocation:p{programme.id}:%")))
    return park_day(first) if first is not None else None


@dataclass(frozen=True)
class Part:
    """One amount of an entitlement: the general budget (``pot`` None) or a pot."""
    pot: str | None
    full_minor: int  #: per period, before proration
    minor: int  #: for this period


@dataclass(frozen=True)
class Entitlement:
    programme: BudgetProgramme
    period_key: str
    department: str | None
    grade: str | None
    rule: ProgrammeAmountRule | None  #: the rule that replaces the base amount, if any
    joined_on: date | None
    days_left: int  #: days of the period from the join day (all of them when not prorated)
    period_days: int
    parts: list[Part] = field(default_factory=list)

    @property
    def base_minor(self) -> int:
        return self.programme.amount_minor

    @property
    def general(self) -> Part:
        return next(p for p in self.parts if p.pot is None)

    @property
    def prorated(self) -> bool:
        return self.days_left < self.period_days

    def to_allocate(self) -> list[tuple[str | None, int]]:
        """(pot, amount) pairs to allocate for this period, leaving out nothing-at-all."""
        return [(p.pot, p.minor) for p in self.parts if p.minor]


def entitlement(programme: BudgetProgramme, *, key: str, department: str | None,
                grade: str | None, joined_on: date | None,
                launched: date | None) -> Entitlement:
    """What the rules give someone of this department and grade for period ``key``, who
    joined on ``joined_on`` (None: unknown, never prorated); ``launched`` is
    ``launched_on(programme)``."""
    start, end = period_bounds(programme.period, key)
    period_days = (end - start).days + 1
    days_left = period_days
    if (programme.prorate_joiners and joined_on is not None and launched is not None
            and start < joined_on <= end and joined_on > launched):
        days_left = (end - joined_on).days + 1
    rule = programme.rule_for(department=department, grade=grade)
    general = programme.amount_minor if rule is None else rule.amount_minor
    parts = [Part(None, general, prorate(general, days_left, period_days))]
    parts += [Part(cap.category, pot, prorate(pot, days_left, period_days))
              for cap in programme.category_caps
              if cap.is_own_pot and (pot := cap.pot_amount_minor) is not None]
    return Entitlement(programme=programme, period_key=key, department=department,
                       grade=grade, rule=rule, joined_on=joined_on, days_left=days_left,
                       period_days=period_days, parts=parts)


def joined_on(entry: RosterEntry | None, role_began: datetime | None) -> date | None:
    if entry is not None:
        return park_day(entry.created_at)
    return park_day(role_began) if role_began is not None else None


# -- in words ----------------------------------------------------------------------------


def _rule_name(rule: ProgrammeAmountRule) -> str:
    if rule.grade and rule.department:
        return _("%(department)s, grade %(grade)s", department=rule.department,
                 grade=rule.grade)
    if rule.grade:
        return _("grade %(grade)s", grade=rule.grade)
    return _("department %(department)s", department=rule.department)


def amount_sentence(ent: Entitlement) -> str:
    """e.g. "Base amount ¥800 + grade P7 ¥400 = ¥1,200 per period"."""
    currency = ent.programme.currency
    base = format_money(ent.base_minor, currency)
    if ent.rule is None:
        return _("Base amount %(base)s per period", base=base)
    difference = ent.rule.amount_minor - ent.base_minor
    values = {"base": base, "rule": _rule_name(ent.rule),
              "difference": format_money(abs(difference), currency),
              "total": format_money(ent.rule.amount_minor, currency)}
    if difference >= 0:
        return _("Base amount %(base)s + %(rule)s %(difference)s = %(total)s per period",
                 **values)
    return _("Base amount %(base)s − %(rule)s %(difference)s = %(total)s per period",
             **values)


def proration_sentence(ent: Entitlement) -> str | None:
    """e.g. "This period is prorated from your join day (8 Dec): ¥1,200 × 24/31 days =
    ¥929.03 (rounded down to the fen)"; None when not prorated."""
    if not ent.prorated or ent.joined_on is None:
        return None
    currency = ent.programme.currency
    return _("Period %(period)s is prorated from the day you joined (%(day)s): "
             "%(full)s × %(left)s/%(days)s days = %(amount)s (rounded down to the fen)",
             period=format_period(ent.period_key), day=format_day(ent.joined_on),
             full=format_money(ent.general.full_minor, currency), left=ent.days_left,
             days=ent.period_days, amount=format_money(ent.general.minor, currency))


def pot_sentences(ent: Entitlement) -> list[str]:
    currency = ent.programme.currency
    lines = []
    for part in ent.parts:
        if part.pot is None:
            continue
        if ent.prorated:
            lines.append(_("%(category)s: a pot of its own, %(full)s per period (this period "
                           "%(amount)s)", category=category_label(part.pot),
                           full=format_money(part.full_minor, currency),
                           amount=format_money(part.minor, currency)))
        else:
            lines.append(_("%(category)s: a pot of its own, %(full)s per period",
                           category=category_label(part.pot),
                           full=format_money(part.full_minor, currency)))
    return lines


def explanation_lines(ent: Entitlement) -> list[str]:
    lines = [amount_sentence(ent)]
    if (sentence := proration_sentence(ent)) is not None:
        lines.append(sentence)
    return lines + pot_sentences(ent)
