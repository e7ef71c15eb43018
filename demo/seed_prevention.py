"""The demo park's check-up campaign: Ruikang Health Check-up Centre (瑞康健康体检中心, a
``health_checkup`` provider whose owner signs in as checkup@parkwell.demo) with a morning
check-up service and a physician's report-interpretation consultation, and Xinjing Smart
Tech's campaign of this year in progress: some employees completed with results in their
profile (陈小雨, employee@parkwell.demo, among them, with values outside the healthy range),
some attended without sharing results, some booked for the coming days, the rest not booked;
her father (陈建国, a family member in her profile) had his check-up too, his results in his
record in her profile.

Everything goes through the real services (booking engine, ledger, health import), with
``now`` set to the time each step would have happened. Idempotent: the provider, its
practitioners and services, the campaign and each person's check-up are found by natural
keys before anything is created.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select

from benefits.models import BudgetProgramme
from booking import services as booking_services
from core import security
from core.accounts.models import (
    Enterprise,
    Park,
    ProviderLevel,
    ProviderOrganisation,
    ProviderStatus,
    Role,
    User,
)
from core.accounts.services import add_membership
from core.db import db
from health.models import Dependant
from prevention import services
from prevention.models import Campaign, CampaignCheckup
from prevention.schemas import CampaignInput, PackageInput
from providers.holidays import DayKind, day_kind
from providers.models import (
    AvailabilityRule,
    DeliveryMode,
    Practitioner,
    ProviderCategory,
    ProviderCategoryLink,
    ProviderProfile,
    Service,
    VerificationStatus,
)

PROVIDER_ZH, PROVIDER_EN = "瑞康健康体检中心", "Ruikang Health Check-up Centre"
OWNER_EMAIL, OWNER_NAME = "checkup@parkwell.demo", "许瑞康"
ENTERPRISE = "Xinjing Smart Tech"
CHECKUP_TITLE = "Annual health check-up"
INTERPRETATION_TITLE = "Check-up report interpretation"
DEMO_PASSWORD = "parkwell-demo"

#: (email, days from today, slot of the morning (0 = 08:00, one every 30 minutes), package
#: code, consents to results in the profile, results (None: none uploaded))
PLAN = [
    ("employee@parkwell.demo", -12, 0, "enhanced", True,
     {"systolic": 145, "diastolic": 95, "weight": 65.2, "height": 160, "waist": 83,
      "ldl": 3.62, "total_cholesterol": 5.45, "hdl": 1.32, "triglycerides": 1.62,
      "fasting_glucose": 5.5, "hba1c": 5.6, "uric_acid": 335}),
    ("staff01@xinjing-tech.demo", -12, 1, "basic", True,
     {"systolic": 128, "diastolic": 82, "weight": 84, "height": 175, "waist": 96,
      "ldl": 4.3, "total_cholesterol": 6.4, "hdl": 0.95, "triglycerides": 2.5,
      "fasting_glucose": 5.8, "uric_acid": 470}),
    ("staff02@xinjing-tech.demo", -11, 0, "basic", True,
     {"systolic": 116, "diastolic": 74, "weight": 70, "height": 178, "ldl": 2.6,
      "total_cholesterol": 4.5, "hdl": 1.4, "triglycerides": 1.1, "fasting_glucose": 4.9}),
    ("staff03@xinjing-tech.demo", -11, 1, "basic", False, None),
    ("staff04@xinjing-tech.demo", -10, 0, "basic", False, None),
    ("staff05@xinjing-tech.demo", 3, 0, "basic", True, None),
    ("staff06@xinjing-tech.demo", 3, 1, "basic", True, None),
    ("staff07@xinjing-tech.demo", 4, 0, "basic", False, None),
    ("staff08@xinjing-tech.demo", 5, 2, "basic", True, None),
]
#: Family members' check-ups: (employee's email, family member's name, days from today,
#: slot, package code, results into their record, results).
FAMILY_PLAN = [
    ("employee@parkwell.demo", "陈建国", -12, 2, "basic", True,
     {"systolic": 152, "diastolic": 92, "weight": 70, "height": 168, "ldl": 3.1,
      "total_cholesterol": 5.0, "hdl": 1.2, "triglycerides": 1.5, "fasting_glucose": 6.4,
      "uric_acid": 400}),
]


def _provider(park: Park, now: datetime) -> ProviderOrganisation:
    provider = db.session.scalar(select(ProviderOrganisation).where(
        ProviderOrganisation.park_id == park.id, ProviderOrganisation.name_en == PROVIDER_EN))
    if provider is None:
        provider = ProviderOrganisation(park=park, name_zh=PROVIDER_ZH, name_en=PROVIDER_EN,
                                        status=ProviderStatus.VERIFIED, created_at=now)
        db.session.add(provider)
        db.session.flush()
    if db.session.get(ProviderCategoryLink, (provider.id, ProviderCategory.HEALTH_CHECKUP)) \
            is None:
        db.session.add(ProviderCategoryLink(provider_id=provider.id,
                                            category=ProviderCategory.HEALTH_CHECKUP))
    if db.session.get(ProviderProfile, provider.id) is None:
        db.session.add(ProviderProfile(
            provider_id=provider.id,
            description_zh="园区健康驿站内的体检中心：晨间空腹体检、血液与超声检查，由全科医生"
                           "解读报告。",
            description_en="The check-up centre at the park's health station: morning fasting "
                           "check-ups, blood tests and ultrasound, with reports explained by "
                           "a general practitioner.",
            venues=[DeliveryMode.PARK_STATION.value, DeliveryMode.ONLINE.value],
            address_zh="园区健康驿站二楼", address_en="Park health station, 2nd floor",
            languages=["zh", "en"], photo_urls=[], updated_at=now))
    owner = db.session.scalar(select(User).where(User.email == OWNER_EMAIL))
    if owner is None:
        owner = User(email=OWNER_EMAIL, display_name=OWNER_NAME,
                     password_hash=security.hash_password(DEMO_PASSWORD), is_active=True,
                     session_version=1, created_at=now)
        db.session.add(owner)
        db.session.flush()
    add_membership(owner, role=Role.PROVIDER_STAFF, provider=provider,
                   provider_level=ProviderLevel.OWNER, now=now)
    return provider


def _practitioner(provider: ProviderOrganisation, name_zh: str, name_en: str, title_zh: str,
                  title_en: str, *, days: str, start: time, end: time, from_day: date,
                  now: datetime) -> Practitioner:
    practitioner = db.session.scalar(select(Practitioner).where(
        Practitioner.provider_id == provider.id, Practitioner.name_en == name_en))
    if practitioner is None:
        practitioner = Practitioner(
            provider=provider, name_zh=name_zh, name_en=name_en, title_zh=title_zh,
            title_en=title_en, languages=["zh", "en"], status=VerificationStatus.VERIFIED,
            is_active=True, observes_public_holidays=True, created_at=now)
        db.session.add(practitioner)
        db.session.flush()
        db.session.add(AvailabilityRule(
            practitioner=practitioner, rrule=f"FREQ=WEEKLY;BYDAY={days}", starts_on=from_day,
            start_time=start, end_time=end, timezone=provider.park.timezone, created_at=now))
        db.session.flush()
    return practitioner


def _service(provider: ProviderOrganisation, practitioner: Practitioner, *, title_zh: str,
             title_en: str, mode: DeliveryMode, minutes: int, capacity: int, price_minor: int,
             needs: list[str], description_zh: str, description_en: str,
             now: datetime) -> Service:
    service = db.session.scalar(select(Service).where(Service.provider_id == provider.id,
                                                      Service.title_en == title_en))
    if service is None:
        service = Service(
            provider=provider, category=ProviderCategory.HEALTH_CHECKUP, delivery_mode=mode,
            title_zh=title_zh, title_en=title_en, description_zh=description_zh,
            description_en=description_en, duration_minutes=minutes, buffer_before_minutes=0,
            buffer_after_minutes=0, capacity=capacity, price_minor=price_minor,
            currency=provider.park.currency, free_cancel_hours=24, late_cancel_fee_percent=0,
            min_notice_minutes=60, horizon_days=60, health_needs=needs, min_age=None,
            max_age=None, allows_dependants=False, screening_questionnaire=None,
            contraindications=[], details={}, is_active=True, created_at=now, updated_at=now,
            practitioners=[practitioner])
        db.session.add(service)
        db.session.flush()
    return service


def _campaign(enterprise: Enterprise, checkup: Service, interpretation: Service, *,
              today: date, now: datetime) -> Campaign | None:
    # A campaign keeps to its year: it is the year of the story's first check-ups, which in
    # the first days of January is last year's (then over, its results in).
    year = (today + timedelta(days=min(plan[1] for plan in PLAN))).year
    existing = db.session.scalar(select(Campaign).where(
        Campaign.enterprise_id == enterprise.id, Campaign.year == year,
        Campaign.provider_id == checkup.provider_id))
    if existing is not None:
        return existing
    admin = db.session.scalar(select(User).where(User.email == "hr@parkwell.demo"))
    programme = db.session.scalar(select(BudgetProgramme).where(
        BudgetProgramme.enterprise_id == enterprise.id).order_by(BudgetProgramme.id))
    if admin is None or programme is None:
        return None
    started = now - timedelta(days=21)
    return services.create_campaign(enterprise, CampaignInput(
        name_zh=f"新泾智能科技{year}年度员工体检",
        name_en=f"Xinjing Smart Tech {year} employee check-ups", year=year,
        service_id=checkup.id, programme_id=programme.id,
        interpretation_service_id=interpretation.id,
        starts_on=max(today - timedelta(days=21), date(year, 1, 1)),
        ends_on=min(today + timedelta(days=25), date(year, 12, 31)),
        daily_capacity=12, location="park_station", includes_dependants=True,
        packages=[
            PackageInput(code="basic", name_zh="基础套餐", name_en="Basic",
                         items_zh="一般检查、血压、血常规、血糖、血脂、肝肾功能、尿酸、心电图、"
                                  "腹部B超",
                         items_en="General examination, blood pressure, blood count, glucose, "
                                  "lipids, liver and kidney function, uric acid, ECG, abdominal "
                                  "ultrasound", price_minor=45_000),
            PackageInput(code="enhanced", name_zh="女性35岁以上加强套餐",
                         name_en="Enhanced, women 35+",
                         items_zh="基础套餐，另加糖化血红蛋白、甲状腺功能、乳腺和妇科B超、"
                                  "宫颈癌筛查",
                         items_en="The basic package plus HbA1c, thyroid function, breast and "
                                  "gynaecological ultrasound, cervical screening",
                         min_age=35, max_age=120, sex="female", price_minor=98_000),
        ]), actor=admin, now=started, today=started.astimezone(
            ZoneInfo(enterprise.park.timezone)).date())


def _slot(day: date, index: int, zone: str) -> datetime:
    local = datetime.combine(day, time(8), tzinfo=ZoneInfo(zone)) + timedelta(minutes=30 * index)
    return local.astimezone(UTC)


def _workday(day: date) -> date:
    """The day, or the next the check-up centre is open: not a Sunday, not a public holiday
    (seeded on 30 September, check-ups three days on would fall in National Day)."""
    while day.weekday() == 6 or day_kind(day) is DayKind.HOLIDAY:
        day += timedelta(days=1)
    return day


def seed_prevention(park: Park, *, now: datetime) -> None:
    zone = park.timezone
    today = now.astimezone(ZoneInfo(zone)).date()
    provider = _provider(park, now)
    rules_from = today - timedelta(days=60)
    nurses = _practitioner(provider, "体检护理团队", "Check-up nursing team", "主管护师",
                           "Charge nurse", days="MO,TU,WE,TH,FR,SA", start=time(8),
                           end=time(11, 30), from_day=rules_from, now=now)
    physician = _practitioner(provider, "李明医生", "Dr Li Ming", "全科主治医师",
                              "General practitioner", days="MO,TU,WE,TH,FR", start=time(14),
                              end=time(17), from_day=rules_from, now=now)
    checkup = _service(
        provider, nurses, title_zh="年度健康体检", title_en=CHECKUP_TITLE,
        mode=DeliveryMode.PARK_STATION, minutes=30, capacity=6, price_minor=45_000, needs=[],
        description_zh="空腹前来；约两小时。", description_en="Come fasting; about two hours.",
        now=now)
    checkup.allows_dependants = True  # family members come to the campaign too
    interpretation = _service(
        provider, physician, title_zh="体检报告解读", title_en=INTERPRETATION_TITLE,
        mode=DeliveryMode.ONLINE, minutes=20, capacity=1, price_minor=0,
        needs=["checkup_results", "hypertension", "diabetes"],
        description_zh="全科医生逐项解释您的体检报告，并给出下一步建议。",
        description_en="A general practitioner goes through your check-up report with you and "
                       "advises what to do next.", now=now)
    enterprise = db.session.scalar(select(Enterprise).where(
        Enterprise.park_id == park.id, Enterprise.name_en == ENTERPRISE))
    if enterprise is None:
        return
    campaign = _campaign(enterprise, checkup, interpretation, today=today, now=now)
    if campaign is None:
        return
    campaign.includes_dependants = True
    owner = db.session.scalar(select(User).where(User.email == OWNER_EMAIL))
    for email, offset, index, code, consent, results in PLAN:
        _checkup(campaign, email=email, day=_workday(today + timedelta(days=offset)),
                 index=index, code=code, consent=consent, results=results,
                 practitioner=nurses, owner=owner, zone=zone, now=now)
    for email, name, offset, index, code, consent, results in FAMILY_PLAN:
        _checkup(campaign, email=email, day=_workday(today + timedelta(days=offset)),
                 index=index, code=code, consent=consent, results=results,
                 practitioner=nurses, owner=owner, zone=zone, now=now, family_member=name)
    db.session.flush()


def _checkup(campaign: Campaign, *, email: str, day: date, index: int, code: str,
             consent: bool, results: dict | None, practitioner: Practitioner, owner: User,
             zone: str, now: datetime, family_member: str | None = None) -> None:
    """One person's check-up (or, with ``family_member``, that family member's, their
    results going to the family member's record in the employee's profile)."""
    user = db.session.scalar(select(User).where(User.email == email))
    if user is None or not campaign.runs_on(day):
        return
    dependant = None
    if family_member is not None:
        dependant = next((d for d in db.session.scalars(select(Dependant).where(
            Dependant.user_id == user.id).order_by(Dependant.id))
            if d.name == family_member), None)
        if dependant is None:
            return
    if db.session.scalar(select(CampaignCheckup.id).where(
            CampaignCheckup.campaign_id == campaign.id, CampaignCheckup.user_id == user.id,
            CampaignCheckup.dependant_id.is_(None) if dependant is None
            else CampaignCheckup.dependant_id == dependant.id)):
        return
    starts_at = _slot(day, index, zone)
    booked_at = min(now, starts_at - timedelta(days=5))
    package = next(p for p in campaign.packages if p.code == code)
    checkup = services.book_checkup(campaign, actor=user, package_id=package.id,
                                    practitioner_id=practitioner.id, starts_at=starts_at,
                                    now=booked_at, results_consent=consent,
                                    dependant_id=dependant.id if dependant else None)
    if starts_at >= now:
        return
    done_at = starts_at + timedelta(hours=3)
    if results is not None:
        content = ",".join(results) + "\n" + ",".join(str(v) for v in results.values()) + "\n"
        services.upload_results(checkup, actor=owner, fmt="csv", content=content, now=done_at)
    else:
        booking_services.mark_attendance(checkup.booking, actor=owner, attended=True,
                                         now=done_at)
