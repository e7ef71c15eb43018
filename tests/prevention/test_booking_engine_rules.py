"""A check-up is a booking like any other, with the campaign's rules on top: the employee
books a place in the provider's slot, the booking engine's rules refuse what they refuse
for any booking (a full slot, a time off the grid, two bookings at once for one person),
the enterprise pays the package and the employee pays nothing. Written against the
behaviour before check-ups went through ``booking.services.hold_slot`` and kept after."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from benefits import ledger
from benefits.models import LedgerTransaction
from booking import services as booking_services
from booking.errors import OverlappingBooking, SlotFull, SlotNotBookable
from booking.models import Booking, BookingStatus
from core.clock import to_zone, utcnow
from core.db import db
from core.errors import NotFound
from health import services as health_services
from prevention import services
from prevention.errors import AlreadyBooked, DependantsNotIncluded
from prevention.models import CampaignCheckup
from tests.prevention.factories import BASIC_PRICE, CampaignKit


def _count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def _written() -> tuple[int, int, int]:
    return _count(Booking), _count(CampaignCheckup), _count(LedgerTransaction)


def _spouse(user):
    member = health_services.add_dependant(user, name="王芳", birth_date=utcnow().date()
                                           - timedelta(days=365 * 40), sex="female",
                                           relation="spouse", needs=[], now=utcnow())
    db.session.commit()
    return member


def _book_at(kit, user, practitioner, starts_at):
    return services.book_checkup(kit.campaign, actor=user, package_id=kit.package().id,
                                 practitioner_id=practitioner.id, starts_at=starts_at,
                                 now=utcnow())


def test_the_booking_is_held_then_confirmed_as_paid_by_the_enterprise(kit):
    checkup = kit.book(kit.person())
    booking = checkup.booking
    steps = [(t.from_status, t.to_status, t.reason) for t in booking.transitions]
    assert steps == [(None, BookingStatus.HELD, "booked"),
                     (BookingStatus.HELD, BookingStatus.CONFIRMED, "paid")]
    assert booking.price_minor == 0 and booking.currency == "CNY"
    assert checkup.payment_reference == f"campaign-checkup:{checkup.id}"
    assert booking.payment_reference == checkup.payment_reference
    paid = db.session.scalar(select(LedgerTransaction).where(
        LedgerTransaction.reference == checkup.payment_reference))
    assert paid is not None and checkup.price_minor == BASIC_PRICE
    assert checkup.day == to_zone(kit.slot(3), "Asia/Shanghai").date()


def test_a_slot_full_of_other_bookings_refuses_the_check_up_and_writes_nothing(make):
    kit = CampaignKit(make)
    kit.checkup_service.capacity = 1
    db.session.commit()
    kit.book(kit.person(), hour=9)
    before = _written()
    with pytest.raises(SlotFull):
        kit.book(kit.person(), hour=9)
    db.session.rollback()
    assert _written() == before
    assert ledger.check_ledger() == []


def test_a_time_off_the_provider_s_grid_is_refused_and_writes_nothing(kit):
    user = kit.person()
    before = _written()
    with pytest.raises(SlotNotBookable):
        _book_at(kit, user, kit.practitioner, kit.slot(3, 10) + timedelta(minutes=7))
    db.session.rollback()
    assert _written() == before


def test_the_employee_cannot_be_at_another_booking_at_the_same_time(kit):
    user = kit.person()
    other = kit.service(title_en="Massage")
    booking_services.hold_slot(other, practitioner_id=kit.practitioner.id,
                               starts_at=kit.slot(3, 14), actor=user, now=utcnow())
    db.session.commit()
    kit.checkup_service.practitioners.append(kit.add_practitioner("Dr Li"))
    db.session.commit()
    second = kit.checkup_service.practitioners[-1]
    before = _written()
    with pytest.raises(OverlappingBooking):
        _book_at(kit, user, second, kit.slot(3, 14))
    db.session.rollback()
    assert _written() == before


def test_a_family_member_s_check_up_is_their_booking_and_counts_once_for_them(make):
    kit = CampaignKit(make, includes_dependants=True)
    kit.checkup_service.allows_dependants = True
    db.session.commit()
    user = kit.person()
    spouse = _spouse(user)
    checkup = kit.book(user, dependant_id=spouse.id, hour=9)
    assert checkup.booking.dependant_id == spouse.id == checkup.dependant_id
    assert checkup.booking.client_id == user.id and checkup.booking.price_minor == 0
    before = _written()
    with pytest.raises(AlreadyBooked):
        kit.book(user, dependant_id=spouse.id, days=4)
    db.session.rollback()
    assert _written() == before
    assert kit.book(user, hour=11).dependant_id is None  # the employee's own still free


def test_someone_else_s_family_member_is_not_found_and_nothing_is_written(make):
    kit = CampaignKit(make, includes_dependants=True)
    kit.checkup_service.allows_dependants = True
    db.session.commit()
    stranger_spouse = _spouse(kit.person())
    user = kit.person()
    before = _written()
    with pytest.raises(NotFound):
        kit.book(user, dependant_id=stranger_spouse.id)
    db.session.rollback()
    assert _written() == before


def test_a_campaign_without_family_members_refuses_one_and_writes_nothing(kit):
    user = kit.person()
    spouse = _spouse(user)
    before = _written()
    with pytest.raises(DependantsNotIncluded):
        kit.book(user, dependant_id=spouse.id)
    db.session.rollback()
    assert _written() == before


def test_a_rule_added_to_booking_s_hold_slot_applies_to_check_ups_too(kit, monkeypatch):
    """Booking's ``hold_slot`` is the one way in: a refusal it learns is a check-up's too."""

    class NewRule(Exception):
        pass

    held = booking_services.hold_slot

    def hold_slot_with_a_new_rule(service, **kwargs):
        if kwargs["starts_at"].hour == kit.slot(3, 9).hour:
            raise NewRule()
        return held(service, **kwargs)

    monkeypatch.setattr(booking_services, "hold_slot", hold_slot_with_a_new_rule)
    user = kit.person()
    with pytest.raises(NewRule):
        kit.book(user, hour=9)
    db.session.rollback()
    assert kit.book(user, hour=10).booking.price_minor == 0
