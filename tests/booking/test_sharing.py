"""When booking, the employee chooses what to share with the provider: at most what the
service's category needs, nothing unless chosen, and only their own data."""

from __future__ import annotations

import pytest

from booking import services, sharing
from core.clock import utcnow
from core.db import db
from core.errors import InvalidInput, NotFound
from health.models import Consent
from health.vocabulary import ShareField
from tests.booking.factories import BookingKit


@pytest.fixture
def kit(make):
    kit = BookingKit(make)
    kit.tuina = kit.service(title_en="TCM tuina")  # TCM needs blood pressure, body, lifestyle
    kit.user = kit.employee()
    return kit


def consents_of(user) -> list[Consent]:
    return list(db.session.scalars(db.select(Consent).filter_by(user_id=user.id)))


def test_the_employee_shares_only_what_the_category_needs(app, kit):
    booking = services.hold_slot(kit.tuina, practitioner_id=kit.practitioner.id,
                                 starts_at=kit.slot(), actor=kit.user, now=utcnow())
    assert [f.value for f in sharing.shareable_fields(booking, kit.user)] == [
        "blood_pressure", "body", "lifestyle"]
    consent = sharing.share_for_booking(booking, actor=kit.user, fields=["blood_pressure"],
                                        now=utcnow())
    assert consent.provider_id == kit.provider.id
    assert consent.field_set == {ShareField.BLOOD_PRESSURE}
    assert consent.valid_until > booking.ends_at
    with pytest.raises(InvalidInput):
        sharing.share_for_booking(booking, actor=kit.user, fields=["mental_health"],
                                  now=utcnow())


def test_nothing_is_shared_unless_chosen_and_only_by_the_client(app, kit):
    booking = services.hold_slot(kit.tuina, practitioner_id=kit.practitioner.id,
                                 starts_at=kit.slot(), actor=kit.user, now=utcnow())
    assert sharing.share_for_booking(booking, actor=kit.user, fields=[], now=utcnow()) is None
    with pytest.raises(NotFound):
        sharing.share_for_booking(booking, actor=kit.owner, fields=["body"], now=utcnow())
    assert consents_of(kit.user) == []


def test_booking_through_the_api_can_share_at_once(app, make, client, kit):
    token = make.token(kit.user)
    response = client.post("/api/v1/bookings", headers={"Authorization": f"Bearer {token}"},
                           json={"service_id": kit.tuina.id,
                                 "practitioner_id": kit.practitioner.id,
                                 "starts_at": kit.slot().isoformat(), "share": ["body"]})
    assert response.status_code == 201
    assert [c.field_set for c in consents_of(kit.user)] == [{ShareField.BODY}]
    refused = client.post("/api/v1/bookings", headers={"Authorization": f"Bearer {token}"},
                          json={"service_id": kit.tuina.id,
                                "practitioner_id": kit.practitioner.id,
                                "starts_at": kit.slot(days=4).isoformat(),
                                "share": ["mental_health"]})
    assert refused.status_code == 422
    assert db.session.scalar(db.select(db.func.count()).select_from(Consent)) == 1


def test_the_booking_page_offers_the_choice_and_the_provider_then_sees_it(app, client, auth,
                                                                            kit):
    booking = services.hold_slot(kit.tuina, practitioner_id=kit.practitioner.id,
                                 starts_at=kit.slot(), actor=kit.user, now=utcnow())
    db.session.commit()
    auth.login(kit.user.email)
    page = client.get(f"/bookings/{booking.id}")
    assert 'value="blood_pressure"' in page.text and 'value="mental_health"' not in page.text
    client.post(f"/bookings/{booking.id}/share", data={"share": ["blood_pressure", "body"]})
    [consent] = consents_of(kit.user)
    assert consent.is_active(now=utcnow()) and consent.provider_id == kit.provider.id
    assert consent.field_set == {ShareField.BLOOD_PRESSURE, ShareField.BODY}
