"""A window of slots is remembered (``providers.slots.remembered_slots``, issue 22) and is
right at every moment: a booking takes its slot out at once, a cancellation gives it back,
a hold that lapses frees its slot without a write, and a slot that comes too close to book
drops out as the clock moves."""

from __future__ import annotations

from datetime import timedelta

from booking import services as booking_services
from core.clock import utcnow
from core.db import db
from core.memo import memo
from providers import queries as provider_queries
from tests.booking.factories import BookingKit


def starts(service, kit):
    found = provider_queries.slots_for(service, start=kit.slot(days=2, hour=8),
                                       end=kit.slot(days=5, hour=8), now=utcnow())
    return [slot.starts_at for slot, _ in found]


def test_the_same_window_again_is_answered_from_memory(app, make):
    kit = BookingKit(make)
    service = kit.service()
    first = starts(service, kit)
    remembered = memo("providers.slots", 1)
    hits = remembered.hits
    assert starts(service, kit) == first and first
    assert remembered.hits == hits + 1


def test_a_booking_takes_its_slot_out_and_a_cancellation_gives_it_back(app, make):
    kit = BookingKit(make)
    service = kit.service()
    slot = kit.slot(days=3)
    assert slot in starts(service, kit)
    client = kit.employee()
    booking = booking_services.hold_slot(service, practitioner_id=kit.practitioner.id,
                                         starts_at=slot, actor=client, now=utcnow())
    db.session.commit()
    assert slot not in starts(service, kit)
    booking_services.cancel_booking(booking, actor=client, now=utcnow())
    db.session.commit()
    assert slot in starts(service, kit)


def test_a_lapsed_hold_frees_its_slot_without_a_write(app, make, fixed_clock):
    kit = BookingKit(make)
    service = kit.service(price_minor=10_000)  # a priced place is held while it is paid
    slot = kit.slot(days=3)
    hold = booking_services.hold_slot(service, practitioner_id=kit.practitioner.id,
                                      starts_at=slot, actor=kit.employee(), now=utcnow())
    db.session.commit()
    assert hold.hold_expires_at is not None
    assert slot not in starts(service, kit)
    fixed_clock.move_to(hold.hold_expires_at + timedelta(seconds=1))
    assert slot in starts(service, kit)


def test_a_slot_too_close_to_book_drops_out_as_the_clock_moves(app, make, fixed_clock):
    kit = BookingKit(make)
    service = kit.service(min_notice_minutes=60)
    first = starts(service, kit)[0]
    fixed_clock.move_to(first - timedelta(minutes=30))  # within the minimum notice
    assert first not in starts(service, kit)


def test_a_taken_place_is_refused_without_queueing_for_its_locks(app, make, monkeypatch):
    """In a rush most attempts are refused: they hear it from what is committed, without
    waiting for the practitioner's and the client's locks, in the same words."""
    import pytest

    from booking import capacity
    from booking.errors import SlotFull

    kit = BookingKit(make)
    service = kit.service()
    slot = kit.slot(days=3)
    booking_services.hold_slot(service, practitioner_id=kit.practitioner.id, starts_at=slot,
                               actor=kit.employee(), now=utcnow())
    db.session.commit()
    locks = []
    real = capacity.lock_practitioners_and_client
    monkeypatch.setattr(capacity, "lock_practitioners_and_client",
                        lambda ids, client: locks.append(client) or real(ids, client))
    with pytest.raises(SlotFull):
        booking_services.hold_slot(service, practitioner_id=kit.practitioner.id,
                                   starts_at=slot, actor=kit.employee(), now=utcnow())
    db.session.rollback()
    assert locks == []
    booking_services.hold_slot(service, practitioner_id=kit.practitioner.id,
                               starts_at=kit.slot(days=4), actor=kit.employee(), now=utcnow())
    assert len(locks) == 1  # a free place is still taken under the locks
