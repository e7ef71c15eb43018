"""Query discipline on the benchmark's hot paths (issue 10): catalogue searches, 30 days of
a service's slots, a provider's calendar feed and its 304, and the largest enterprise's
report run the same number of SQL statements in a park three times the size, and what they
read stays bounded: a search loads one page of services, and a feed poll that finds
nothing changed reads no booking at all (one aggregate row instead)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from core.accounts.models import Park, ProviderOrganisation, User
from core.clock import to_zone, utcnow
from core.db import db
from demo.seed_scale import PARK_CODE, ScaleSize, seed_scale
from providers import feeds
from providers.models import ProviderProfile, Service
from tests.querycount import QueryLog, assert_same_counts, count_queries
from tests.scale.test_query_counts import ADMIN, EMPLOYEE, OWNER, _token, _wipe

SMALL = ScaleSize(employees=12, enterprises=2, providers=3, services=9,
                  practitioners_per_provider=2, days=14, past_days=7, bookings=60,
                  feed_events=10, largest_share=0.5)
LARGE = ScaleSize(employees=36, enterprises=2, providers=3, services=27,
                  practitioners_per_provider=2, days=14, past_days=7, bookings=180,
                  feed_events=30, largest_share=0.5)

SEARCHES = ["", "?sort=rating", "?sort=price_desc&per_page=2&page=2", "?q=tuina",
            "?q=推拿&sort=price_asc", "?category=tcm", "?sort=soonest"]


def _measure(app, size: ScaleSize) -> dict[str, QueryLog]:
    _wipe()
    now = utcnow()
    seed_scale(size, now=now)
    park = db.session.scalar(select(Park).where(Park.code == PARK_CODE))
    flagship = db.session.scalars(select(ProviderOrganisation).where(
        ProviderOrganisation.park_id == park.id).order_by(ProviderOrganisation.id)).first()
    service = db.session.scalars(select(Service).where(Service.provider_id == flagship.id)
                                 .order_by(Service.id)).first()
    owner = db.session.scalar(select(User).where(User.email == OWNER))
    feed = feeds.issue_provider_feed(db.session.get(ProviderProfile, flagship.id), actor=owner)
    enterprise = park.enterprises[0]
    programme = db.session.execute(select(db.metadata.tables["budget_programmes"].c.id).where(
        db.metadata.tables["budget_programmes"].c.enterprise_id == enterprise.id)).scalar()
    today = to_zone(now, park.timezone).date()
    window = (f"from={today + timedelta(days=1)}T00:00:00%2B08:00"
              f"&to={today + timedelta(days=14)}T00:00:00%2B08:00")
    employee, admin = _token(EMPLOYEE, now), _token(ADMIN, now)
    db.session.commit()

    client = app.test_client()
    logs: dict[str, QueryLog] = {}

    def read(name: str, url: str, token: str | None = None, etag: str | None = None,
             status: int = 200):
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        if etag:
            headers["If-None-Match"] = etag
        client.get(url, headers=headers)  # once-per-process lookups out of the way
        with count_queries() as log:
            response = client.get(url, headers=headers)
        assert response.status_code == status, (name, response.status_code)
        logs[name] = log
        return response

    for query in SEARCHES:
        read(f"search {query}", f"/api/v1/catalog/search{query}", employee)
    read("slots", f"/api/v1/services/{service.id}/slots?{window}", employee)
    first = read("feed", f"/feeds/providers/{feed}.ics")
    assert first.data.count(b"BEGIN:VEVENT") > 0
    read("feed 304", f"/feeds/providers/{feed}.ics", etag=first.headers["ETag"], status=304)
    read("report", f"/api/v1/enterprises/{enterprise.id}/programmes/{programme}/report",
         admin)
    return logs


@pytest.fixture
def config_overrides() -> dict:
    return {"SERVER_NAME": None}


def test_hot_paths_run_a_fixed_number_of_queries_and_read_bounded_rows(app):
    small = _measure(app, SMALL)
    large = _measure(app, LARGE)

    assert set(small) == set(large)
    assert_same_counts(small, large)
    for name, log in large.items():
        pages = [s for s in log.statements if s.lstrip().startswith("SELECT services.id,")]
        if name.startswith("search") and "soonest" not in name:
            # Made before, so remembered (marketplace.freshness): its page's listings come
            # from memory and no service row is read at all.
            assert not pages, f"{name}\n{log.report()}"
    poll = large["feed 304"].statements
    assert not [s for s in poll if s.lstrip().startswith("SELECT bookings.")], (
        "a feed poll that finds nothing changed must not read the bookings")
    report = large["report"].statements
    assert not [s for s in report if s.lstrip().startswith("SELECT ledger_accounts.")], (
        "the report sums in the database rather than reading entries one by one")
