"""What health's recommendations may suggest: the services the person can really book,
with their next start in the coming 14 days and what their budget leaves. Plugged into
health by ``create_app`` (health knows no provider models)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import selectinload

from core.accounts.models import ProviderOrganisation, User
from core.clock import today_in, zone_of
from core.db import db
from core.i18n import current_locale_code
from core.policy import park_ids_of
from health.recommendations import AVAILABILITY_WINDOW, CandidatePool, CandidateService
from marketplace.availability import next_starts
from marketplace.catalogue import bookable_services, health_tags
from marketplace.searcher import budget_by_category
from providers.models import DeliveryMode, Service

DELIVERY = {DeliveryMode.PARK_STATION: "in_person", DeliveryMode.PREMISES: "in_person",
            DeliveryMode.ONLINE: "online", DeliveryMode.TRIP: "trip"}
LANGUAGES = {"zh": "zh_CN", "yue": "zh_CN", "wuu": "zh_CN", "en": "en"}


def candidate_pool(user_id: int, dependant_id: int | None, now: datetime) -> CandidatePool:
    user = db.session.get(User, user_id)
    services = list(db.session.scalars(bookable_services().where(
        ProviderOrganisation.park_id.in_(park_ids_of(user)))
        .options(selectinload(Service.practitioners), selectinload(Service.provider))).unique())
    if dependant_id is not None:
        services = [s for s in services if s.allows_dependants]
    starts = next_starts(services, start=now, end=now + AVAILABILITY_WINDOW, now=now,
                         timezone=zone_of())
    budget = budget_by_category(user, today=today_in())
    zh = current_locale_code() == "zh_CN"
    candidates = []
    for service in services:
        spoken = {LANGUAGES.get(code, code) for p in service.practitioners
                  for code in p.languages} or {"zh_CN"}
        series = int(service.details.get("series_sessions", 1) or 1) if isinstance(
            service.details, dict) else 1
        candidates.append(CandidateService(
            id=service.id, title=service.title_zh if zh else service.title_en,
            tags=health_tags(service), category=service.category.value,
            languages=frozenset(spoken),
            delivery_modes=frozenset({DELIVERY[service.delivery_mode]}),
            price_minor=service.price_minor, currency=service.currency,
            next_start=starts.get(service.id),
            # Who may book it (age bands, dependants) is settled above and by the booking
            # engine; money is weighed by the ranking through ``budget_left_minor``.
            is_eligible=True,
            series_sessions=max(1, series)))
    left = max(budget.values()) if budget else None
    return CandidatePool(services=candidates, budget_left_minor=left)
