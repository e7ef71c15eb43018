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
from tests.querycount import count_queries


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


def test_an_event_coming_into_the_window_as_the_clock_moves_is_shown_from_memory(
        app, make, fixed_clock):
    """The remembered list reaches a day past the 60-day window: an event whose session
    enters the window within that day shows without reading the events again."""
    kit = ParkKit(make)
    event = kit.event(day=60)
    beyond = event.sessions[0].starts_at - utcnow()
    assert events.SEARCH_WINDOW < beyond < events.SEARCH_WINDOW + events.CARDS_REACH
    assert cards(kit.employee) == []
    fixed_clock.move_to(event.sessions[0].starts_at - events.SEARCH_WINDOW
                        + timedelta(minutes=1))
    with count_queries() as queries:
        assert [c.id for c in cards(kit.employee)] == [event.id]
    assert not [s for s in queries.statements if "FROM park_events" in s], queries.report()


def test_an_event_beyond_the_lists_reach_is_found_when_the_list_is_made_again(
        app, make, fixed_clock):
    kit = ParkKit(make)
    event = kit.event(day=61)
    beyond = event.sessions[0].starts_at - utcnow()
    assert beyond > events.SEARCH_WINDOW + events.CARDS_REACH
    assert cards(kit.employee) == []
    fixed_clock.move_to(event.sessions[0].starts_at - events.SEARCH_WINDOW
                        + timedelta(minutes=1))
    assert [c.id for c in cards(kit.employee)] == [event.id]
