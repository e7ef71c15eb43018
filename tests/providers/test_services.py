"""Provider use-cases against the database: profiles, practitioners, services, rules,
exceptions, and the slots they give."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

import pytest

from core.accounts.models import ProviderLevel, ProviderStatus, Role
from core.errors import Forbidden, InvalidInput, NotFound
from providers import services, slots
from providers.errors import (
    DurationDoesNotFit,
    InvalidRule,
    PractitionerNameTaken,
    RulesOverlap,
    UnknownTimezone,
)
from providers.models import ProviderCategory
from providers.queries import slots_for
from providers.schedule import Occupancy
from providers.schemas import ProfileData, ServiceData
from tests.providers.conftest import NOW


def test_the_owner_writes_the_profile_in_both_languages_with_categories(kit):
    profile = services.update_profile(kit.provider, ProfileData(
        categories=["tcm", "eldercare"], description_zh="中医", description_en="TCM",
        venues=["park_station", "premises"], address_zh="新泾路1号", address_en="1 Xinjing Rd",
        languages=["zh", "en"], photo_urls=["https://example.com/a.jpg"]),
        actor=kit.owner, now=NOW)
    assert profile.description("zh_CN") == "中医"
    assert profile.venues == ["park_station", "premises"]
    services.update_profile(kit.provider, ProfileData(categories=["counselling"]),
                            actor=kit.owner, now=NOW)
    from providers.queries import categories_of
    assert categories_of(kit.provider) == [ProviderCategory.COUNSELLING]


def test_unknown_languages_are_refused(kit):
    with pytest.raises(InvalidInput) as info:
        services.update_profile(kit.provider, ProfileData(categories=["tcm"],
                                                          languages=["klingon"]),
                                actor=kit.owner, now=NOW)
    assert "languages" in info.value.fields


def test_staff_may_not_edit_the_profile_and_another_provider_cannot_see_it(kit, make):
    staff = make.user(Role.PROVIDER_STAFF, provider=kit.provider,
                      provider_level=ProviderLevel.STAFF)
    stranger = make.user(Role.PROVIDER_STAFF, provider=make.provider(),
                         provider_level=ProviderLevel.OWNER)
    data = ProfileData(categories=["tcm"])
    with pytest.raises(Forbidden):
        services.update_profile(kit.provider, data, actor=staff, now=NOW)
    with pytest.raises(NotFound):
        services.update_profile(kit.provider, data, actor=stranger, now=NOW)


def test_practitioner_names_are_unique_per_provider(kit):
    with pytest.raises(PractitionerNameTaken):
        kit.add_practitioner("Dr Wang")


def test_a_service_keeps_all_its_fields(kit):
    service = kit.service(
        category="counselling", delivery_mode="online", capacity=1, price_minor=0,
        free_cancel_hours=12, late_cancel_fee_percent=50, health_needs=["stress", "sleep"],
        min_age=18, max_age=65, allows_dependants=True, screening_questionnaire="phq9",
        contraindications=["acute_psychosis"],
        details={"intake_questionnaire": "intake-v1",
                 "session_link": "https://meet.example.com/room"})
    assert service.details["session_link"] == "https://meet.example.com/room"
    assert service.health_needs == ["stress", "sleep"]
    assert service.currency == "CNY"
    assert service.practitioners == [kit.practitioner]


@pytest.mark.parametrize(("overrides", "field"), [
    ({"min_age": 60, "max_age": 18}, "max_age"),
    ({"category": "travel_wellness", "details": {"days": 2, "seats": 10,
                                                 "deposit_minor": 99999999}},
     "details.deposit_minor"),
    ({"category": "travel_wellness", "details": {"days": 0, "seats": 10}}, "details.days"),
    ({"category": "travel_wellness", "capacity": 20, "details": {"days": 2, "seats": 10}},
     "capacity"),
    ({"category": "tcm", "details": {"anything": 1}}, "details"),
    ({"category": "rehabilitation", "details": {"requires_referral": "maybe"}},
     "details.requires_referral"),
    ({"practitioner_ids": [999999]}, "practitioner_ids"),
    ({"health_needs": ["unknown_need"]}, "health_needs"),
])
def test_services_with_inconsistent_details_are_refused(kit, overrides, field):
    with pytest.raises(InvalidInput) as info:
        kit.service(**overrides)
    assert field in info.value.fields


@pytest.mark.parametrize("overrides", [
    {"capacity": 0}, {"price_minor": -1}, {"duration_minutes": 0},
    {"late_cancel_fee_percent": 101}, {"buffer_before_minutes": -5},
])
def test_out_of_range_numbers_are_refused_by_the_shared_schema(kit, overrides):
    with pytest.raises(InvalidInput):
        services.validate(ServiceData, kit.service_data().model_dump() | overrides)


def test_rules_that_overlap_are_refused_and_touching_ones_are_not(kit):
    kit.rule(start=time(9), end=time(12))
    with pytest.raises(RulesOverlap):
        kit.rule(rrule="FREQ=WEEKLY;BYDAY=TU", start=time(11), end=time(13))
    kit.rule(rrule="FREQ=WEEKLY;BYDAY=TU", start=time(12), end=time(13))
    kit.rule(rrule="FREQ=WEEKLY;BYDAY=SA", start=time(10), end=time(12))


def test_a_rule_in_another_zone_that_overlaps_in_utc_is_refused(kit):
    kit.rule(start=time(9), end=time(12))
    with pytest.raises(RulesOverlap):
        kit.rule(start=time(2), end=time(3), timezone="UTC")


@pytest.mark.parametrize(("kwargs", "error"), [
    ({"start": time(12), "end": time(9)}, InvalidRule),
    ({"rrule": "FREQ=WEEKLY;UNTIL=20260101"}, InvalidRule),
    ({"rrule": "FREQ=YEARLY"}, InvalidRule),
    ({"timezone": "Mars/Olympus_Mons"}, UnknownTimezone),
    ({"timezone": "../../etc/passwd"}, UnknownTimezone),
])
def test_bad_rules_are_refused_with_a_reason(kit, kwargs, error):
    with pytest.raises(error) as info:
        kit.rule(**kwargs)
    assert info.value.fields


def test_a_service_longer_than_every_window_does_not_fit(kit):
    kit.rule(start=time(9), end=time(10))
    with pytest.raises(DurationDoesNotFit):
        kit.service(duration_minutes=90)
    kit.service(duration_minutes=50)
    with pytest.raises(DurationDoesNotFit):
        kit.rule(rrule="FREQ=WEEKLY;BYDAY=SA", start=time(9), end=time(9, 30))


def test_exceptions_need_consistent_times(kit):
    with pytest.raises(InvalidInput):
        kit.exception(kind="extra", happens_on=date(2026, 9, 5))
    with pytest.raises(InvalidInput):
        kit.exception(kind="closed", happens_on=date(2026, 9, 5), start_time=time(10))
    with pytest.raises(InvalidInput):
        kit.exception(kind="closed", happens_on=date(2026, 9, 5), start_time=time(10),
                      end_time=time(9))


def test_slots_come_from_rules_exceptions_busy_time_and_reported_occupancy(kit, app):
    kit.rule(start=time(9), end=time(12))
    service = kit.service()
    day_start = datetime(2026, 9, 2, 0, 0, tzinfo=UTC) - timedelta(hours=8)  # Wed, Shanghai
    window = {"start": day_start, "end": day_start + timedelta(days=1), "now": NOW}
    assert [s.starts_at.hour for s, _ in slots_for(service, **window)] == [1, 2, 3]

    kit.exception(kind="closed", happens_on=date(2026, 9, 2), start_time=time(10),
                  end_time=time(11))
    assert [s.starts_at.hour for s, _ in slots_for(service, **window)] == [1, 3]

    booked_from = datetime(2026, 9, 2, 1, 0, tzinfo=UTC)
    slots.register_occupancy_source(app, lambda ids, start, end: [
        Occupancy(kit.practitioner.id, booked_from, booked_from + timedelta(hours=1),
                  service_id=service.id, starts_at=booked_from)])
    assert [s.starts_at.hour for s, _ in slots_for(service, **window)] == [3]


def test_only_verified_providers_and_practitioners_give_slots(kit):
    kit.rule()
    service = kit.service()
    window = {"start": NOW, "end": NOW + timedelta(days=7), "now": NOW}
    assert slots_for(service, **window)
    kit.provider.status = ProviderStatus.SUSPENDED
    assert slots_for(service, **window) == []
