"""The catalogue remembers pages of results and next starts (issue 22), and forgets them
exactly when what they show changes: a service edited, a slot filled, a booking cancelled,
a hold lapsed, a transaction rolled back; and what they know of the person searching (their
budget, their health needs) until that person's own counter moves."""

from __future__ import annotations

from datetime import timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import update

from benefits import budgets
from booking import services as booking_services
from booking.models import Booking
from core.accounts.models import Membership
from core.clock import utcnow
from core.db import db
from core.i18n import park_today
from core.memo import memo
from marketplace import availability, freshness
from marketplace.catalogue import DEFAULT_WINDOW
from providers.models import AvailabilityRule, Service
from tests.benefits.factories import funded_employee
from tests.booking.factories import add_practitioner
from tests.marketplace.test_catalogue import search, titles
from tests.querycount import count_queries

SHANGHAI = ZoneInfo("Asia/Shanghai")


def card(page, title_en: str):
    return next(c for c in page.cards if c.service.title_en == title_en)


def test_the_same_search_again_is_answered_from_memory(app, shop):
    first = search(shop, q="tuina")
    results = memo("catalogue.results", 1)
    hits = results.hits
    again = search(shop, q="tuina")
    assert results.hits == hits + 1
    assert (titles(again), again.total) == (titles(first), first.total) == (
        ["TCM tuina therapy"], 1)


def test_a_changed_service_is_found_as_it_now_is(app, shop):
    assert "TCM tuina therapy" in titles(search(shop, price_max_minor=30_000))
    shop.tuina.price_minor = 40_000
    db.session.commit()
    assert "TCM tuina therapy" not in titles(search(shop, price_max_minor=30_000))
    assert card(search(shop), "TCM tuina therapy").service.price_minor == 40_000
    shop.tuina.is_active = False
    db.session.commit()
    assert "TCM tuina therapy" not in titles(search(shop))


def test_a_filled_slot_moves_the_next_start_and_a_cancellation_gives_it_back(app, shop):
    service = shop.service(title_zh="针灸", title_en="Acupuncture")  # free, one place
    first = card(search(shop, q="acupuncture"), "Acupuncture").next_start
    assert first is not None
    assert card(search(shop, q="acupuncture"), "Acupuncture").next_start == first  # memory
    neighbour = shop.employee()
    booking = booking_services.hold_slot(service, practitioner_id=shop.practitioner.id,
                                         starts_at=first, actor=neighbour, now=utcnow())
    db.session.commit()
    assert card(search(shop, q="acupuncture"), "Acupuncture").next_start > first
    booking_services.cancel_booking(booking, actor=neighbour, now=utcnow())
    db.session.commit()
    assert card(search(shop, q="acupuncture"), "Acupuncture").next_start == first


def test_a_service_made_longer_has_its_next_start_worked_out_again(app, shop):
    """A remembered start is keyed on the service's shape, not only its id: once the
    service lasts eleven hours, only a day's first hour (08:00) can start it."""
    service = shop.service(title_zh="长疗程", title_en="Long course")
    assert card(search(shop, q="long course"), "Long course").next_start is not None
    service.duration_minutes = 11 * 60
    db.session.commit()
    longer = card(search(shop, q="long course"), "Long course").next_start
    assert longer is not None and longer.astimezone(SHANGHAI).hour == 8


def test_a_lapsed_hold_frees_its_slot_without_a_write(app, shop, fixed_clock):
    """A priced place is held while it is paid for; when the hold lapses the time is free
    again at once, though nothing is written until the worker tidies up."""
    service = shop.service(title_zh="艾灸", title_en="Moxibustion", price_minor=10_000)
    first = card(search(shop, q="moxibustion"), "Moxibustion").next_start
    hold = booking_services.hold_slot(service, practitioner_id=shop.practitioner.id,
                                      starts_at=first, actor=shop.employee(), now=utcnow())
    db.session.commit()
    assert hold.hold_expires_at is not None
    assert card(search(shop, q="moxibustion"), "Moxibustion").next_start > first
    fixed_clock.move_to(hold.hold_expires_at + timedelta(seconds=1))
    if first >= utcnow():  # the slot has not begun meanwhile (a hold lasts minutes)
        assert card(search(shop, q="moxibustion"), "Moxibustion").next_start == first


def test_a_schedule_change_moves_the_next_start(app, shop):
    first = card(search(shop, q="tuina"), "TCM tuina therapy").next_start
    for rule in db.session.query(AvailabilityRule).filter_by(
            practitioner_id=shop.practitioner.id):
        db.session.delete(rule)
    db.session.commit()
    assert first is not None
    assert card(search(shop, q="tuina"), "TCM tuina therapy").next_start is None


def test_what_a_rolled_back_transaction_read_is_not_remembered(app, shop):
    shop.tuina.title_en = "Rolled back tuina"
    db.session.flush()
    assert freshness.writing()
    assert titles(search(shop, q="rolled")) == ["Rolled back tuina"]
    db.session.rollback()
    assert not freshness.writing()
    shop.talk.price_minor = 50_001  # another change brings the counter round again
    db.session.commit()
    assert titles(search(shop, q="rolled")) == []
    assert titles(search(shop, q="tuina")) == ["TCM tuina therapy"]


def test_the_counters_move_with_the_writes_they_stand_for(app, shop):
    practitioner = freshness.practitioner_key(shop.practitioner.id)

    def moved(write) -> set[str]:
        before = freshness.versions([freshness.CATALOGUE, freshness.AVAILABILITY,
                                     practitioner])
        write()
        db.session.commit()
        after = freshness.versions(before)
        return {key for key in before if after[key] != before[key]}

    assert moved(lambda: setattr(shop.tuina, "title_zh", "推拿按摩")) == {freshness.CATALOGUE}
    assert moved(lambda: booking_services.hold_slot(
        shop.tuina, practitioner_id=shop.practitioner.id, starts_at=shop.slot(days=4),
        actor=shop.employee(), now=utcnow())) == {practitioner}
    # A practitioner's calendar sync changes nothing anyone searches for.
    assert moved(lambda: setattr(shop.practitioner, "busy_calendar_synced_at",
                                 utcnow())) == set()
    # A bulk statement does not say whose rows it wrote: everyone's time is stale.
    assert moved(lambda: db.session.execute(update(Booking).where(Booking.id < 0).values(
        seats=1))) == {freshness.AVAILABILITY}
    assert moved(lambda: db.session.execute(update(Service).where(Service.id < 0).values(
        price_minor=1))) == {freshness.CATALOGUE}


# -- what a search knows of the person (marketplace.searcher) -----------------------------


def test_the_persons_budget_and_needs_are_remembered_until_their_own_counter_moves(
        app, make, shop):
    """A search reads the person's budget split and health needs once: the next search
    takes them from memory, until a posting to their budget (here: a leaver's budget
    going back) moves their counter."""
    user, plan = funded_employee(make, shop, budget_minor=30_000)
    shop.user = user
    assert card(search(shop), "TCM tuina therapy").budget_covers_minor == 20_000
    people = memo("searcher.people", 1)
    hits = people.hits
    assert card(search(shop), "TCM tuina therapy").budget_covers_minor == 20_000
    assert people.hits == hits + 1
    budgets.return_unspent(plan, user.id, now=utcnow(), reason="leaver")
    db.session.commit()
    assert card(search(shop), "TCM tuina therapy").budget_covers_minor == 0


def test_answers_to_a_questionnaire_change_the_recommended_order_at_once(app, shop):
    from health import services as health_services
    from marketplace.searcher import need_tags_of

    assert need_tags_of(shop.user, today=park_today()) == frozenset()
    health_services.submit_questionnaire(shop.user, kind="phq9", answers=[3] * 9,
                                         now=utcnow())
    db.session.commit()
    assert "depression" in need_tags_of(shop.user, today=park_today())


def test_the_person_counters_move_with_their_roles_records_and_postings(app, make, shop):
    user, plan = funded_employee(make, shop, budget_minor=30_000)
    own, other = freshness.person_key(user.id), freshness.person_key(shop.user.id)

    def moved(write) -> set[str]:
        before = freshness.versions([own, other, freshness.BUDGETS, freshness.PEOPLE])
        write()
        db.session.commit()
        after = freshness.versions(before)
        return {key for key in before if after[key] != before[key]}

    assert moved(lambda: budgets.return_unspent(plan, user.id, now=utcnow(),
                                                reason="leaver")) == {own}
    assert moved(lambda: setattr(plan, "amount_minor", 40_000)) == {freshness.BUDGETS}
    assert moved(lambda: setattr(user.memberships[0], "is_active", False)) == {own}
    assert moved(lambda: db.session.execute(update(Membership).where(
        Membership.id < 0).values(is_active=True))) == {freshness.PEOPLE}


def practitioner_from(shop, days: int):
    """A practitioner whose working days begin ``days`` from today (08:00–20:00)."""
    return add_practitioner(shop.provider, owner=shop.owner, name_en=f"Late starter {days}",
                            now=utcnow(), works_from_days=days)


def test_a_first_start_just_past_the_window_shows_from_memory_once_the_window_reaches_it(
        app, shop, fixed_clock):
    """The next start is looked for a day past the 14-day window: the card says 'none' until
    the window reaches it, then shows it without working it out again."""
    shop.service(title_zh="正骨", title_en="Bone setting",
                 practitioners=[practitioner_from(shop, days=15)])
    assert card(search(shop, q="bone setting"), "Bone setting").next_start is None
    first = card(search(shop, q="bone setting", date_to=park_today() + timedelta(days=20)),
                 "Bone setting").next_start
    assert DEFAULT_WINDOW < first - utcnow() < DEFAULT_WINDOW + availability.STARTS_REACH
    fixed_clock.move_to(first - DEFAULT_WINDOW + timedelta(minutes=1))
    with count_queries() as queries:
        shown = card(search(shop, q="bone setting"), "Bone setting").next_start
    assert shown == first
    assert not [s for s in queries.statements if "availability_rules" in s], queries.report()


def test_no_start_is_believed_for_a_day_unless_the_horizon_opens_time_sooner(
        app, shop, fixed_clock):
    far = shop.service(title_zh="远期", title_en="Far away", horizon_days=60,
                       practitioners=[practitioner_from(shop, days=40)])
    near = shop.service(title_zh="近期", title_en="Near horizon", horizon_days=7,
                        practitioners=[practitioner_from(shop, days=41)])
    assert {card(search(shop), s.title_en).next_start for s in (far, near)} == {None}
    fixed_clock.move_to(utcnow() + timedelta(hours=2))
    for service, looked_again in ((far, False), (near, True)):
        with count_queries() as queries:
            page = search(shop, q=service.title_en)
        assert card(page, service.title_en).next_start is None
        looked = [s for s in queries.statements if "availability_rules" in s]
        assert bool(looked) is looked_again, (service.title_en, queries.report())
