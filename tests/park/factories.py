"""A park with a committee, an employee, a venue and an event, so that each test says only
what matters to its story."""

from __future__ import annotations

from datetime import date, datetime, timedelta

from core.accounts.models import Role, User
from core.clock import utcnow
from core.db import db
from health import services as health_services
from park import registration, services
from park.models import Event, EventKind, EventSession, Venue
from tests.factories import Factories


def at(now: datetime, days: int, hour: int = 10) -> datetime:
    """A whole hour ``days`` from ``now`` (UTC)."""
    base = now.replace(minute=0, second=0, microsecond=0) + timedelta(days=days)
    return base.replace(hour=hour)


class ParkKit:
    def __init__(self, make: Factories, *, park=None) -> None:
        self.make = make
        self.now = utcnow()
        self.park = park or make.park()
        self.enterprise = make.enterprise(park=self.park)
        self.committee = make.user(Role.COMMITTEE_MEMBER, park=self.park)
        self.employee = make.user(Role.EMPLOYEE, enterprise=self.enterprise)
        self.venue = self.add_venue()

    def add_venue(self, *, capacity: int = 50, name: str | None = None) -> Venue:
        n = len(services.venues_of(self.park)) + 1
        venue = services.create_venue(self.park, actor=self.committee,
                                      name_zh=name or f"会场{n}", name_en=name or f"Hall {n}",
                                      location="A1", capacity=capacity, now=self.now)
        db.session.commit()
        return venue

    def employee_user(self, enterprise=None) -> User:
        return self.make.user(Role.EMPLOYEE, enterprise=enterprise or self.enterprise)

    def event(self, *, sessions: int = 1, capacity: int = 10, publish: bool = True,
              family_places: int = 0, audience=(), kind: EventKind = EventKind.TALK,
              day: int = 3, venue: Venue | None = None, price_minor: int = 0) -> Event:
        event = services.create_event(
            self.park, actor=self.committee, title_zh="中医药文化周", title_en="TCM week",
            description_zh="介绍", description_en="About", kind=kind,
            family_places=family_places, registration_opens_at=self.now - timedelta(days=1),
            registration_closes_at=self.now + timedelta(days=day), audience_ids=audience,
            price_minor=price_minor, now=self.now)
        for n in range(sessions):
            services.add_session(event, actor=self.committee, venue_id=(venue or self.venue).id,
                                 starts_at=at(self.now, day + n, 9),
                                 ends_at=at(self.now, day + n, 11), capacity=capacity,
                                 now=self.now)
        if publish:
            services.publish_event(event, actor=self.committee, now=self.now)
        db.session.commit()
        return event

    def session(self, **kwargs) -> EventSession:
        return self.event(**kwargs).sessions[0]

    def register(self, session: EventSession, user: User | None = None, **kwargs):
        reg = registration.register(session, actor=user or self.employee, now=self.now,
                                    **kwargs)
        db.session.commit()
        return reg

    def dependant(self, user: User | None = None):
        dependant = health_services.add_dependant(
            user or self.employee, name="小明", birth_date=date(2018, 5, 1), relation="child",
            needs=[], now=self.now)
        db.session.commit()
        return dependant
