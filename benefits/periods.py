"""Budget periods: which period a day falls in, and when each one starts and ends."""

from __future__ import annotations

from datetime import date, timedelta

from benefits.models import BudgetPeriod


def period_key(period: BudgetPeriod, on: date) -> str:
    if period is BudgetPeriod.MONTHLY:
        return f"{on.year}-{on.month:02d}"
    if period is BudgetPeriod.QUARTERLY:
        return f"{on.year}-Q{(on.month - 1) // 3 + 1}"
    return f"{on.year}"


def period_bounds(period: BudgetPeriod, key: str) -> tuple[date, date]:
    """The first and last day of the period called ``key``."""
    if period is BudgetPeriod.MONTHLY:
        year, month = (int(part) for part in key.split("-"))
        start = date(year, month, 1)
        following = date(year + (month == 12), month % 12 + 1, 1)
    elif period is BudgetPeriod.QUARTERLY:
        year_text, quarter = key.split("-Q")
        year = int(year_text)
        first_month = (int(quarter) - 1) * 3 + 1
        start = date(year, first_month, 1)
        following = (date(int(year) + 1, 1, 1) if first_month == 10
                     else date(int(year), first_month + 3, 1))
    else:
        start, following = date(int(key), 1, 1), date(int(key) + 1, 1, 1)
    return start, following - timedelta(days=1)


def previous_key(period: BudgetPeriod, key: str) -> str:
    start, _end = period_bounds(period, key)
    return period_key(period, start - timedelta(days=1))
