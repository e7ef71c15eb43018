"""What the employee's home page shows: recommendations with their reasons, upcoming
bookings, budget left, and the six ways into the catalogue."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from benefits import queries as benefit_queries
from booking import queries as booking_queries
from booking.models import Booking
from core.accounts.models import User
from core.db import db
from health import services as health_services
from providers.models import ProviderCategory

#: The six doors into the catalogue (elder care shares childcare's door, as families do).
HOME_CATEGORIES = [ProviderCategory.TCM, ProviderCategory.REHABILITATION,
                   ProviderCategory.COUNSELLING, ProviderCategory.CULTURE,
                   ProviderCategory.TRAVEL_WELLNESS, ProviderCategory.CHILDCARE,
                   ProviderCategory.ELDERCARE]


@dataclass(frozen=True)
class EmployeeHome:
    suggestions: health_services.Suggestions | None
    upcoming: list[Booking]
    budget_lines: list[benefit_queries.BudgetLine]
    categories: list[ProviderCategory]


def employee_home(user: User, *, now: datetime, today: date, language: str) -> EmployeeHome:
    suggestions = health_services.suggest(user, dependant_id=None, now=now, language=language)
    upcoming = list(db.session.scalars(
        booking_queries.bookings_of(user, upcoming=True, now=now).limit(3)))
    return EmployeeHome(suggestions=suggestions, upcoming=upcoming,
                        budget_lines=benefit_queries.employee_budget(user, today=today),
                        categories=HOME_CATEGORIES)
