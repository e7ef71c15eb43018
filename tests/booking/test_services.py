"""The booking services: holds, capacity, the state machine and its log, confirmation,
cancellation policy, attendance, rescheduling and the expiry sweep."""

from __future__ import annotations

from datetime import timedelta

import pytest

from booking import queries, services, states
from booking.errors import (
    AttendanceTooEarly,
    CancellationClosed,
    HoldExpired,
    NotEligible,
    OverlappingBooking,
    RescheduleRefused,
    SlotFull,
    SlotNotBookable,
    SlotUnavailable,
    TransitionRefused,
)
from booking.models import Booking, BookingStatus
from booking.signals import booking_cancelled, booking_confirmed, booking_held, hold_expired
from core.clock import utcnow
from core.db import db
from core.errors import NotFound
from health import services as health_services
from providers.queries import slots_for
from tests.pages import shows_number


def _hold(kit, service, user, *, at=None, now=None, **kwargs) -> Booking:
    booking = services.hold_slot(service, practitioner_id=kwargs.pop(
        "practitioner_id", kit.practitioner.id), starts_at=at or kit.slot(), actor=user,
        now=now or utcnow(), **kwargs)
    db.session.commit()
    return booking


def test_a_free_booking_is_confirmed_at_once_and_logged(kit, outbox):
    service = kit.service()
    user = kit.employee()
    booking = _hold(kit, service, user)
    assert booking.status is BookingStatus.CONFIRMED
    assert [(t.from_status, t.to_status, t.reason, t.actor_id) for t in booking.transitions] == [
        (None, BookingStatus.HELD, "booked", user.id),
        (BookingStatus.HELD, BookingStatus.CONFIRMED, "free", user.id)]
    invite = outbox[0].attachments[0]
    assert len(outbox) == 1 and (invite.maintype, invite.subtype) == ("text", "calendar")
    assert b"BEGIN:VCALENDAR" in invite.content and b"METHOD:REQUEST" in invite.content
    assert ("method", "REQUEST") in invite.params


def test_a_priced_booking_stays_held_and_copies_price_and_policy(kit):
    service = kit.service(price_minor=12800)
    booking = _hold(kit, service, kit.employee())
    assert booking.status is BookingStatus.HELD
    assert (booking.price_minor, booking.currency) == (12800, "CNY")
    assert booking.hold_expires_at - booking.created_at == timedelta(minutes=10)
    assert booking.late_cancel_fee_percent == 50


def test_signals_tell_payments_about_holds_confirmations_and_cancellations(kit):
    service = kit.service(price_minor=5000)
    user = kit.employee()
    seen = []
    receivers = [lambda s, **kw: seen.append(("held", s.id)),
                 lambda s, **kw: seen.append(("confirmed", kw["payment_reference"])),
                 lambda s, **kw: seen.append(("cancelled", kw["by"],
                                              kw["outcome"].refund_basis_points))]
    booking_held.connect(receivers[0])
    booking_confirmed.connect(receivers[1])
    booking_cancelled.connect(receivers[2])
    try:
        booking = _hold(kit, service, user)
        services.confirm_booking(booking, actor=None, now=utcnow(), payment_reference="pi_1")
        services.cancel_booking(booking, actor=user, now=utcnow())
    finally:
        booking_held.disconnect(receivers[0])
        booking_confirmed.disconnect(receivers[1])
        booking_cancelled.disconnect(receivers[2])
    assert seen == [("held", booking.id), ("confirmed", "pi_1"), ("cancelled", "client", 10000)]


def test_a_one_to_one_slot_takes_one_person_and_disappears_from_the_slots(kit):
    service = kit.service()
    _hold(kit, service, kit.employee())
    with pytest.raises(SlotFull):
        _hold(kit, service, kit.employee())
    starts = [s.starts_at for s, _p in slots_for(service, start=kit.slot() - timedelta(hours=1),
                                                  end=kit.slot() + timedelta(hours=2),
                                                  now=utcnow())]
    assert kit.slot() not in starts
    assert kit.slot() + timedelta(hours=1) in starts


def test_a_group_class_fills_up_to_its_capacity(kit):
    service = kit.service(capacity=3)
    for _ in range(3):
        _hold(kit, service, kit.employee())
    with pytest.raises(SlotFull):
        _hold(kit, service, kit.employee())


def test_another_service_of_the_same_practitioner_cannot_overlap(kit):
    first, second = kit.service(), kit.service(title_en="Cupping", duration_minutes=50)
    _hold(kit, first, kit.employee())
    with pytest.raises(SlotUnavailable):
        _hold(kit, second, kit.employee())


def test_the_same_person_cannot_hold_two_overlapping_bookings(kit):
    other = kit.add_practitioner("Dr Li")
    service = kit.service(practitioners=[kit.practitioner, other])
    user = kit.employee()
    _hold(kit, service, user)
    with pytest.raises(OverlappingBooking):
        _hold(kit, service, user, practitioner_id=other.id)
    assert db.session.query(Booking).count() == 1


@pytest.mark.parametrize("when", ["past", "off_grid", "beyond_horizon"])
def test_times_that_are_not_slots_are_refused(kit, when):
    service = kit.service(horizon_days=10)
    at = {"past": kit.slot(days=-1), "off_grid": kit.slot() + timedelta(minutes=7),
          "beyond_horizon": kit.slot(days=20)}[when]
    with pytest.raises(SlotNotBookable):
        _hold(kit, service, kit.employee(), at=at)
    assert db.session.query(Booking).count() == 0


def test_a_lapsed_hold_frees_its_place_at_once_and_cannot_be_confirmed(kit):
    service = kit.service(price_minor=100)
    first = _hold(kit, service, kit.employee(), now=utcnow() - timedelta(minutes=11))
    second = _hold(kit, service, kit.employee())  # the lapsed hold no longer counts
    assert second.status is BookingStatus.HELD
    with pytest.raises(HoldExpired):
        services.confirm_booking(first, actor=None, now=utcnow())


def test_confirming_a_lapsed_hold_whose_place_is_still_free_is_refused(kit):
    service = kit.service(price_minor=100)
    booking = _hold(kit, service, kit.employee())
    with pytest.raises(HoldExpired):
        services.confirm_booking(booking, actor=None, now=utcnow() + timedelta(minutes=11))


def test_the_sweep_expires_lapsed_holds_and_says_so(kit):
    service = kit.service(price_minor=100)
    booking = _hold(kit, service, kit.employee())
    expired = []
    receiver = lambda sender, **kw: expired.append(sender.id)  # noqa: E731
    hold_expired.connect(receiver)
    try:
        assert services.expire_holds(now=utcnow()) == 0
        assert services.expire_holds(now=utcnow() + timedelta(minutes=11)) == 1
    finally:
        hold_expired.disconnect(receiver)
    db.session.commit()
    assert booking.status is BookingStatus.EXPIRED and expired == [booking.id]
    assert booking.transitions[-1].actor_id is None
    assert booking.transitions[-1].reason == "hold_lapsed"


@pytest.mark.parametrize(("start", "to"), [
    (BookingStatus.EXPIRED, BookingStatus.CONFIRMED),
    (BookingStatus.CANCELLED_BY_CLIENT, BookingStatus.CONFIRMED),
    (BookingStatus.ATTENDED, BookingStatus.NO_SHOW),
    (BookingStatus.HELD, BookingStatus.ATTENDED),
    (BookingStatus.CONFIRMED, BookingStatus.EXPIRED),
    (BookingStatus.CONFIRMED, BookingStatus.HELD),
])
def test_transitions_the_machine_does_not_allow_are_refused(kit, start, to):
    booking = _hold(kit, kit.service(price_minor=100), kit.employee())
    booking.status = start
    count = len(booking.transitions)
    with pytest.raises(TransitionRefused):
        states.move(booking, to, actor=None, now=utcnow(), reason="test")
    assert booking.status is start and len(booking.transitions) == count


def test_confirming_twice_is_refused(kit):
    booking = _hold(kit, kit.service(), kit.employee())
    with pytest.raises(TransitionRefused):
        services.confirm_booking(booking, actor=None, now=utcnow())


def test_cancelling_before_the_cutoff_refunds_in_full(kit, outbox):
    user = kit.employee()
    booking = _hold(kit, kit.service(price_minor=10000), user)
    services.confirm_booking(booking, actor=None, now=utcnow())
    outcome = services.cancel_booking(booking, actor=user, now=utcnow(), reason="ill")
    db.session.commit()
    assert (outcome.refund_basis_points, outcome.late_fee_basis_points) == (10000, 0)
    assert booking.status is BookingStatus.CANCELLED_BY_CLIENT
    assert booking.transitions[-1].note == "ill"
    assert b"METHOD:CANCEL" in outbox[-1].attachments[0].content


def test_cancelling_after_the_cutoff_charges_the_late_fee(kit):
    user = kit.employee()
    booking = _hold(kit, kit.service(price_minor=10000), user)
    services.confirm_booking(booking, actor=None, now=utcnow())
    late = booking.starts_at - timedelta(hours=2)
    outcome = services.cancel_booking(booking, actor=user, now=late)
    assert (outcome.refund_basis_points, outcome.late_fee_basis_points) == (5000, 5000)
    assert outcome.refund_minor(10000) == 5000


def test_cancelling_after_the_start_is_refused(kit):
    user = kit.employee()
    booking = _hold(kit, kit.service(), user)
    with pytest.raises(CancellationClosed):
        services.cancel_booking(booking, actor=user, now=booking.starts_at + timedelta(minutes=1))


def test_a_provider_cancellation_refunds_in_full_and_tells_the_client(kit, outbox):
    user = kit.employee(email="client@example.com")
    booking = _hold(kit, kit.service(price_minor=10000), user)
    services.confirm_booking(booking, actor=None, now=utcnow())
    outcome = services.cancel_booking(booking, actor=kit.staff,
                                      now=booking.starts_at - timedelta(hours=1))
    db.session.commit()
    assert outcome.by == "provider" and outcome.refund_basis_points == 10000
    assert booking.status is BookingStatus.CANCELLED_BY_PROVIDER
    assert outbox[-1].to == "client@example.com"


def test_someone_else_cannot_cancel_a_booking(kit, make):
    booking = _hold(kit, kit.service(), kit.employee())
    with pytest.raises(NotFound):
        services.cancel_booking(booking, actor=kit.employee(), now=utcnow())


def test_attendance_is_marked_after_the_start_and_no_shows_are_counted(kit):
    user = kit.employee()
    service = kit.service()
    first = _hold(kit, service, user)
    second = _hold(kit, service, user, at=kit.slot(days=4))
    with pytest.raises(AttendanceTooEarly):
        services.mark_attendance(first, actor=kit.staff, attended=True, now=utcnow())
    services.mark_attendance(first, actor=kit.staff, attended=False,
                             now=first.starts_at + timedelta(minutes=5))
    services.mark_attendance(second, actor=kit.owner, attended=True,
                             now=second.starts_at + timedelta(minutes=5))
    db.session.commit()
    assert first.status is BookingStatus.NO_SHOW and second.status is BookingStatus.ATTENDED
    assert queries.no_show_count(user) == 1
    with pytest.raises(TransitionRefused):
        services.mark_attendance(first, actor=kit.staff, attended=True,
                                 now=first.starts_at + timedelta(minutes=6))


def test_an_employee_cannot_mark_attendance(kit):
    user = kit.employee()
    booking = _hold(kit, kit.service(), user)
    with pytest.raises(NotFound):
        services.mark_attendance(booking, actor=user, attended=True,
                                 now=booking.starts_at + timedelta(minutes=1))


def test_rescheduling_keeps_the_booking_and_its_payment(kit, outbox):
    user = kit.employee()
    booking = _hold(kit, kit.service(price_minor=10000), user)
    services.confirm_booking(booking, actor=None, now=utcnow(), payment_reference="pi_9")
    target = kit.slot(days=5, hour=14)
    services.reschedule_booking(booking, actor=user, starts_at=target, now=utcnow())
    db.session.commit()
    assert (booking.starts_at, booking.status, booking.payment_reference) == (
        target, BookingStatus.CONFIRMED, "pi_9")
    assert booking.transitions[-1].reason == "rescheduled"
    assert booking.reschedule_count == 1
    assert b"SEQUENCE:1" in outbox[-1].attachments[0].content
    # the old time is free again
    _hold(kit, booking.service, kit.employee(), at=kit.slot())


def test_rescheduling_to_a_full_time_or_another_service_is_refused(kit):
    service = kit.service()
    user = kit.employee()
    booking = _hold(kit, service, user)
    taken = _hold(kit, service, kit.employee(), at=kit.slot(days=6))
    with pytest.raises(SlotFull):
        services.reschedule_booking(booking, actor=user, starts_at=taken.starts_at,
                                    now=utcnow())
    other = kit.add_practitioner("Dr Zhao")  # not one of this service's practitioners
    with pytest.raises(RescheduleRefused):
        services.reschedule_booking(booking, actor=user, starts_at=kit.slot(days=7),
                                    practitioner_id=other.id, now=utcnow())
    assert booking.starts_at == kit.slot()


def test_a_dependant_can_be_booked_only_where_dependants_are_allowed(kit, make):
    user = kit.employee()
    dependant = health_services.add_dependant(user, name="小明", birth_date=utcnow().date()
                                              .replace(year=utcnow().year - 6),
                                              relation="child", needs=[], now=utcnow())
    db.session.commit()
    with pytest.raises(NotEligible):
        _hold(kit, kit.service(), user, dependant_id=dependant.id)
    kids = kit.service(title_en="Kids yoga", allows_dependants=True, min_age=3, max_age=12)
    booking = _hold(kit, kids, user, dependant_id=dependant.id)
    assert booking.dependant_id == dependant.id
    # the employee themself and their child may be booked at the same time
    adult = kit.service(title_en="Adult yoga", practitioners=[kit.add_practitioner("Ms B")])
    _hold(kit, adult, user, practitioner_id=adult.practitioners[0].id)


def test_an_age_band_is_checked_against_the_persons_own_data(kit):
    user = kit.employee()
    service = kit.service(min_age=60)
    with pytest.raises(NotEligible):  # no birth year recorded
        _hold(kit, service, user)
    health_services.update_profile(user, sex=None, birth_year=1990, smoking=None,
                                   activity_minutes_per_week=None, sleep_hours=None,
                                   goals=[], now=utcnow())
    with pytest.raises(NotEligible):
        _hold(kit, service, user)


def test_another_persons_dependant_is_not_found(kit):
    owner = kit.employee()
    dependant = health_services.add_dependant(owner, name="老王", birth_date=utcnow().date()
                                              .replace(year=1950), relation="parent",
                                              needs=[], now=utcnow())
    db.session.commit()
    service = kit.service(allows_dependants=True)
    with pytest.raises(NotFound):
        _hold(kit, service, kit.employee(), dependant_id=dependant.id)


def test_a_required_screening_questionnaire_must_be_completed_first(kit):
    user = kit.employee()
    service = kit.service(screening_questionnaire="phq9")
    with pytest.raises(NotEligible):
        _hold(kit, service, user)
    health_services.submit_questionnaire(user, kind="phq9", answers=[0] * 9, now=utcnow())
    db.session.commit()
    assert _hold(kit, service, user).status is BookingStatus.CONFIRMED


def test_a_contraindication_in_the_persons_own_records_is_refused(kit):
    user = kit.employee()
    service = kit.service(contraindications=["hypertension"])
    health_services.save_checkup(user, utcnow().date() - timedelta(days=3), "clinic",
                                 {"systolic": 165.0, "diastolic": 102.0}, utcnow())
    db.session.commit()
    with pytest.raises(NotEligible) as refused:
        _hold(kit, service, user)
    assert not shows_number(str(refused.value.message), 165)
    assert _hold(kit, service, kit.employee()).status is BookingStatus.CONFIRMED
