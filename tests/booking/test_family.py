"""Family done right: the person a booking is for (the employee or a family member) must fit
the service's age band, sex and questionnaire, whichever way it is booked; childcare takes
the persons authorised to collect the child; the provider sees who attends; the employee's
lists say whom each booking is for."""

from __future__ import annotations

from datetime import date

import pytest
from flask_babel import force_locale

from booking import services
from booking.errors import (
    InvalidPickup,
    NotForFamilyMembers,
    OutsideAgeBand,
    PickupRequired,
    QuestionnaireRequired,
    SexRestricted,
    SexUnknown,
)
from booking.models import Booking, BookingPickup, BookingStatus
from core.clock import utcnow
from core.db import db
from health import services as health_services
from tests.booking.factories import SHANGHAI
from tests.pages import shows_number

GRANDMA = {"name": "王秀英", "relation": "外婆", "phone": "138 0013 8000"}


def _childcare(kit, **overrides):
    values = {"category": "childcare", "title_zh": "临时托育", "title_en": "Half-day childcare",
              "allows_dependants": True, "details": {
                  "age_bands": [{"min_months": 24, "max_months": 72}],
                  "requires_authorised_pickup": True}} | overrides
    return kit.service(**values)


def _child(user, born: date, name="陈朵朵", relation="child", sex="female"):
    child = health_services.add_dependant(user, name=name, birth_date=born, relation=relation,
                                          needs=[], sex=sex, now=utcnow())
    db.session.commit()
    return child


def _profile(user, *, birth_year, sex=None):
    health_services.update_profile(user, sex=sex, birth_year=birth_year, smoking=None,
                                   activity_minutes_per_week=None, sleep_hours=None,
                                   goals=[], now=utcnow())
    db.session.commit()


def _hold(kit, service, user, *, starts_at=None, **kwargs):
    booking = services.hold_slot(service, practitioner_id=kit.practitioner.id,
                                 starts_at=starts_at or kit.slot(), actor=user, now=utcnow(),
                                 **kwargs)
    db.session.commit()
    return booking


def _login(client, user):
    with client.session_transaction() as session:
        session["_user_id"] = user.get_id()
        session["_fresh"] = True


# -- the story, in the services ---------------------------------------------------------------


def test_a_seventy_year_old_is_refused_childcare_and_nothing_is_written(kit):
    grandpa = kit.employee()
    _profile(grandpa, birth_year=utcnow().year - 70)
    with pytest.raises(OutsideAgeBand) as refused:
        _hold(kit, _childcare(kit), grandpa, pickup_persons=[GRANDMA])
    assert refused.value.code == "not_eligible_age"
    assert not shows_number(str(refused.value.message), 70)  # names the rule, not the person's age
    db.session.rollback()
    assert db.session.query(Booking).count() == 0


def test_childcare_without_a_band_of_its_own_is_for_children(kit):
    adult = kit.employee()
    _profile(adult, birth_year=1990)
    with pytest.raises(OutsideAgeBand):
        _hold(kit, _childcare(kit, details={}), adult)


def test_a_five_year_old_is_booked_with_her_pick_up_person(kit):
    parent = kit.employee()
    child = _child(parent, date(2021, 9, 1))  # five on the day
    booking = _hold(kit, _childcare(kit), parent, dependant_id=child.id,
                    pickup_persons=[GRANDMA])
    assert booking.status is BookingStatus.CONFIRMED and booking.dependant_id == child.id
    (pickup,) = db.session.query(BookingPickup).all()
    assert (pickup.name, pickup.relation, pickup.phone) == ("王秀英", "外婆", "+8613800138000")


def test_a_child_outside_the_months_band_is_refused(kit):
    parent = kit.employee()
    baby = _child(parent, date(2026, 1, 1))  # eleven months
    with force_locale("en"):
        with pytest.raises(OutsideAgeBand) as refused:
            _hold(kit, _childcare(kit), parent, dependant_id=baby.id, pickup_persons=[GRANDMA])
        assert "2 to 6 years" in str(refused.value.message)


def test_childcare_without_a_pick_up_person_is_refused(kit):
    parent = kit.employee()
    child = _child(parent, date(2021, 9, 1))
    with pytest.raises(PickupRequired) as refused:
        _hold(kit, _childcare(kit), parent, dependant_id=child.id)
    assert refused.value.code == "pickup_required"


def test_a_pick_up_person_needs_a_real_mobile_number(kit):
    parent = kit.employee()
    child = _child(parent, date(2021, 9, 1))
    with pytest.raises(InvalidPickup) as refused:
        _hold(kit, _childcare(kit), parent, dependant_id=child.id,
              pickup_persons=[GRANDMA | {"phone": "12345"}])
    assert set(refused.value.fields) == {"pickups.0.phone"}


def test_elder_care_takes_a_pick_up_person_when_given_and_other_services_take_none(kit):
    parent = kit.employee()
    grandpa = _child(parent, date(1950, 3, 12), name="陈建国", relation="parent", sex="male")
    elder = kit.service(category="eldercare", title_en="Day care", allows_dependants=True)
    booking = _hold(kit, elder, parent, dependant_id=grandpa.id, pickup_persons=[GRANDMA])
    assert [p.name for p in booking.pickups] == ["王秀英"]
    with pytest.raises(InvalidPickup):  # at a time of its own: the day care holds 10:00
        _hold(kit, kit.service(title_en="Tuina"), kit.employee(), pickup_persons=[GRANDMA],
              starts_at=kit.slot(hour=14))


def test_a_service_for_women_refuses_a_man_and_asks_for_an_unknown_sex(kit):
    service = kit.service(sex="female", allows_dependants=True)
    man = kit.employee()
    _profile(man, birth_year=1985, sex="male")
    with pytest.raises(SexRestricted):
        _hold(kit, service, man)
    parent = kit.employee()
    son = _child(parent, date(2015, 1, 1), name="乐乐", sex=None)
    with pytest.raises(SexUnknown):
        _hold(kit, service, parent, dependant_id=son.id)
    woman = kit.employee()
    _profile(woman, birth_year=1985, sex="female")
    assert _hold(kit, service, woman).status is BookingStatus.CONFIRMED


def test_family_members_and_questionnaires_are_checked_for_the_person_attending(kit):
    parent = kit.employee()
    child = _child(parent, date(2021, 9, 1))
    with pytest.raises(NotForFamilyMembers):
        _hold(kit, kit.service(), parent, dependant_id=child.id)
    counselling = kit.service(title_en="Talk", allows_dependants=True,
                              screening_questionnaire="phq9")
    health_services.submit_questionnaire(parent, kind="phq9", answers=[0] * 9, now=utcnow())
    db.session.commit()
    with pytest.raises(QuestionnaireRequired):  # the parent's answers are not the child's
        _hold(kit, counselling, parent, dependant_id=child.id)


# -- pages and API ----------------------------------------------------------------------------


def test_the_childcare_page_books_a_child_with_a_pick_up_and_the_provider_sees_the_child(
        client, kit):
    parent = kit.employee(locale="en", display_name="Chen Xiaoyu")
    child = _child(parent, date(2021, 9, 1))
    service = _childcare(kit)
    _login(client, parent)
    page = client.get(f"/services/{service.id}/book?day={kit.slot().date().isoformat()}")
    assert page.status_code == 200 and "Authorised pick-up" in page.text
    response = client.post(f"/services/{service.id}/book", data={
        "slot": f"{kit.practitioner.id}|{kit.slot().isoformat()}", "form_token": "f-1",
        "dependant_id": child.id, "pickup_name": "Wang Xiuying",
        "pickup_relation": "grandmother", "pickup_phone": "13800138000"})
    assert response.status_code == 302
    booking = db.session.query(Booking).one()
    assert booking.dependant_id == child.id
    mine = client.get("/bookings").text
    assert "for 陈朵朵" in mine

    kit.owner.locale = "en"
    db.session.commit()
    _login(client, kit.owner)
    text = client.get(f"/providers/{kit.provider.id}/bookings?on={booking_day(kit)}").text
    assert "陈朵朵" in text and "5 years" in text
    assert "for Chen Xiaoyu&#39;s child" in text or "for Chen Xiaoyu's child" in text
    assert "Wang Xiuying" in text and "138 0013 8000" in text


def test_a_refused_childcare_page_keeps_what_was_typed_and_writes_nothing(client, kit):
    parent = kit.employee(locale="en")
    child = _child(parent, date(2021, 9, 1))
    service = _childcare(kit)
    _login(client, parent)
    response = client.post(f"/services/{service.id}/book", data={
        "slot": f"{kit.practitioner.id}|{kit.slot().isoformat()}", "form_token": "f-2",
        "dependant_id": child.id, "pickup_name": "Wang Xiuying",
        "pickup_relation": "grandmother", "pickup_phone": "555"})
    assert response.status_code == 422
    assert "Enter a valid mobile number." in response.text and "Wang Xiuying" in response.text
    assert db.session.query(Booking).count() == 0


def test_the_api_refuses_a_seventy_year_old_with_a_stable_code_and_shows_the_attendee(
        client, make, kit):
    service = _childcare(kit)
    grandpa = kit.employee()
    _profile(grandpa, birth_year=utcnow().year - 70)
    headers = {"Authorization": f"Bearer {make.token(grandpa)}"}
    body = {"service_id": service.id, "practitioner_id": kit.practitioner.id,
            "starts_at": kit.slot().isoformat(), "pickups": [GRANDMA]}
    refused = client.post("/api/v1/bookings", json=body, headers=headers)
    assert refused.status_code == 403
    assert refused.get_json()["error"]["code"] == "not_eligible_age"

    parent = kit.employee()
    child = _child(parent, date(2021, 9, 1))
    headers = {"Authorization": f"Bearer {make.token(parent)}"}
    missing = client.post("/api/v1/bookings", json=body | {"dependant_id": child.id,
                                                          "pickups": []}, headers=headers)
    assert missing.status_code == 422
    assert missing.get_json()["error"]["code"] == "pickup_required"
    made = client.post("/api/v1/bookings", json=body | {"dependant_id": child.id},
                       headers=headers)
    assert made.status_code == 201
    data = made.get_json()
    assert data["attendee"]["name"] == "陈朵朵" and data["attendee"]["age_years"] == 5
    assert data["attendee"]["relation"] == "child"
    assert data["pickups"] == [{"name": "王秀英", "relation": "外婆",
                                "phone": "+8613800138000"}]
    staff = {"Authorization": f"Bearer {make.token(kit.owner)}"}
    on = booking_day(kit)
    roster = client.get(f"/api/v1/providers/{kit.provider.id}/bookings?on={on}",
                        headers=staff).get_json()
    (item,) = roster["items"]
    assert item["attendee"]["is_family_member"] and item["attendee"]["name"] == "陈朵朵"
    assert item["pickups"][0]["phone"] == "+8613800138000"


def booking_day(kit) -> str:
    return kit.slot().astimezone(SHANGHAI).date().isoformat()
