"""Query discipline: the main pages and API lists run the same number of SQL statements
whatever the size of the park. Each page is read in a small park and in one three times its
size (more employees' bookings, services, payments, events), and the counts must match: a
page whose count grows with its rows has an N+1 query.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from booking.models import Booking
from core.accounts.models import Park, ProviderOrganisation, User
from core.accounts.tokens import create_api_token
from core.clock import to_zone, utcnow
from core.db import db
from core.memo import clear_all
from demo.seed_scale import PARK_CODE, PASSWORD, ScaleSize, seed_scale
from park import services as park_services
from park.models import EventKind
from tests.querycount import QueryLog, assert_same_counts, count_queries

SMALL = ScaleSize(employees=12, enterprises=2, providers=3, services=9,
                  practitioners_per_provider=2, days=14, past_days=7, bookings=60,
                  feed_events=10, largest_share=0.5)
LARGE = ScaleSize(employees=12, enterprises=2, providers=3, services=27,
                  practitioners_per_provider=2, days=14, past_days=7, bookings=180,
                  feed_events=30, largest_share=0.5)
EMPLOYEE = "e000002@scale.parkwell.demo"
ADMIN = "e000001@scale.parkwell.demo"  # first employee of enterprise 1, and its admin
OWNER = "owner0001@scale.parkwell.demo"  # owner of the flagship provider

EMPLOYEE_PAGES = ["/", "/catalogue", "/catalogue?q=tuina", "/bookings", "/me/budget",
                  "/events", "/my-events"]
EMPLOYEE_API = ["/api/v1/bookings?scope=all", "/api/v1/bookings?scope=upcoming",
                "/api/v1/catalog/search", "/api/v1/catalog/search?q=tuina&sort=price_asc",
                "/api/v1/providers", "/api/v1/me/budget", "/api/v1/events",
                "/api/v1/waitlist", "/api/v1/registrations"]
ADMIN_API = ["/api/v1/enterprises/{enterprise}/roster",
             "/api/v1/enterprises/{enterprise}/programmes",
             "/api/v1/enterprises/{enterprise}/programmes/{programme}/report"]
OWNER_PAGES = ["/providers/{provider}/bookings?on={day}", "/providers/{provider}/dashboard"]
OWNER_API = ["/api/v1/providers/{provider}/bookings?on={day}"]


def _wipe() -> None:
    """An empty database under the running app, as a new deployment would be: what the
    app remembers (keyed on counters that now start again) goes too, and so do the
    session's objects (SQLite gives the new rows the old rows' ids)."""
    db.session.rollback()
    for table in reversed(db.metadata.sorted_tables):
        db.session.execute(table.delete())
    db.session.commit()
    db.session.expunge_all()  # no object of the old rows answers for a new row's id
    clear_all()


def _add_events(park: Park, count: int, now) -> None:
    committee = db.session.scalar(select(User).where(User.email.like("committee@%")))
    venue = park_services.create_venue(park, actor=committee, name_zh="大会堂",
                                       name_en="Great hall", location="A1", capacity=500,
                                       now=now)
    for n in range(count):
        event = park_services.create_event(
            park, actor=committee, title_zh=f"健康讲座{n}", title_en=f"Health talk {n}",
            description_zh="介绍", description_en="About", kind=EventKind.TALK,
            family_places=0, registration_opens_at=now - timedelta(days=1),
            registration_closes_at=now + timedelta(days=5), now=now)
        starts = (now + timedelta(days=2 + n)).replace(minute=0, second=0, microsecond=0)
        park_services.add_session(event, actor=committee, venue_id=venue.id,
                                  starts_at=starts, ends_at=starts + timedelta(hours=1),
                                  capacity=50, now=now)
        park_services.publish_event(event, actor=committee, now=now)


def _token(email: str, now) -> str:
    user = db.session.scalar(select(User).where(User.email == email))
    _token, raw = create_api_token(user, name="querycount", scopes=["read"],
                                   expires_in_days=1, now=now)
    return raw


def _measure(app, size: ScaleSize, events: int) -> dict[str, QueryLog]:
    """Build the park at ``size`` and count the statements of every page (the second read
    of each, so that once-per-process lookups do not count)."""
    _wipe()
    now = utcnow()
    seed_scale(size, now=now)
    park = db.session.scalar(select(Park).where(Park.code == PARK_CODE))
    _add_events(park, events, now)
    provider = db.session.scalars(select(ProviderOrganisation).where(
        ProviderOrganisation.park_id == park.id).order_by(ProviderOrganisation.id)).first()
    enterprise = park.enterprises[0]
    programme = db.session.execute(select(db.metadata.tables["budget_programmes"].c.id).where(
        db.metadata.tables["budget_programmes"].c.enterprise_id == enterprise.id)).scalar()
    first_future = db.session.scalar(select(Booking.starts_at).where(
        Booking.provider_id == provider.id, Booking.starts_at > now + timedelta(days=1))
        .order_by(Booking.starts_at))
    names = {"provider": provider.id, "enterprise": enterprise.id, "programme": programme,
             "day": to_zone(first_future, park.timezone).date().isoformat()}
    tokens = {email: _token(email, now) for email in (EMPLOYEE, ADMIN, OWNER)}
    db.session.commit()

    logs: dict[str, QueryLog] = {}

    def read(client, url: str, headers=None) -> None:
        url = url.format(**names)
        assert client.get(url, headers=headers).status_code == 200, url
        measured = []
        for _ in range(2):  # the quieter of two: a throttled bookkeeping write (a token's
            with count_queries() as log:  # last use, at most once a minute) is not the page's
                response = client.get(url, headers=headers)
            assert response.status_code == 200, url
            measured.append(log)
        logs[url.replace(str(names["day"]), "{day}")] = min(measured, key=len)

    for email, pages in ((EMPLOYEE, EMPLOYEE_PAGES), (OWNER, OWNER_PAGES)):
        client = app.test_client()
        assert client.post("/login", data={"login": email, "password": PASSWORD}
                           ).status_code in (302, 303)
        for url in pages:
            read(client, url)
    client = app.test_client()
    for email, urls in ((EMPLOYEE, EMPLOYEE_API), (ADMIN, ADMIN_API), (OWNER, OWNER_API)):
        for url in urls:
            read(client, url, {"Authorization": f"Bearer {tokens[email]}"})
    return logs


@pytest.fixture
def config_overrides() -> dict:
    return {"SERVER_NAME": None}


def test_main_pages_and_api_lists_run_a_fixed_number_of_queries_whatever_their_size(app):
    small = _measure(app, SMALL, events=2)
    large = _measure(app, LARGE, events=6)

    assert set(small) == set(large)
    assert_same_counts(small, large)
