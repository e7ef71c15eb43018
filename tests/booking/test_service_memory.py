"""The service a slot page or a booking reads, with its provider, park and practitioners,
is remembered per process (``providers.queries.service_for``, issue 22) and is never
believed past a change: the provider taking it off, a practitioner leaving, the provider
suspended or a new price are seen by the very next request."""

from __future__ import annotations

import pytest

from booking.models import Booking
from core.accounts.models import ProviderStatus
from core.db import db
from tests.querycount import count_queries


@pytest.fixture
def person(make, kit):
    return {"Authorization": f"Bearer {make.token(kit.employee())}"}


def _book(client, kit, service, headers, *, days=3):
    return client.post("/api/v1/bookings", headers=headers, json={
        "service_id": service.id, "practitioner_id": kit.practitioner.id,
        "starts_at": kit.slot(days=days).isoformat()})


def _slots(client, kit, service, headers):
    return _slots_of(client, kit, service.id, headers)


def _slots_of(client, kit, service_id, headers, window=None):
    start, end = window or (kit.slot(days=2), kit.slot(days=4))
    return client.get(f"/api/v1/services/{service_id}/slots", headers=headers,
                      query_string={"from": start.isoformat(), "to": end.isoformat()})


def test_a_known_service_is_not_read_again(client, kit, person):
    service = kit.service()
    window = kit.slot(days=2), kit.slot(days=4)  # the test's own objects read beforehand
    assert _slots(client, kit, service, person).status_code == 200
    service_id = service.id
    db.session.expunge_all()  # as in a new request: no object of the last one at hand
    with count_queries() as queries:
        again = _slots_of(client, kit, service_id, person, window)
    assert again.status_code == 200 and again.get_json()["items"]
    assert not any("FROM services" in " ".join(s.split()) for s in queries.statements), \
        queries.report()


def test_a_service_taken_off_is_not_found_at_once(client, kit, person):
    service = kit.service()
    assert _slots(client, kit, service, person).status_code == 200
    service.is_active = False
    db.session.commit()
    refused = _book(client, kit, service, person)
    assert refused.status_code == 404
    assert db.session.query(Booking).count() == 0


def test_a_practitioner_who_left_cannot_be_booked_at_once(client, kit, person):
    service = kit.service()
    assert _slots(client, kit, service, person).status_code == 200
    kit.practitioner.is_active = False
    db.session.commit()
    refused = _book(client, kit, service, person)
    assert refused.status_code == 404
    assert refused.get_json()["error"]["code"] == "practitioner_not_found"


def test_a_suspended_provider_is_not_booked_at_once(client, kit, person):
    service = kit.service()
    assert _slots(client, kit, service, person).status_code == 200
    service.provider.status = ProviderStatus.SUSPENDED
    db.session.commit()
    assert _book(client, kit, service, person).status_code == 404


def test_a_new_price_is_the_one_booked(app, client, kit, person):
    app.config["STRIPE_SECRET_KEY"] = "sk_test_anything"  # the card share could be paid
    service = kit.service(price_minor=9900)
    assert _slots(client, kit, service, person).status_code == 200
    service.price_minor = 12900
    db.session.commit()
    booked = _book(client, kit, service, person)
    assert booked.status_code == 201 and booked.get_json()["price_minor"] == 12900


def test_a_slot_page_read_again_reads_all_its_counters_at_once(client, kit, person):
    """The practitioners' counters a slot page needs are known only once it has its
    service; the next time, they come along with the first counters read
    (``core.counter_hints``)."""
    service = kit.service()
    window = kit.slot(days=2), kit.slot(days=4)
    service_id = service.id

    def counter_reads() -> int:
        db.session.expunge_all()
        with count_queries() as queries:
            assert _slots_of(client, kit, service_id, person, window).status_code == 200
        return sum("FROM freshness_stamps" in s for s in queries.statements)

    assert counter_reads() == 2
    assert counter_reads() == 1


# -- the slot list as written out (providers.slots.rendered_slots) -------------------------


def _answer(client, kit, service_id, headers, window):
    response = _slots_of(client, kit, service_id, headers, window)
    assert response.status_code == 200
    return response.get_json()


def test_the_same_slot_list_is_written_once_and_answered_again_alike(client, kit, person):
    from core.memo import memo

    service = kit.service()
    window = kit.slot(days=2), kit.slot(days=4)
    first = _answer(client, kit, service.id, person, window)
    rendered = memo("providers.rendered_slots", 1)
    hits = rendered.hits
    assert _answer(client, kit, service.id, person, window) == first and first["items"]
    assert rendered.hits == hits + 1


def test_a_booked_slot_leaves_the_written_list_at_once(client, kit, person):
    service = kit.service()
    window = kit.slot(days=2), kit.slot(days=4)
    booked = kit.slot(days=3)
    assert booked.isoformat() in _starts(_answer(client, kit, service.id, person, window))
    assert _book(client, kit, service, person).status_code == 201
    assert booked.isoformat() not in _starts(_answer(client, kit, service.id, person, window))


def test_a_slot_too_close_to_book_leaves_the_written_list_as_the_clock_moves(
        client, kit, person, fixed_clock):
    from datetime import timedelta

    service = kit.service(min_notice_minutes=60)
    window = kit.slot(days=2), kit.slot(days=4)
    first = _answer(client, kit, service.id, person, window)["items"]
    fixed_clock.move_to(_at(first[0]) - timedelta(minutes=30))
    again = _answer(client, kit, service.id, person, window)["items"]
    assert again == first[1:]


def test_a_renamed_practitioner_is_written_with_the_new_name(client, kit, person):
    service = kit.service()
    window = kit.slot(days=2), kit.slot(days=4)
    before = _answer(client, kit, service.id, person, window)["items"][0]
    kit.practitioner.name_en = kit.practitioner.name_zh = "Dr Li"
    db.session.commit()
    after = _answer(client, kit, service.id, person, window)["items"][0]
    assert before["practitioner_name"] != "Dr Li" and after["practitioner_name"] == "Dr Li"


def _starts(answer) -> set[str]:
    return {_at(item).isoformat() for item in answer["items"]}


def _at(item):
    from datetime import datetime

    return datetime.fromisoformat(item["starts_at"].replace("Z", "+00:00"))
