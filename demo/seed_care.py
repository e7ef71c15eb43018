"""Family health physicians in the demo park: a TCM team at Xinglin TCM Clinic (its owner
provider@ and therapist@ are on it) and a general-practice team at a community GP
practice; agreements with care plans, home readings (one alerting), messages and a
follow-up, for employee@parkwell.demo too (Xinjing Smart Tech sponsors the TCM team: each
agreement's price moves from its programme's pot to the clinic through the ledger); and a
yearly check-up for the staff accounts last year and this year, so that the outcome
indicators have something to compare. Safe to run again: everything is looked up before it
is made."""

from __future__ import annotations

from datetime import date, datetime, timedelta

from sqlalchemy import select

from care import agreements, payments, plans
from care.models import CareAgreement, CareSponsorship, CareTeam
from core.accounts.models import (
    Enterprise,
    Membership,
    Park,
    ProviderLevel,
    ProviderOrganisation,
    ProviderStatus,
    Role,
    User,
)
from core.accounts.services import add_membership
from core.db import db
from health.models import CheckUp
from providers.models import Practitioner, ProviderProfile, VerificationStatus

GP_PRACTICE = ("新泾社区全科诊所", "Xinjing Community GP Practice")
GP_LOGIN = "gp@parkwell.demo"
TERMS_ZH = ("家庭医生签约服务协议\n"
            "一、签约期内，团队为您及签约的家庭成员制定健康管理计划，提供随访与在线咨询。\n"
            "二、团队仅可在签约期内查看您同意共享的健康信息，每次查看都会记入您的访问记录。\n"
            "三、您可随时解约，解约后团队立即失去查看权限。\n"
            "四、紧急情况请拨打120，本服务不替代急诊。")
TERMS_EN = ("Family physician service agreement\n"
            "1. During the agreement the team makes a health plan for you and the family "
            "members covered, and offers follow-ups and messages.\n"
            "2. The team reads only what you share, only during the agreement; every read is "
            "in your access log.\n"
            "3. You may end the agreement at any time; the team loses access at once.\n"
            "4. In an emergency call 120: this service does not replace emergency care.")
CHECKUP_SOURCE = "园区年度体检 Park yearly check-up"


def _user(email: str) -> User | None:
    return db.session.scalar(select(User).where(User.email == email))


def _gp_practice(park: Park, now: datetime) -> ProviderOrganisation:
    provider = db.session.scalar(select(ProviderOrganisation).where(
        ProviderOrganisation.park_id == park.id, ProviderOrganisation.name_en == GP_PRACTICE[1]))
    if provider is None:
        provider = ProviderOrganisation(park=park, name_zh=GP_PRACTICE[0],
                                        name_en=GP_PRACTICE[1],
                                        status=ProviderStatus.VERIFIED, created_at=now)
        db.session.add(provider)
        db.session.flush()
        db.session.add(ProviderProfile(
            provider_id=provider.id, description_zh="社区全科医生团队，慢病管理与家庭医生签约。",
            description_en="Community general practitioners: chronic care and family-doctor "
            "agreements.", venues=["premises"], address_zh="长宁区新泾一村社区卫生服务站",
            address_en="Xinjing Community Health Station, Changning", languages=["zh", "en"],
            photo_urls=[], updated_at=now))
    return provider


def _practitioner(provider: ProviderOrganisation, name_zh: str, name_en: str,
                  title: tuple[str, str], now: datetime, user: User | None = None
                  ) -> Practitioner:
    found = db.session.scalar(select(Practitioner).where(
        Practitioner.provider_id == provider.id, Practitioner.name_en == name_en))
    if found is None:
        found = Practitioner(provider=provider, user_id=user.id if user else None,
                             name_zh=name_zh, name_en=name_en,
                             title_zh=title[0], title_en=title[1], languages=["zh"],
                             status=VerificationStatus.VERIFIED, is_active=True, created_at=now)
        db.session.add(found)
        db.session.flush()
    return found


def _gp_login(provider: ProviderOrganisation, now: datetime) -> User | None:
    """gp@parkwell.demo, the practice's owner and its general practitioner (same demo
    password as every demo account)."""
    user = _user(GP_LOGIN)
    if user is None:
        template = _user("employee@parkwell.demo")
        if template is None:
            return None
        user = User(email=GP_LOGIN, display_name="王全科", password_hash=template.password_hash,
                    is_active=True, session_version=1, created_at=now)
        db.session.add(user)
        db.session.flush()
    if not any(m.provider_id == provider.id for m in user.memberships):
        add_membership(user, role=Role.PROVIDER_STAFF, provider=provider,
                       provider_level=ProviderLevel.OWNER, now=now)
        db.session.flush()
    return user


def _team(provider: ProviderOrganisation, *, kind: str, names: tuple[str, str],
          description: tuple[str, str], price_minor: int, members: list[Practitioner],
          actor: User | None, now: datetime) -> CareTeam:
    team = db.session.scalar(select(CareTeam).where(CareTeam.provider_id == provider.id,
                                                    CareTeam.name_en == names[1]))
    if team is not None:
        return team
    if actor is not None:
        return agreements.create_team(
            provider, actor=actor, kind=kind, name_zh=names[0], name_en=names[1],
            description_zh=description[0], description_en=description[1],
            price_minor=price_minor, period_days=365, terms_zh=TERMS_ZH, terms_en=TERMS_EN,
            practitioner_ids=[m.id for m in members], now=now)
    team = CareTeam(provider_id=provider.id, kind=kind, name_zh=names[0], name_en=names[1],
                    description_zh=description[0], description_en=description[1],
                    price_minor=price_minor, currency=provider.park.currency, period_days=365,
                    terms_zh=TERMS_ZH, terms_en=TERMS_EN, terms_version=1, is_active=True,
                    created_at=now)
    team.members = members
    db.session.add(team)
    db.session.flush()
    return team


def _sponsor(enterprise: Enterprise, team: CareTeam, admin: User | None, now: datetime) -> None:
    """The enterprise pays the team's agreements from its programme's pot: each signature
    moves the price to the provider through the ledger."""
    existing = db.session.scalar(select(CareSponsorship).where(
        CareSponsorship.enterprise_id == enterprise.id, CareSponsorship.team_id == team.id))
    if existing is None and admin is not None:
        agreements.sponsor_team(enterprise, actor=admin, team_id=team.id, now=now)
    elif existing is not None and existing.programme_id is None:  # made before pots paid
        programme = payments.sponsor_programme(existing, currency=team.currency)
        existing.programme_id = programme.id if programme else None
        db.session.flush()


def _agreement(team: CareTeam, user: User | None, *, since_days: int, now: datetime,
               share: tuple[str, ...], goals: list[dict], readings: list[tuple],
               messages: list[tuple[str, str]], physician: User | None,
               follow_up_days: int | None = None) -> CareAgreement | None:
    """An agreement signed ``since_days`` ago, its plan, readings (kind, values, days ago),
    messages (who, text) and a follow-up."""
    if user is None:
        return None
    existing = db.session.scalar(select(CareAgreement).where(CareAgreement.user_id == user.id))
    if existing is not None:
        return existing
    signed = now - timedelta(days=since_days)
    today = agreements.local_today(team.provider, signed)
    agreement = agreements.sign_agreement(
        team, actor=user, starts_on=today, accept_terms=True, terms_version=team.terms_version,
        terms_sha256=agreements.terms_digest(team.terms(user.locale or "zh_CN")),
        locale=user.locale or "zh_CN", share_fields=share, dependant_ids=[], now=signed)
    planner = physician or next((m.user for m in team.members if m.user), None)
    plan_at = signed + timedelta(days=1)
    if planner is not None and goals:
        plans.set_plan(agreement, actor=planner, goals=[
            {**{k: v for k, v in g.items() if k != "due_in_days"},
             "due_on": agreements.local_today(team.provider, plan_at)
             + timedelta(days=g.get("due_in_days", 90))} for g in goals],
            notes="每天早晚各测一次血压，记录在这里。", now=plan_at,
            today=agreements.local_today(team.provider, plan_at))
    for kind, values, days_ago in readings:
        at = now - timedelta(days=days_ago, hours=1)
        plans.log_measurement(agreement, actor=user, kind=kind, values=values, measured_at=at,
                              now=at)
    for index, (who, text) in enumerate(messages):
        sender = user if who == "client" else planner
        if sender is not None:
            plans.post_message(agreement, actor=sender, body=text,
                               now=signed + timedelta(days=2 + index, hours=index))
    if planner is not None and follow_up_days:
        local = now.astimezone(agreements.zone_of(team.provider)) + timedelta(
            days=follow_up_days)
        plans.schedule_follow_up(
            agreement, actor=planner,
            starts_at=local.replace(hour=10, minute=0, second=0, microsecond=0),
            duration_minutes=30, mode="phone", note="复查家庭血压记录", now=now)
    return agreement


def _yearly_checkups(park: Park, now: datetime) -> None:
    """Each staff account gets a check-up in April last year and this year; values vary
    by person, so that some flags fall and others stay (the outcome indicators)."""
    year = now.year
    if date(year, 4, 15) > now.date():
        return
    staff = list(db.session.scalars(
        select(User).join(Membership, Membership.user_id == User.id)
        .join(Enterprise, Enterprise.id == Membership.enterprise_id)
        .where(Enterprise.park_id == park.id, Membership.role == Role.EMPLOYEE,
               User.email.like("staff%")).order_by(User.id)))
    for index, user in enumerate(staff):
        for on, improved in ((date(year - 1, 4, 15), False), (date(year, 4, 15), True)):
            if db.session.scalar(select(CheckUp.id).where(CheckUp.user_id == user.id,
                                                          CheckUp.dependant_id.is_(None),
                                                          CheckUp.measured_on == on)):
                continue
            high_bp = index % 3 == 0 and not (improved and index % 2 == 0)
            high_glucose = index % 5 == 0
            heavy = index % 4 == 1
            readings = {"systolic": 146.0 if high_bp else 118.0,
                        "diastolic": 94.0 if high_bp else 76.0,
                        "fasting_glucose": 7.2 if high_glucose else 5.1,
                        "height": 170.0, "weight": 78.0 if heavy else 62.0,
                        "ldl": 4.3 if index % 6 == 2 and not improved else 2.8}
            db.session.add(CheckUp(user_id=user.id, measured_on=on,
                                   data={"source": CHECKUP_SOURCE, "readings": readings},
                                   created_at=now))
    db.session.flush()


def seed_care(park: Park, *, now: datetime) -> None:
    xinglin = db.session.scalar(select(ProviderOrganisation).where(
        ProviderOrganisation.park_id == park.id,
        ProviderOrganisation.name_en == "Xinglin TCM Clinic"))
    if xinglin is None:
        return
    doctor_sun = db.session.scalar(select(Practitioner).where(
        Practitioner.provider_id == xinglin.id, Practitioner.name_en == "Sun Xinglin"))
    doctor_zhou = db.session.scalar(select(Practitioner).where(
        Practitioner.provider_id == xinglin.id, Practitioner.name_en == "Zhou Qihuang"))
    tcm = _team(xinglin, kind="tcm",
                names=("杏林中医家庭医生团队", "Xinglin TCM family physicians"),
                description=("中医体质调理、三高饮食与运动指导，每月随访。",
                             "TCM constitution care, diet and exercise advice for the three "
                             "highs, a follow-up every month."),
                price_minor=60_000, members=[m for m in (doctor_sun, doctor_zhou) if m],
                actor=_user("provider@parkwell.demo"), now=now)
    gp = _gp_practice(park, now)
    gp_doctor = _gp_login(gp, now)
    wang = _practitioner(gp, "王全科", "Dr Wang Quan", ("全科主治医师", "General practitioner"),
                         now, user=gp_doctor)
    zhao = _practitioner(gp, "赵护士", "Nurse Zhao", ("社区护士", "Community nurse"), now)
    gp_team = _team(gp, kind="general_practice", names=("新泾全科家庭医生团队",
                                                        "Xinjing GP family doctors"),
                    description=("高血压、糖尿病等慢病管理，家庭成员可一同签约。",
                                 "Chronic care for hypertension and diabetes; family members "
                                 "may be covered."),
                    price_minor=0, members=[wang, zhao], actor=gp_doctor, now=now)
    xinjing = db.session.scalar(select(Enterprise).where(
        Enterprise.park_id == park.id, Enterprise.name_en == "Xinjing Smart Tech"))
    if xinjing is not None:
        _sponsor(xinjing, tcm, _user("hr@parkwell.demo"), now)
    sun = _user("provider@parkwell.demo")
    bp_goal = {"kind": "blood_pressure", "target": [135, 85], "alert_above": [160, 100],
               "due_in_days": 90}
    activity = {"kind": "activity", "target": 150, "due_in_days": 30}
    _agreement(tcm, _user("employee@parkwell.demo"), since_days=40, now=now,
               share=("blood_pressure", "body", "lifestyle"), goals=[bp_goal, activity],
               readings=[("blood_pressure", {"systolic": 146, "diastolic": 95}, 35),
                         ("blood_pressure", {"systolic": 142, "diastolic": 92}, 28),
                         ("activity", {"value": 90}, 28),
                         ("blood_pressure", {"systolic": 139, "diastolic": 89}, 21),
                         ("blood_pressure", {"systolic": 162, "diastolic": 101}, 14),
                         ("activity", {"value": 130}, 14),
                         ("blood_pressure", {"systolic": 136, "diastolic": 86}, 7),
                         ("blood_pressure", {"systolic": 133, "diastolic": 84}, 2),
                         ("activity", {"value": 160}, 2)],
               messages=[("client", "孙医生您好，最近加班多，血压有点高。"),
                         ("team", "请每天早晚各测一次血压，少盐，每周快走三次，每次30分钟。"),
                         ("client", "好的，这周快走了三次。")],
               physician=sun, follow_up_days=10)
    _agreement(tcm, _user("staff01@xinjing-tech.demo"), since_days=30, now=now,
               share=("body", "lipids"),
               goals=[{"kind": "weight", "target": 75, "due_in_days": 120}, activity],
               readings=[("weight", {"value": 81.5}, 25), ("weight", {"value": 80.2}, 10),
                         ("activity", {"value": 150}, 5)],
               messages=[], physician=sun)
    for n, (systolic, diastolic) in enumerate(((128, 80), (131, 83), (138, 88), (126, 79)),
                                             start=3):
        _agreement(tcm, _user(f"staff{n:02d}@xinjing-tech.demo"), since_days=20 + n, now=now,
                   share=("blood_pressure",), goals=[dict(bp_goal)],
                   readings=[("blood_pressure", {"systolic": systolic + 8,
                                                 "diastolic": diastolic + 6}, 15),
                             ("blood_pressure", {"systolic": systolic,
                                                 "diastolic": diastolic}, 3)],
                   messages=[], physician=sun)
    _agreement(gp_team, _user("multi@parkwell.demo"), since_days=25, now=now,
               share=("blood_pressure", "glucose"), goals=[dict(bp_goal), {
                   "kind": "glucose", "target": 6.1, "alert_above": 10.0, "alert_below": 3.9,
                   "due_in_days": 90}],
               readings=[("blood_pressure", {"systolic": 158, "diastolic": 99}, 20),
                         ("glucose", {"value": 6.6}, 20),
                         ("blood_pressure", {"systolic": 149, "diastolic": 93}, 6),
                         ("glucose", {"value": 6.3}, 6)],
               messages=[("client", "王医生，降压药需要调整吗？")], physician=None)
    _agreement(gp_team, _user("staff01@yunfan-logistics.demo"), since_days=15, now=now,
               share=("glucose", "body"), goals=[{
                   "kind": "glucose", "target": 7.0, "alert_above": 13.9, "alert_below": 3.9,
                   "due_in_days": 90}],
               readings=[("glucose", {"value": 8.4}, 12), ("glucose", {"value": 7.6}, 4)],
               messages=[], physician=None)
    _yearly_checkups(park, now)
    db.session.flush()
