"""Delisting follows the stated policy (docs/operations.md): when a practitioner, a provider
or a service stops being bookable, their bookings still to come are cancelled by the park
as the provider would cancel them (full refund through the one cancellation path) and each
booked person is told by mail; past bookings are left alone and nobody on the waiting list
is offered the freed place."""

from __future__ import annotations

from datetime import timedelta

from booking import services
from booking.models import Booking, BookingStatus
from core.accounts.models import ProviderStatus, Role
from core.clock import utcnow
from core.db import db
from providers import services as provider_services
from providers.models import VerificationStatus
from providers.schemas import ServiceData, ServiceOut


def _book(kit, service, user, *, days=3):
    booking = services.hold_slot(service, practitioner_id=kit.practitioner.id,
                                 starts_at=kit.slot(days=days), actor=user, now=utcnow())
    db.session.commit()
    return booking


def test_suspending_a_practitioner_cancels_their_bookings_to_come_and_tells_each_person(
        kit, make, outbox):
    service = kit.service()
    anna, ben = kit.employee(), kit.employee()
    first, second = _book(kit, service, anna), _book(kit, service, ben, days=4)
    outbox.clear()
    admin = make.user(Role.PLATFORM_ADMIN)
    provider_services.set_practitioner_status(kit.practitioner, VerificationStatus.SUSPENDED,
                                              actor=admin, now=utcnow())
    db.session.commit()
    for booking in (first, second):
        db.session.refresh(booking)
        assert booking.status is BookingStatus.CANCELLED_BY_PROVIDER
        assert booking.refund_basis_points == 10_000  # the provider's full refund
        assert booking.transitions[-1].actor_id is None  # the park, not a person
    told = {message.to for message in outbox}
    assert {anna.email, ben.email} <= told
    assert all(b"METHOD:CANCEL" in m.attachments[0].content for m in outbox)


def test_a_booking_that_has_started_is_left_for_the_provider_to_mark(kit, make):
    service = kit.service()
    booking = _book(kit, service, kit.employee())
    later = booking.starts_at + timedelta(minutes=5)
    admin = make.user(Role.PLATFORM_ADMIN)
    provider_services.set_practitioner_status(kit.practitioner, VerificationStatus.SUSPENDED,
                                              actor=admin, now=later)
    db.session.commit()
    db.session.refresh(booking)
    assert booking.status is BookingStatus.CONFIRMED


def test_withdrawing_a_service_cancels_only_its_own_bookings(kit, outbox):
    withdrawn, kept = kit.service(), kit.service(title_en="Cupping")
    gone = _book(kit, withdrawn, kit.employee())
    stays = _book(kit, kept, kit.employee(), days=5)
    data = ServiceOut.of(withdrawn, "en").model_dump(include=set(ServiceData.model_fields))
    provider_services.update_service(withdrawn, ServiceData(**(data | {"is_active": False})),
                                     actor=kit.owner, now=utcnow())
    db.session.commit()
    assert db.session.get(Booking, gone.id).status is BookingStatus.CANCELLED_BY_PROVIDER
    assert db.session.get(Booking, stays.id).status is BookingStatus.CONFIRMED


def test_suspending_a_provider_cancels_every_booking_of_it(kit, make):
    booking = _book(kit, kit.service(), kit.employee())
    provider_services.set_provider_status(kit.provider, ProviderStatus.SUSPENDED,
                                          actor=make.user(Role.PLATFORM_ADMIN), now=utcnow())
    db.session.commit()
    assert db.session.get(Booking, booking.id).status is BookingStatus.CANCELLED_BY_PROVIDER
