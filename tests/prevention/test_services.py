"""Check-up campaigns as their people live them: the admin creates a campaign and everyone
is invited; employees book a package that fits them on a day with places left, paid from
the enterprise's pot; the provider uploads results (with consent) into the profile; the
enterprise sees only k-anonymous completion and can nudge without learning who."""

from __future__ import annotations

from datetime import timedelta

import pytest
from flask_babel import force_locale
from sqlalchemy import func, select

from benefits import ledger
from benefits.models import AccountKind, LedgerAccount, LedgerTransaction
from booking import notifications
from booking import services as booking_services
from booking.models import Booking, BookingStatus
from core.accounts.models import Role
from core.clock import to_zone, utcnow
from core.db import db
from core.errors import Forbidden, NotFound
from health import services as health_services
from health.errors import ImportRejected
from health.models import CheckUp
from prevention import queries, reports, services
from prevention.errors import (
    AlreadyBooked,
    CampaignRescheduleRefused,
    CampaignUnfunded,
    DayFull,
    InvalidCampaign,
    NoResultsConsent,
    NudgeTooSoon,
    OutsideCampaign,
    PackageDoesNotFit,
    ResultsNotDue,
)
from prevention.models import CampaignCheckup, CampaignInvitation
from prevention.schemas import CampaignInput
from providers.models import ProviderCategory
from tests.pages import shows_number
from tests.prevention.factories import BASIC_PRICE, ENHANCED_PRICE, CampaignKit, packages

RESULTS_CSV = ("source,systolic,diastolic,ldl,ldl_unit,fasting_glucose\n"
               "Kit Lab,146,94,158,mg/dL,5.2\n")


def _count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def _pot(kit) -> int:
    db.session.expire_all()
    return db.session.scalar(select(LedgerAccount.balance_minor).where(
        LedgerAccount.kind == AccountKind.PROGRAMME_FUNDS,
        LedgerAccount.programme_id == kit.programme.id))


def _after(checkup, hours: int = 1):
    return checkup.booking.starts_at + timedelta(hours=hours)


# -- creating a campaign ---------------------------------------------------------------------


def test_creating_a_campaign_invites_every_active_employee_by_mail(make, outbox):
    kit = CampaignKit(make)
    invited = set(db.session.scalars(select(CampaignInvitation.user_id).where(
        CampaignInvitation.campaign_id == kit.campaign.id)))
    assert invited == set()  # the kit's campaign was created before anyone worked there
    staff = [kit.employee() for _ in range(3)]
    campaign = kit.new_campaign(name_en="Second wave")
    invited = set(db.session.scalars(select(CampaignInvitation.user_id).where(
        CampaignInvitation.campaign_id == campaign.id)))
    assert invited == {u.id for u in staff}
    assert {m.to for m in outbox} >= {u.email for u in staff}


def test_a_campaign_needs_a_check_up_service_and_ordered_dates(kit):
    tuina = kit.service(title_en="Tuina")
    values = {"name_zh": "体检", "name_en": "Check-ups", "year": kit.today.year,
              "service_id": tuina.id, "programme_id": kit.programme.id,
              "starts_on": kit.today + timedelta(days=5), "ends_on": kit.today,
              "daily_capacity": 5, "packages": packages()}
    with pytest.raises(InvalidCampaign) as refused:
        services.create_campaign(kit.enterprise, CampaignInput(**values), actor=kit.admin,
                                 now=utcnow(), today=kit.today)
    assert {"service_id", "ends_on"} <= set(refused.value.fields)


def test_only_the_enterprise_s_admins_create_campaigns(kit, make):
    stranger = make.user(Role.ENTERPRISE_ADMIN)
    values = {"name_zh": "体检", "name_en": "x", "year": kit.today.year,
              "service_id": kit.checkup_service.id, "programme_id": kit.programme.id,
              "starts_on": kit.today, "ends_on": kit.today, "daily_capacity": 5,
              "packages": packages()}
    with pytest.raises(NotFound):
        services.create_campaign(kit.enterprise, CampaignInput(**values), actor=stranger,
                                 now=utcnow(), today=kit.today)
    with pytest.raises(Forbidden):
        services.create_campaign(kit.enterprise, CampaignInput(**values),
                                 actor=kit.employee(), now=utcnow(), today=kit.today)


# -- booking ---------------------------------------------------------------------------------


def test_booking_a_check_up_goes_through_the_booking_engine_and_the_enterprise_pays(kit, outbox):
    user = kit.person()
    before = _pot(kit)
    checkup = kit.book(user)
    booking = checkup.booking
    assert booking.status is BookingStatus.CONFIRMED
    assert booking.price_minor == 0 and checkup.price_minor == BASIC_PRICE
    assert _pot(kit) == before - BASIC_PRICE
    assert ledger.check_ledger() == []
    confirmation = next(m for m in outbox if m.to == user.email and m.attachments)
    assert "fasting" in confirmation.body or "空腹" in confirmation.body


def test_a_package_for_women_over_40_is_refused_to_a_man_and_to_someone_younger(kit):
    man = kit.person(sex="male", birth_year=1975)
    young = kit.person(sex="female", birth_year=2000)
    for person in (man, young):
        with pytest.raises(PackageDoesNotFit):
            kit.book(person, code="enhanced")
        db.session.rollback()
    assert _count(Booking) == 0 and _count(LedgerTransaction) == 1  # only the funding
    assert kit.book(kit.person(sex="female", birth_year=1980), code="enhanced").price_minor \
        == ENHANCED_PRICE


def test_a_package_with_an_age_range_needs_a_birth_year(kit):
    user = kit.employee()
    services.invitation_for(kit.campaign, user, now=utcnow())
    with force_locale("en"), pytest.raises(PackageDoesNotFit) as refused:
        kit.book(user, code="enhanced")
    assert "birth year" in str(refused.value.message)


def test_booking_outside_the_campaign_dates_is_refused(make):
    kit = CampaignKit(make)
    late = kit.new_campaign(name_en="Short", ends_on=kit.today + timedelta(days=1))
    kit.campaign = late
    user = kit.person()
    with pytest.raises(OutsideCampaign):
        kit.book(user, days=3)
    db.session.rollback()
    assert _count(CampaignCheckup) == 0 and _count(Booking) == 0


def test_the_day_s_capacity_is_never_exceeded_and_another_day_still_has_room(make):
    kit = CampaignKit(make, daily_capacity=2)
    kit.book(kit.person(), hour=9)
    kit.book(kit.person(), hour=10)
    with pytest.raises(DayFull):
        kit.book(kit.person(), hour=11)
    db.session.rollback()
    assert kit.book(kit.person(), days=4, hour=11).is_live  # another day has room
    day = to_zone(kit.slot(3), "Asia/Shanghai").date()
    assert services.day_slots(kit.campaign, on=day, now=utcnow()).left_today == 0


def test_one_check_up_per_person_per_campaign(kit):
    user = kit.person()
    kit.book(user, hour=9)
    with pytest.raises(AlreadyBooked):
        kit.book(user, days=4)


def test_an_empty_pot_refuses_the_booking_and_writes_nothing(make):
    kit = CampaignKit(make, funded_minor=BASIC_PRICE - 1)
    with pytest.raises(CampaignUnfunded):
        kit.book(kit.person())
    db.session.rollback()
    assert _count(Booking) == 0 and _count(CampaignCheckup) == 0
    assert ledger.check_ledger() == []


def test_cancelling_frees_the_day_and_gives_the_enterprise_its_money_back(kit):
    user = kit.person()
    before = _pot(kit)
    checkup = kit.book(user)
    booking_services.cancel_booking(checkup.booking, actor=user, now=utcnow())
    db.session.commit()
    assert checkup.cancelled_at is not None and _pot(kit) == before
    assert ledger.check_ledger() == []
    assert kit.book(user, days=5).is_live


def test_a_campaign_check_up_cannot_be_moved_by_the_generic_reschedule(kit):
    checkup = kit.book(kit.person())
    with pytest.raises(CampaignRescheduleRefused):
        booking_services.reschedule_booking(checkup.booking, actor=checkup.user,
                                            starts_at=kit.slot(5), now=utcnow())


def test_reminders_carry_the_preparation(kit, outbox):
    checkup = kit.book(kit.person())
    outbox.clear()
    notifications.reminder(checkup.booking, hours=24, now=utcnow())
    db.session.commit()
    assert kit.campaign.preparation("en")[:40] in outbox[-1].body \
        or kit.campaign.preparation("zh")[:20] in outbox[-1].body


# -- results ---------------------------------------------------------------------------------


def test_results_go_into_the_profile_with_explanations_and_an_interpretation_offer(make,
                                                                                   outbox):
    kit = CampaignKit(make)
    doctor = kit.service(title_en="Report interpretation", health_needs=["checkup_results"])
    kit.campaign.interpretation_service_id = doctor.id
    db.session.commit()
    user = kit.person()
    checkup = kit.book(user)
    outcome = services.upload_results(checkup, actor=kit.staff, fmt="csv",
                                      content=RESULTS_CSV, now=_after(checkup))
    db.session.commit()
    assert outcome.abnormal
    assert checkup.booking.status is BookingStatus.ATTENDED
    record = health_services.get_checkup(user, checkup.health_checkup_id)
    assert record.measured_on == checkup.day
    assert record.readings["ldl"] == pytest.approx(4.09, abs=0.005)
    codes = {flag.code for flag in health_services.screening_for(user).flags}
    assert codes  # screening ran on the new values
    explained = {item.key: item for item in services.explained_results(checkup, actor=user)}
    assert explained["systolic"].level.value == "high"
    assert "LDL" in explained["ldl"].what_it_is and explained["ldl"].advice
    assert "interpretation" in outbox[-1].body or "解读" in outbox[-1].body
    assert not shows_number(outbox[-1].body, 146)  # no values by mail
    eligible, completed = queries.eligible_and_completed_user_ids(
        enterprise_ids=[kit.enterprise.id], year=kit.campaign.year)
    assert user.id in completed <= eligible


def test_results_without_consent_are_refused_and_nothing_is_written(kit):
    checkup = kit.book(kit.person(), consent=False)
    with pytest.raises(NoResultsConsent):
        services.upload_results(checkup, actor=kit.staff, fmt="csv", content=RESULTS_CSV,
                                now=_after(checkup))
    db.session.rollback()
    assert _count(CheckUp) == 0 and checkup.results_received_at is None


def test_withdrawn_consent_stops_the_upload(kit):
    user = kit.person()
    checkup = kit.book(user)
    services.set_results_consent(checkup, actor=user, consent=False, now=utcnow())
    db.session.commit()
    with pytest.raises(NoResultsConsent):
        services.upload_results(checkup, actor=kit.staff, fmt="csv", content=RESULTS_CSV,
                                now=_after(checkup))


def test_results_before_the_check_up_took_place_are_refused(kit):
    checkup = kit.book(kit.person())
    with pytest.raises(ResultsNotDue):
        services.upload_results(checkup, actor=kit.staff, fmt="csv", content=RESULTS_CSV,
                                now=utcnow())


def test_an_impossible_value_is_refused_by_field_and_nothing_is_saved(kit):
    checkup = kit.book(kit.person())
    with pytest.raises(ImportRejected) as refused:
        services.upload_results(checkup, actor=kit.staff, fmt="csv",
                                content="systolic,diastolic\n400,90\n", now=_after(checkup))
    assert "systolic" in str(refused.value.message)
    db.session.rollback()
    assert _count(CheckUp) == 0
    assert db.session.get(CampaignCheckup, checkup.id).results_received_at is None
    assert checkup.booking.status is BookingStatus.CONFIRMED


def test_results_of_another_day_are_refused(kit):
    checkup = kit.book(kit.person())
    with pytest.raises(ImportRejected) as refused:
        services.upload_results(checkup, actor=kit.staff, fmt="json",
                                content='[{"measured_on": "2020-01-01", "systolic": 120, '
                                        '"diastolic": 80}]', now=_after(checkup))
    assert "measured_on" in str(refused.value.message)


def test_a_platform_admin_never_uploads_health_results(kit, make):
    checkup = kit.book(kit.person())
    with pytest.raises(Forbidden):
        services.upload_results(checkup, actor=make.user(Role.PLATFORM_ADMIN), fmt="csv",
                                content=RESULTS_CSV, now=_after(checkup))


# -- what the enterprise sees ----------------------------------------------------------------


def test_completion_is_shown_by_department_only_for_groups_of_at_least_k(make, app):
    app.config["REPORT_MIN_GROUP"] = 3
    kit = CampaignKit(make)
    research = [kit.person(department="研发部") for _ in range(4)]
    sales = [kit.person(department="销售部") for _ in range(3)]
    kit.person(department="法务部")  # one person: merged, never shown alone
    kit.book(research[0], hour=9)
    kit.book(sales[0], hour=10)
    done = reports.live_completion(kit.campaign)
    labels = {g.label: g for g in done.groups}
    assert "法务部" not in labels
    assert all(g.eligible >= 3 for g in done.groups)
    assert sum(g.eligible for g in done.groups) == done.total.eligible == 8
    # one booking in each group and two in all: each below k, so none is shown
    assert [g.booked for g in done.groups] == [None, None] and done.total.booked is None


def test_a_campaign_of_fewer_than_k_shows_nothing(make, app):
    app.config["REPORT_MIN_GROUP"] = 5
    kit = CampaignKit(make)
    for _ in range(3):
        kit.person()
    done = reports.live_completion(kit.campaign)
    assert done.groups == [] and done.total is None and done.groups_withheld


def test_nudging_reminds_only_those_not_booked_and_tells_the_admin_only_how_many(kit, outbox):
    booked = kit.person()
    waiting = [kit.person() for _ in range(2)]
    kit.book(booked)
    outbox.clear()
    assert services.nudge_unbooked(kit.campaign, actor=kit.admin, now=utcnow()) == 2
    db.session.commit()
    assert {m.to for m in outbox} == {u.email for u in waiting}
    with pytest.raises(NudgeTooSoon):
        services.nudge_unbooked(kit.campaign, actor=kit.admin, now=utcnow())


def test_the_public_query_counts_invited_and_completed_employees(kit):
    first, second = kit.person(), kit.person()
    checkup = kit.book(first)
    booking_services.mark_attendance(checkup.booking, actor=kit.staff, attended=True,
                                     now=_after(checkup))
    db.session.commit()
    eligible, completed = queries.eligible_and_completed_user_ids(
        enterprise_ids=[kit.enterprise.id], year=kit.campaign.year)
    assert {first.id, second.id} <= eligible and completed == {first.id}
    assert queries.eligible_and_completed_user_ids(enterprise_ids=[], year=2026) == (set(),
                                                                                     set())
    assert queries.eligible_and_completed_user_ids(
        enterprise_ids=[kit.enterprise.id], year=kit.campaign.year - 1) == (set(), set())


def test_check_ups_are_a_provider_category():
    assert ProviderCategory("health_checkup").label


def test_the_booking_page_opens_on_the_first_day_that_still_has_times(kit):
    """At 23:30 today's times are gone, so the page opens on tomorrow; at 07:00 on today
    (today being the campaign's opening day)."""
    from datetime import UTC, datetime, time
    from zoneinfo import ZoneInfo

    shanghai = ZoneInfo("Asia/Shanghai")
    late = datetime.combine(kit.opening_day, time(23, 30), tzinfo=shanghai).astimezone(UTC)
    early = datetime.combine(kit.opening_day, time(7), tzinfo=shanghai).astimezone(UTC)
    tomorrow = kit.opening_day + timedelta(days=1)
    expected_late = tomorrow if kit.campaign.runs_on(tomorrow) else kit.opening_day
    assert services.first_day_with_times(kit.campaign, today=kit.opening_day, now=late) == \
        expected_late
    assert services.first_day_with_times(kit.campaign, today=kit.opening_day, now=early) == \
        kit.opening_day


def test_a_day_whose_campaign_places_are_taken_is_passed_over(make):
    from tests.prevention.factories import CampaignKit

    kit = CampaignKit(make, daily_capacity=1)
    now = utcnow()
    first = services.first_day_with_times(kit.campaign, today=kit.today, now=now)
    days_ahead = (first - kit.opening_day).days
    kit.book(kit.person(), days=days_ahead, hour=19)
    after = services.first_day_with_times(kit.campaign, today=kit.today, now=now)
    assert after == first + timedelta(days=1) or not kit.campaign.runs_on(
        first + timedelta(days=1))


# -- changing a running campaign ----------------------------------------------------------


def test_hr_moves_the_dates_and_raises_the_capacity_of_a_running_campaign(kit):
    kit.book(kit.person(), days=3)
    new_end = min(kit.campaign.ends_on + timedelta(days=3), kit.campaign.ends_on.replace(
        month=12, day=31))
    services.change_campaign(kit.campaign, actor=kit.admin, starts_on=kit.opening_day,
                             ends_on=new_end, daily_capacity=20, today=kit.today)
    db.session.commit()
    assert (kit.campaign.ends_on, kit.campaign.daily_capacity) == (new_end, 20)


def test_a_change_never_strands_a_booked_check_up_or_overfills_a_day(kit):
    from prevention.errors import InvalidCampaign

    first, second = kit.person(), kit.person()
    day_of = kit.book(first, days=3).day
    kit.book(second, days=3, hour=11)
    with force_locale("en"), pytest.raises(InvalidCampaign) as stranded:
        services.change_campaign(kit.campaign, actor=kit.admin,
                                 starts_on=day_of + timedelta(days=1),
                                 ends_on=kit.campaign.ends_on, daily_capacity=10,
                                 today=kit.today)
    shown = f"{day_of:%b} {day_of.day}, {day_of.year}"  # the day in words (Dec 11, 2026)
    assert shown in str(stranded.value.fields["starts_on"])
    with force_locale("en"), pytest.raises(InvalidCampaign) as overfilled:
        services.change_campaign(kit.campaign, actor=kit.admin, starts_on=kit.today,
                                 ends_on=kit.campaign.ends_on, daily_capacity=1,
                                 today=kit.today)
    assert "2 check-ups are booked" in str(overfilled.value.fields["daily_capacity"])
    db.session.rollback()
    assert kit.campaign.daily_capacity == 10


def test_a_closed_campaign_is_not_changed_and_others_cannot_change_it(kit, make):
    from prevention.errors import CampaignClosed

    with pytest.raises((Forbidden, NotFound)):
        services.change_campaign(kit.campaign, actor=kit.person(), starts_on=kit.today,
                                 ends_on=kit.campaign.ends_on, daily_capacity=5,
                                 today=kit.today)
    services.close_campaign(kit.campaign, actor=kit.admin)
    db.session.commit()
    with pytest.raises(CampaignClosed):
        services.change_campaign(kit.campaign, actor=kit.admin, starts_on=kit.today,
                                 ends_on=kit.campaign.ends_on, daily_capacity=5,
                                 today=kit.today)


def test_hr_changes_the_capacity_on_the_campaign_page_and_through_the_api(kit, client, make):
    with client.session_transaction() as session:
        session["_user_id"] = kit.admin.get_id()
        session["_fresh"] = True
    page = client.get(f"/campaigns/{kit.campaign.id}", headers={"Accept-Language": "en"})
    assert "Save dates and capacity" in page.text
    saved = client.post(f"/campaigns/{kit.campaign.id}/change", data={
        "starts_on": kit.campaign.starts_on.isoformat(),
        "ends_on": kit.campaign.ends_on.isoformat(), "daily_capacity": "15"})
    assert saved.status_code == 302
    token = make.token(kit.admin)
    changed = client.put(f"/api/v1/campaigns/{kit.campaign.id}", json={
        "starts_on": kit.campaign.starts_on.isoformat(),
        "ends_on": kit.campaign.ends_on.isoformat(), "daily_capacity": 12},
        headers={"Authorization": f"Bearer {token}"})
    assert changed.status_code == 200 and changed.get_json()["daily_capacity"] == 12
