"""Use-cases of check-up campaigns: an enterprise admin creates a campaign and nudges those
who have not booked; an employee books a check-up (through the booking engine, paid from
the enterprise's pot) and decides whether results go into their profile; the provider
uploads results into that profile.

Plain functions with keyword-only arguments that take the actor and ``now``; they check
``core.policy`` and never touch the request. The caller owns the transaction: a refusal
leaves nothing written, and mail waits for the commit.

Lock order of a campaign booking: the campaign row (its daily capacity), then the booking
engine's own order (practitioners by id, then the client). Nothing else locks a campaign,
so no two writers wait on each other in a cycle.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from flask import current_app
from flask_babel import force_locale
from flask_babel import gettext as _
from sqlalchemy import func, select

from benefits import postings
from benefits import queries as benefit_queries
from benefits.errors import InsufficientFunds
from benefits.models import BudgetProgramme
from booking import services as booking_services
from booking.models import Booking, BookingStatus
from core.accounts.models import Enterprise, Membership, Role, User
from core.clock import to_zone
from core.db import db
from core.errors import InvalidInput
from core.i18n import format_day
from core.mail import send_mail
from core.policy import Action, can, require
from health import importing
from health import services as health_services
from health.errors import HealthRecordNotFound, ImportRejected
from health.models import CheckUp, Dependant, Sex
from health.services import dependant_of
from prevention import explanations
from prevention.errors import (
    AlreadyBooked,
    CampaignClosed,
    CampaignUnfunded,
    DayFull,
    DependantsNotIncluded,
    InvalidCampaign,
    NoResultsConsent,
    NotInvited,
    NudgeTooSoon,
    OutsideCampaign,
    PackageDoesNotFit,
    ResultsAlreadyReceived,
    ResultsNotDue,
)
from prevention.models import (
    Campaign,
    CampaignCheckup,
    CampaignInvitation,
    CampaignPackage,
    CampaignStatus,
    PackageSex,
)
from prevention.schemas import CampaignInput
from providers import slots as slot_engine
from providers.models import DeliveryMode, ProviderCategory, Service

NUDGE_INTERVAL = timedelta(hours=24)

DEFAULT_PREPARATION_ZH = (
    "体检前一天清淡饮食、不饮酒，晚上十点后禁食（可少量饮水），体检当天早晨空腹，抽血和腹部"
    "B超完成后再进食。\n请携带本人身份证或社保卡、近期用药清单和既往体检报告；穿着宽松衣物，"
    "不佩戴金属饰品；女性请避开月经期做尿检和妇科检查。")
DEFAULT_PREPARATION_EN = (
    "Eat a light meal and drink no alcohol the day before; from 10 pm take nothing but a "
    "little water, and come fasting in the morning: eat only after the blood test and the "
    "abdominal ultrasound.\nBring your ID card or social-security card, a list of the "
    "medicines you take and your last check-up report; wear loose clothes and no metal "
    "jewellery; women should not give a urine sample or have a gynaecological examination "
    "during their period.")


def _zone(campaign: Campaign) -> str:
    return campaign.enterprise.park.timezone


def _lock_campaign(campaign: Campaign) -> None:
    db.session.execute(select(Campaign.id).where(Campaign.id == campaign.id).with_for_update())


# -- creating a campaign ----------------------------------------------------------------------


def create_campaign(enterprise: Enterprise, data: CampaignInput, *, actor: User,
                    now: datetime, today: date) -> Campaign:
    """A new campaign of ``enterprise``; every active employee is invited (by mail after the
    commit). Raises NotFound/Forbidden, InvalidCampaign naming each wrong field."""
    require(actor, Action.MANAGE_BENEFITS, enterprise)
    errors: dict[str, str] = {}
    service = db.session.get(Service, data.service_id)
    if (service is None or service.category is not ProviderCategory.HEALTH_CHECKUP
            or not service.is_active or not service.provider.is_verified
            or service.provider.park_id != enterprise.park_id):
        errors["service_id"] = _("Choose a check-up service of a verified provider in your "
                                 "park.")
    programme = benefit_queries.programme_of(enterprise, data.programme_id)
    if programme is None or not programme.is_active:
        errors["programme_id"] = _("Choose one of your enterprise's budget programmes.")
    if data.interpretation_service_id is not None:
        other = db.session.get(Service, data.interpretation_service_id)
        if (other is None or not other.is_active or not other.provider.is_verified
                or other.provider.park_id != enterprise.park_id):
            errors["interpretation_service_id"] = _("Choose a service of a verified provider "
                                                    "in your park.")
    if data.ends_on < data.starts_on:
        errors["ends_on"] = _("The campaign must end on or after the day it starts.")
    elif data.starts_on.year != data.year or data.ends_on.year != data.year:
        errors["starts_on"] = _("The dates must fall within the campaign's year.")
    elif data.ends_on < today:
        errors["ends_on"] = _("The campaign must end today or later.")
    codes = [p.code for p in data.packages]
    if len(set(codes)) != len(codes):
        errors["packages"] = _("Give each package its own code.")
    for index, package in enumerate(data.packages):
        if (package.min_age is not None and package.max_age is not None
                and package.max_age < package.min_age):
            errors[f"packages.{index}.max_age"] = _("The highest age must not be below the "
                                                    "lowest.")
    if errors:
        raise InvalidCampaign(fields=errors)
    assert service is not None and programme is not None
    campaign = Campaign(
        enterprise=enterprise, provider_id=service.provider_id, service_id=service.id,
        programme_id=programme.id, interpretation_service_id=data.interpretation_service_id,
        year=data.year, name_zh=data.name_zh, name_en=data.name_en, starts_on=data.starts_on,
        ends_on=data.ends_on, daily_capacity=data.daily_capacity,
        location=DeliveryMode(data.location), includes_dependants=data.includes_dependants,
        preparation_zh=data.preparation_zh or DEFAULT_PREPARATION_ZH,
        preparation_en=data.preparation_en or DEFAULT_PREPARATION_EN,
        status=CampaignStatus.OPEN, created_by_id=actor.id, created_at=now,
        packages=[CampaignPackage(code=p.code, name_zh=p.name_zh, name_en=p.name_en,
                                  items_zh=p.items_zh, items_en=p.items_en, min_age=p.min_age,
                                  max_age=p.max_age, sex=p.sex, price_minor=p.price_minor,
                                  currency=programme.currency) for p in data.packages])
    db.session.add(campaign)
    db.session.flush()
    for user in _active_employees(enterprise.id):
        _invite(campaign, user, now=now)
    return campaign


def change_campaign(campaign: Campaign, *, actor: User, starts_on: date, ends_on: date,
                    daily_capacity: int, today: date) -> Campaign:
    """Move an open campaign's dates or change its daily capacity (packages, provider and
    pot stay: close the campaign and create another to change those). Never so that a
    booked check-up falls outside the dates or a day holds more than the capacity. The
    campaign's row is locked first, as booking does, so that no check-up is booked in
    between. Raises NotFound/Forbidden, CampaignClosed, InvalidCampaign."""
    require(actor, Action.MANAGE_BENEFITS, campaign.enterprise)
    _lock_campaign(campaign)
    db.session.refresh(campaign)
    if not campaign.is_open:
        raise CampaignClosed()
    errors: dict[str, str] = {}
    if ends_on < starts_on:
        errors["ends_on"] = _("The campaign must end on or after the day it starts.")
    elif starts_on.year != campaign.year or ends_on.year != campaign.year:
        errors["starts_on"] = _("The dates must fall within the campaign's year.")
    elif ends_on < today:
        errors["ends_on"] = _("The campaign must end today or later.")
    if not 1 <= daily_capacity <= 10_000:
        errors["daily_capacity"] = _("Enter a number from 1 to 10000.")
    booked = booked_by_day(campaign)
    outside = [day for day in booked if not starts_on <= day <= ends_on]
    if outside and not errors:
        field = "starts_on" if outside[0] < starts_on else "ends_on"
        errors[field] = _("Check-ups are booked on %(day)s, outside these dates: they must "
                          "be cancelled first.", day=format_day(outside[0]))
    busiest = max(booked, key=booked.__getitem__, default=None)
    if (busiest is not None and booked[busiest] > daily_capacity
            and "daily_capacity" not in errors):
        errors["daily_capacity"] = _("%(count)s check-ups are booked on %(day)s: the daily "
                                     "capacity cannot be lower.", count=booked[busiest],
                                     day=format_day(busiest))
    if errors:
        raise InvalidCampaign(fields=errors)
    campaign.starts_on, campaign.ends_on = starts_on, ends_on
    campaign.daily_capacity = daily_capacity
    db.session.flush()
    return campaign


def close_campaign(campaign: Campaign, *, actor: User) -> Campaign:
    """No more bookings; check-ups already booked go ahead. Raises NotFound/Forbidden."""
    require(actor, Action.MANAGE_BENEFITS, campaign.enterprise)
    campaign.status = CampaignStatus.CLOSED
    db.session.flush()
    return campaign


def _active_employees(enterprise_id: int) -> list[User]:
    return list(db.session.scalars(
        select(User).join(Membership, Membership.user_id == User.id)
        .where(Membership.enterprise_id == enterprise_id, Membership.role == Role.EMPLOYEE,
               Membership.is_active.is_(True), User.is_active.is_(True))
        .distinct().order_by(User.id)))


def is_employee_of(user: User, enterprise_id: int) -> bool:
    return any(m.role is Role.EMPLOYEE and m.enterprise_id == enterprise_id
               for m in user.active_memberships)


def _invite(campaign: Campaign, user: User, *, now: datetime) -> CampaignInvitation:
    invitation = CampaignInvitation(campaign_id=campaign.id, user_id=user.id, invited_at=now,
                                    nudge_count=0)
    db.session.add(invitation)
    _mail(user, lambda: (
        _("Your %(year)s check-up: %(campaign)s", year=campaign.year,
          campaign=campaign.name(_locale(user))),
        _("%(enterprise)s invites you to a free health check-up at %(provider)s between "
          "%(start)s and %(end)s. Choose your package and day under \"My check-ups\".",
          enterprise=campaign.enterprise.name(_locale(user)),
          provider=campaign.provider.name(_locale(user)), start=format_day(campaign.starts_on),
          end=format_day(campaign.ends_on))))
    return invitation


def invitation_for(campaign: Campaign, user: User, *, now: datetime) -> CampaignInvitation:
    """The employee's invitation, written now if they joined after the campaign was created.
    Raises NotInvited (also for people of other enterprises)."""
    found = db.session.scalar(select(CampaignInvitation).where(
        CampaignInvitation.campaign_id == campaign.id, CampaignInvitation.user_id == user.id))
    if found is not None:
        return found
    if not is_employee_of(user, campaign.enterprise_id):
        raise NotInvited()
    invitation = CampaignInvitation(campaign_id=campaign.id, user_id=user.id, invited_at=now,
                                    nudge_count=0)
    db.session.add(invitation)
    db.session.flush()
    return invitation


def _locale(user: User) -> str:
    return user.locale or current_app.config.get("DEFAULT_LOCALE", "zh_CN")


def _mail(user: User, render) -> None:
    """Mail ``user`` (after the commit) with ``render() -> (subject, body)`` rendered in
    their language."""
    if not user.email:
        return
    with force_locale(_locale(user)):
        subject, body = render()
        send_mail(to=user.email, subject=str(subject), body=str(body))


# -- which packages fit whom ------------------------------------------------------------------


@dataclass(frozen=True)
class Person:
    age: int | None
    sex: Sex | None
    is_dependant: bool


def person_on(user: User, dependant: Dependant | None, day: date) -> Person:
    """Age on ``day`` and sex, from the employee's own health profile (or the family
    member's birth date and sex). Read for the check, never copied anywhere."""
    if dependant is not None:
        return Person(age=dependant.age_on(day), sex=dependant.sex, is_dependant=True)
    profile = health_services.profile_data(user)
    birth_year = profile.get("birth_year")
    sex = profile.get("sex")
    return Person(age=day.year - int(birth_year) if birth_year else None,
                  sex=Sex(sex) if sex in {s.value for s in Sex} else None, is_dependant=False)


def check_package_fits(package: CampaignPackage, person: Person) -> None:
    """Raises PackageDoesNotFit naming the package's rule (never the person's data)."""
    if package.min_age is not None or package.max_age is not None:
        if person.age is None:
            raise PackageDoesNotFit(_("This package has an age range: add your birth year to "
                                      "your health profile first."))
        if ((package.min_age is not None and person.age < package.min_age)
                or (package.max_age is not None and person.age > package.max_age)):
            raise PackageDoesNotFit(_(
                "This package is for people aged %(low)s to %(high)s. Choose another "
                "package.", low=package.min_age if package.min_age is not None else 0,
                high=package.max_age if package.max_age is not None else "∞"))
    if package.sex is not PackageSex.ANY:
        if person.sex is None and person.is_dependant:
            raise PackageDoesNotFit(_("This package is for one sex only: add the family "
                                      "member's sex on the Family page first."))
        if person.sex is None:
            raise PackageDoesNotFit(_("This package is for one sex only: add your sex to your "
                                      "health profile first."))
        if person.sex.value != package.sex.value:
            raise PackageDoesNotFit(_("This package is for %(who)s only. Choose another "
                                      "package.", who=package.sex.label))


def fitting_packages(campaign: Campaign, person: Person) -> list[CampaignPackage]:
    fitting = []
    for package in campaign.packages:
        try:
            check_package_fits(package, person)
        except PackageDoesNotFit:
            continue
        fitting.append(package)
    return fitting


# -- days and slots ---------------------------------------------------------------------------


def booked_by_day(campaign: Campaign) -> dict[date, int]:
    """Check-ups booked (not cancelled) per day of the campaign, earliest day first."""
    return dict(db.session.execute(
        select(CampaignCheckup.day, func.count(CampaignCheckup.id))
        .where(CampaignCheckup.campaign_id == campaign.id,
               CampaignCheckup.cancelled_at.is_(None))
        .group_by(CampaignCheckup.day).order_by(CampaignCheckup.day)).all())


def booked_on(campaign: Campaign, day: date) -> int:
    return db.session.scalar(select(func.count(CampaignCheckup.id)).where(
        CampaignCheckup.campaign_id == campaign.id, CampaignCheckup.day == day,
        CampaignCheckup.cancelled_at.is_(None))) or 0


@dataclass(frozen=True)
class DaySlots:
    on: date
    left_today: int
    slots: list  #: (providers.schedule.Slot, Practitioner)


def day_slots(campaign: Campaign, *, on: date, now: datetime) -> DaySlots:
    """The campaign service's free slots on a park-local day, while the day has campaign
    places left. Raises OutsideCampaign."""
    if not campaign.runs_on(on):
        raise OutsideCampaign()
    left = max(campaign.daily_capacity - booked_on(campaign, on), 0)
    if not left or not campaign.is_open:
        return DaySlots(on, left, [])
    zone = ZoneInfo(_zone(campaign))
    start = datetime.combine(on, time(0), tzinfo=zone)
    service = campaign.service
    practitioners = [p for p in service.practitioners if p.is_listed]
    slots = slot_engine.service_slots(service, practitioners, start=start,
                                      end=start + timedelta(days=1), now=now)
    return DaySlots(on, left, [(slot, p) for slot, p in slots if slot.remaining > 0])


def first_day_with_times(campaign: Campaign, *, today: date, now: datetime) -> date:
    """The day the booking page opens on: the first campaign day from today with a free time
    and places left (late in the evening, today's times are gone), or the first day the
    campaign could run when there is none. One read of the schedules for the whole range,
    one count of the check-ups booked per day."""
    first = max(today, campaign.starts_on)
    if not campaign.is_open or first > campaign.ends_on:
        return first
    zone = ZoneInfo(_zone(campaign))
    service = campaign.service
    practitioners = [p for p in service.practitioners if p.is_listed]
    slots = slot_engine.service_slots(
        service, practitioners, start=datetime.combine(first, time(0), tzinfo=zone),
        end=datetime.combine(campaign.ends_on + timedelta(days=1), time(0), tzinfo=zone),
        now=now)
    booked = booked_by_day(campaign)
    for slot, _practitioner in slots:
        day = slot.starts_at.astimezone(zone).date()
        if slot.remaining > 0 and booked.get(day, 0) < campaign.daily_capacity:
            return day
    return first


# -- booking a check-up -----------------------------------------------------------------------


def book_checkup(campaign: Campaign, *, actor: User, package_id: int, practitioner_id: int,
                 starts_at: datetime, now: datetime, dependant_id: int | None = None,
                 results_consent: bool = False) -> CampaignCheckup:
    """Book a campaign check-up with the booking engine's own ``hold_slot``, the campaign as
    its sponsor (``CampaignSponsor``): every rule of booking applies (the slot's place, the
    person's eligibility, overlaps), and on top the campaign's dates, the day's campaign
    capacity, one check-up per person and the package's age and sex; the enterprise's pot
    pays the package (the employee pays nothing), and the booking is confirmed at once.

    Raises CampaignClosed, NotInvited, InvalidInput (package), DependantsNotIncluded,
    OutsideCampaign, PackageDoesNotFit, AlreadyBooked, DayFull, CampaignUnfunded, and the
    booking engine's refusals (NotEligible, SlotNotBookable, SlotUnavailable, SlotFull,
    OverlappingBooking).
    """
    if not campaign.is_open:
        raise CampaignClosed()
    invitation_for(campaign, actor, now=now)
    package = next((p for p in campaign.packages if p.id == package_id), None)
    if package is None:
        raise InvalidInput(fields={"package_id": _("Choose one of the campaign's packages.")})
    dependant = None
    if dependant_id is not None:
        if not campaign.includes_dependants:
            raise DependantsNotIncluded()
        dependant = dependant_of(actor, dependant_id)
    day = to_zone(starts_at, _zone(campaign)).date()
    if not campaign.runs_on(day):
        raise OutsideCampaign(_("Choose a day between %(start)s and %(end)s.",
                                start=format_day(campaign.starts_on),
                                end=format_day(campaign.ends_on)))
    check_package_fits(package, person_on(actor, dependant, day))
    sponsor = CampaignSponsor(campaign, package, actor=actor, dependant_id=dependant_id,
                              day=day, results_consent=results_consent)
    booking_services.hold_slot(campaign.service, practitioner_id=practitioner_id,
                               starts_at=starts_at, actor=actor, now=now,
                               dependant_id=dependant_id, sponsor=sponsor)
    assert sponsor.checkup is not None
    return sponsor.checkup


@dataclass
class CampaignSponsor:
    """The campaign as the sponsor of a check-up's booking (``booking.services.Sponsor``):
    its row is locked first (the day's capacity), then the person's one check-up and the
    day's places are checked, and once booking wrote the place the check-up is written and
    the enterprise's pot pays the package."""

    campaign: Campaign
    package: CampaignPackage
    actor: User
    dependant_id: int | None
    day: date
    results_consent: bool
    checkup: CampaignCheckup | None = None

    def lock(self) -> None:
        _lock_campaign(self.campaign)

    def check(self) -> None:
        if _live_checkup(self.campaign, self.actor.id, self.dependant_id) is not None:
            raise AlreadyBooked()
        if booked_on(self.campaign, self.day) >= self.campaign.daily_capacity:
            raise DayFull()

    def pay(self, booking: Booking, *, now: datetime) -> str:
        package = self.package
        checkup = CampaignCheckup(
            campaign=self.campaign, package=package, booking=booking, user_id=self.actor.id,
            dependant_id=self.dependant_id, day=self.day, price_minor=package.price_minor,
            currency=package.currency, payment_reference="", created_at=now,
            results_consent_at=now if self.results_consent else None)
        db.session.add(checkup)
        db.session.flush()
        checkup.payment_reference = f"campaign-checkup:{checkup.id}"
        _pay(checkup, actor=self.actor, now=now)
        self.checkup = checkup
        return checkup.payment_reference


def _live_checkup(campaign: Campaign, user_id: int, dependant_id: int | None
                  ) -> CampaignCheckup | None:
    return db.session.scalar(select(CampaignCheckup).where(
        CampaignCheckup.campaign_id == campaign.id, CampaignCheckup.user_id == user_id,
        CampaignCheckup.dependant_id.is_(None) if dependant_id is None
        else CampaignCheckup.dependant_id == dependant_id,
        CampaignCheckup.cancelled_at.is_(None)).limit(1))


def _pay(checkup: CampaignCheckup, *, actor: User, now: datetime) -> None:
    """The enterprise's pot (its programme's funds) pays the provider the package price."""
    if not checkup.price_minor:
        return
    campaign = checkup.campaign
    programme = db.session.get(BudgetProgramme, campaign.programme_id)
    payable = postings.provider_payable(campaign.provider_id, currency=checkup.currency,
                                        now=now)
    try:
        postings.pot_payment(programme, payable, amount_minor=checkup.price_minor,
                             fee_minor=None, reference=checkup.payment_reference,
                             category=ProviderCategory.HEALTH_CHECKUP.value,
                             actor_id=actor.id, memo=f"check-up campaign {campaign.id}",
                             now=now)
    except InsufficientFunds as exc:
        raise CampaignUnfunded() from exc


def _refund(checkup: CampaignCheckup, *, now: datetime) -> None:
    postings.reverse_pot_payment(checkup.payment_reference, now=now,
                                 memo=f"check-up cancelled ({checkup.payment_reference})")


def checkup_of_booking(booking: Booking) -> CampaignCheckup | None:
    return db.session.scalar(select(CampaignCheckup).where(
        CampaignCheckup.booking_id == booking.id))


def booking_cancelled(booking: Booking, *, now: datetime) -> None:
    """The booking engine cancelled a booking: a campaign check-up frees its day's place and
    the enterprise gets its money back."""
    checkup = checkup_of_booking(booking)
    if checkup is None or checkup.cancelled_at is not None:
        return
    checkup.cancelled_at = now
    _refund(checkup, now=now)
    db.session.flush()


def set_results_consent(checkup: CampaignCheckup, *, actor: User, consent: bool,
                        now: datetime) -> CampaignCheckup:
    """The employee gives or withdraws consent to receive results into their profile (a
    family member's into that family member's record in it), until the results arrive.
    Raises NotInvited, ResultsAlreadyReceived."""
    if not can(actor, Action.OWN_RECORD, checkup):
        raise NotInvited()
    if checkup.results_received_at is not None:
        raise ResultsAlreadyReceived()
    checkup.results_consent_at = now if consent else None
    db.session.flush()
    return checkup


# -- results ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class ResultsOutcome:
    checkup: CampaignCheckup
    record: CheckUp
    abnormal: bool


def dependant_of_checkup(checkup: CampaignCheckup) -> Dependant | None:
    return db.session.get(Dependant, checkup.dependant_id) if checkup.dependant_id else None


def is_child_checkup(checkup: CampaignCheckup) -> bool:
    """A family member under ``health.services.ADULT_AGE`` on the check-up's day: the
    adult thresholds do not judge their values."""
    dependant = dependant_of_checkup(checkup)
    return dependant is not None and dependant.age_on(checkup.day) < health_services.ADULT_AGE


def upload_results(checkup: CampaignCheckup, *, actor: User, fmt: str,
                   content: str | bytes, now: datetime) -> ResultsOutcome:
    """The provider puts one check-up's results (the health import format, one row) straight
    into the employee's profile, or a family member's into that family member's record in
    the employee's profile (the employee ticked it for them at booking); screening runs at
    once (for a family member: an adult's values only) and, when a value is outside the
    healthy range, the employee is offered the report-interpretation consultation.

    Raises NotFound/Forbidden (only the provider's own staff; never a platform admin),
    NoResultsConsent, ResultsAlreadyReceived, ResultsNotDue, ImportRejected (naming the
    field: impossible values, unknown columns, another day). Nothing is written then.
    """
    campaign = checkup.campaign
    require(actor, Action.READ_SHARED_HEALTH, campaign.provider)
    if checkup.results_received_at is not None:
        raise ResultsAlreadyReceived()
    if checkup.results_consent_at is None:
        raise NoResultsConsent()
    booking = checkup.booking
    if (checkup.cancelled_at is not None or now < booking.starts_at
            or booking.status not in (BookingStatus.CONFIRMED, BookingStatus.ATTENDED)):
        raise ResultsNotDue()
    rows = importing.parse_json(content) if fmt == "json" else importing.parse_csv(content)
    if len(rows) != 1:
        raise ImportRejected(_("A campaign's results file holds exactly one check-up. "
                               "Nothing was saved."),
                             fields={"file": _("Send one check-up.")})
    row = dict(rows[0])
    measured_on = str(row.get("measured_on") or "").strip()
    if measured_on and measured_on != checkup.day.isoformat():
        raise ImportRejected(_("Row 1, measured_on: the check-up took place on %(day)s. "
                               "Nothing was saved.", day=format_day(checkup.day)),
                             fields={"row 1: measured_on": checkup.day.isoformat()})
    row["measured_on"] = checkup.day.isoformat()
    if not str(row.get("source") or "").strip():
        row["source"] = campaign.provider.name(_locale(checkup.user))
    employee = checkup.user
    dependant = dependant_of_checkup(checkup)
    record = importing.import_checkups(employee, rows=[row], now=now, dependant=dependant)[0]
    if booking.status is BookingStatus.CONFIRMED:
        booking_services.mark_attendance(booking, actor=actor, attended=True, now=now)
    checkup.results_received_at = now
    checkup.health_checkup_id = record.id
    db.session.flush()
    # Screening runs at once on the whole record, this check-up included.
    if dependant is None:
        screening = health_services.screening_for(employee)
        sex = person_on(employee, None, checkup.day).sex
    else:
        screening = health_services.screening_for_dependant(employee, dependant,
                                                            today=checkup.day)
        sex = dependant.sex
    abnormal = screening is not None and (
        explanations.any_abnormal(record.readings, sex=sex)
        or any(flag.observed_on == checkup.day for flag in screening.flags))
    _tell_results(checkup, abnormal=abnormal)
    return ResultsOutcome(checkup, record, abnormal)


def _tell_results(checkup: CampaignCheckup, *, abnormal: bool) -> None:
    """Mail the employee that results are in (no values in the mail)."""
    campaign = checkup.campaign
    user = checkup.user

    def render():
        if checkup.dependant_id is None:
            body = _("The results of your check-up at %(provider)s on %(day)s are in your "
                     "health profile, with an explanation next to each value. Open \"My "
                     "check-ups\" to read them.", provider=campaign.provider.name(_locale(user)),
                     day=format_day(checkup.day))
        else:  # no name in the mail: the employee reads who it was for, signed in
            body = _("The results of your family member's check-up at %(provider)s on "
                     "%(day)s are in their record in your health profile, with an explanation "
                     "next to each value. Open \"My check-ups\" to read them.",
                     provider=campaign.provider.name(_locale(user)),
                     day=format_day(checkup.day))
        if abnormal and campaign.interpretation_service_id:
            body += "\n\n" + _("Some values are outside the healthy range. A doctor can go "
                               "through the report with you: book a report-interpretation "
                               "consultation from the results page.")
        return _("Your check-up results are in"), body

    _mail(user, render)


# -- nudging those who have not booked --------------------------------------------------------


def unbooked_invitations(campaign: Campaign) -> list[CampaignInvitation]:
    booked = select(CampaignCheckup.user_id).where(
        CampaignCheckup.campaign_id == campaign.id, CampaignCheckup.dependant_id.is_(None),
        CampaignCheckup.cancelled_at.is_(None))
    invitations = db.session.scalars(select(CampaignInvitation).where(
        CampaignInvitation.campaign_id == campaign.id,
        CampaignInvitation.user_id.not_in(booked)).order_by(CampaignInvitation.id))
    return [i for i in invitations if is_employee_of(i.user, campaign.enterprise_id)]


def nudge_unbooked(campaign: Campaign, *, actor: User, now: datetime) -> int:
    """Remind every invited employee who has no check-up booked (mail and a notice on their
    check-up page). Returns only how many were reminded. Raises NotFound/Forbidden,
    CampaignClosed, NudgeTooSoon (once a day at most)."""
    require(actor, Action.MANAGE_BENEFITS, campaign.enterprise)
    if not campaign.is_open:
        raise CampaignClosed()
    _lock_campaign(campaign)
    last = db.session.scalar(select(func.max(CampaignInvitation.nudged_at)).where(
        CampaignInvitation.campaign_id == campaign.id))
    if last is not None and now - last < NUDGE_INTERVAL:
        raise NudgeTooSoon()
    nudged = 0
    for invitation in unbooked_invitations(campaign):
        invitation.nudged_at = now
        invitation.nudge_count += 1
        user = invitation.user
        _mail(user, lambda user=user: (
            _("Reminder: book your %(year)s check-up", year=campaign.year),
            _("You have not booked your free check-up at %(provider)s yet. The campaign runs "
              "until %(end)s: choose your package and day under \"My check-ups\".",
              provider=campaign.provider.name(_locale(user)),
              end=format_day(campaign.ends_on))))
        nudged += 1
    db.session.flush()
    return nudged


# -- the employee's own results ---------------------------------------------------------------


def explained_results(checkup: CampaignCheckup, *, actor: User
                      ) -> list[explanations.Explained] | None:
    """The results of this check-up (the employee's own, or their family member's), each
    value explained; None before they arrive or once the employee deleted them from their
    profile. A child's values are explained without an adult's level. Raises NotInvited
    for anyone but the employee."""
    if not can(actor, Action.OWN_RECORD, checkup):
        raise NotInvited()
    if checkup.record_id is None:
        return None
    try:
        record = health_services.get_checkup(actor, checkup.health_checkup_id,
                                             dependant_id=checkup.dependant_id)
    except HealthRecordNotFound:
        return None
    if checkup.dependant_id is not None:
        member = dependant_of_checkup(checkup)
        return explanations.explain(record.readings, adult=not is_child_checkup(checkup),
                                    sex=member.sex if member else None)
    sex = person_on(actor, None, checkup.day).sex
    return explanations.explain(record.readings, sex=sex)
