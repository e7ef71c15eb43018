"""Park events sit beside services: the same search finds them, and the week's events show
on the employee's home."""

from __future__ import annotations

from datetime import timedelta

from core.accounts.models import Role
from core.clock import utcnow
from core.db import db
from marketplace import events
from marketplace.catalogue import CatalogueQuery
from tests.park.factories import ParkKit


def test_the_search_finds_park_events_by_the_same_words(app, make):
    kit = ParkKit(make)
    kit.event(day=2)
    found = events.events_for_search(kit.employee, CatalogueQuery(q="中医药"), now=utcnow(),
                                     timezone="Asia/Shanghai")
    assert [e.title_en for e in found] == ["TCM week"]
    assert events.events_for_search(kit.employee, CatalogueQuery(q="yoga"), now=utcnow(),
                                    timezone="Asia/Shanghai") == []
    assert events.events_for_search(kit.employee, CatalogueQuery(category="tcm"), now=utcnow(),
                                    timezone="Asia/Shanghai") == []


def test_drafts_other_parks_and_other_audiences_are_not_shown(app, make):
    kit = ParkKit(make)
    kit.event(day=2, publish=False)
    other = make.enterprise(park=kit.park)
    kit.event(day=3, audience=[other.id])
    ParkKit(make).event(day=2)
    assert events.this_week(kit.employee, now=utcnow()) == []


def test_the_weeks_events_are_on_the_employees_home(app, make, client, auth):
    kit = ParkKit(make)
    kit.event(day=2)
    auth.login(kit.employee.email)
    page = client.get("/")
    assert "本周园区活动" in page.text and "中医药文化周" in page.text
    catalogue = client.get("/catalogue?q=中医药")
    assert "园区活动" in catalogue.text and "中医药文化周" in catalogue.text


def test_committee_members_see_their_parks_events_too(app, make):
    kit = ParkKit(make)
    kit.event(day=2)
    committee = make.user(Role.COMMITTEE_MEMBER, park=kit.park)
    assert len(events.this_week(committee, now=utcnow())) == 1


def cards(user, **filters):
    return events.event_cards_for_search(user, CatalogueQuery(**filters), now=utcnow(),
                                         timezone="Asia/Shanghai")


def test_events_beside_a_search_are_remembered_until_an_event_is_written(app, make):
    """The API's search remembers the events it shows (``event_cards_for_search``): a new
    event, a cancelled one, and an audience are seen by the next search."""
    kit = ParkKit(make)
    week = kit.event(day=2)
    assert [c.title_en for c in cards(kit.employee)] == ["TCM week"]
    assert [c.title_en for c in cards(kit.employee)] == ["TCM week"]  # from memory
    second = kit.event(day=4)
    assert [c.id for c in cards(kit.employee)] == [week.id, second.id]
    other = make.enterprise(park=kit.park)
    restricted = kit.event(day=5, audience=[other.id])
    assert restricted.id not in [c.id for c in cards(kit.employee)]
    assert restricted.id in [c.id for c in cards(kit.employee_user(other))]
    week.title_en = "Herbal week"
    db.session.commit()
    assert cards(kit.employee, q="herbal")[0].id == week.id
    assert cards(kit.employee, category="tcm") == []


def test_an_event_whose_last_session_began_drops_out_as_the_clock_moves(app, make,
                                                                        fixed_clock):
    kit = ParkKit(make)
    event = kit.event(day=2)
    assert cards(kit.employee)
    fixed_clock.move_to(event.sessions[0].starts_at + timedelta(seconds=1))
    assert cards(kit.employee) == []
