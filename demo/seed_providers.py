"""Demo supply for the Xinjing Demo Park: profiles, practitioners, services and schedules
for the 12 demo providers of ``demo.seed``.

Weekly rules start on Monday 28 September 2026 (or four weeks before an earlier seed date),
so that the first four weeks of schedules
cover National Day (1-7 October, closed for those who observe public holidays) and the
make-up working Saturday of 10 October (调休, worked with Monday's hours); date exceptions
(time off, extra hours) fall in the four weeks after the seed date. Idempotent: everything
is found by a natural key before it is created.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

from sqlalchemy import select

from core.accounts.models import Park, ProviderOrganisation, User
from core.clock import to_zone
from core.db import db
from providers.models import (
    AvailabilityRule,
    DeliveryMode,
    ExceptionKind,
    Practitioner,
    ProviderCategory,
    ProviderCategoryLink,
    ProviderProfile,
    ScheduleException,
    Service,
    VerificationStatus,
)

RULES_START = date(2026, 9, 28)


def rules_start(today: date) -> date:
    """Monday 28 September 2026, or four weeks before a seed made earlier than that (the
    demo's past bookings need past working days)."""
    return min(RULES_START, today - timedelta(days=28))
STATION_ZH = "新泾园区健康驿站（A栋1楼）"
STATION_EN = "Xinjing Park Health Station (Building A, 1F)"

# name_en → (description zh, description en, venues, address zh, address en, languages,
#            practitioners [(zh, en, title zh, title en, BYDAY, start, end, observes)],
#            services [(zh, en, category, mode, minutes, buffer after, capacity, fen,
#                       health needs, details)])
PROVIDERS: dict[str, tuple] = {
    "Xinglin TCM Clinic": (
        "三代中医世家，擅长针灸、推拿与体质调理，每周二、四在园区健康驿站坐诊。",
        "A third-generation TCM family clinic: acupuncture, tuina and constitution care; "
        "at the park health station on Tuesdays and Thursdays.",
        ["park_station", "premises"], "长宁区新泾路88号", "88 Xinjing Road, Changning",
        ["zh", "wuu", "en"],
        [("孙杏林", "Sun Xinglin", "主任中医师", "Chief TCM physician", "TU,TH", 9, 12, True),
         ("周岐黄", "Zhou Qihuang", "推拿师", "Tuina therapist", "MO,TU,WE,TH,FR", 13, 18,
          True)],
        [("中医体质辨识与调理", "TCM constitution assessment", "tcm", "park_station", 30, 10,
          1, 9900, ["sleep", "stress"], {}),
         ("颈肩推拿", "Neck and shoulder tuina", "tcm", "park_station", 45, 15, 1, 16800,
          ["neck_shoulder", "back_pain"], {})]),
    "Qihuang Tuina Therapy Centre": (
        "专注办公室人群的颈肩腰腿痛推拿与艾灸。", "Tuina and moxibustion for desk workers' "
        "neck, shoulder and back pain.", ["premises"], "长宁区天山路1718号",
        "1718 Tianshan Road, Changning", ["zh"],
        [("吴明", "Wu Ming", "高级推拿师", "Senior tuina therapist", "MO,WE,FR", 10, 17, True),
         ("林静", "Lin Jing", "艾灸师", "Moxibustion therapist", "TU,TH,SA", 10, 16, False)],
        [("腰背推拿", "Lower-back tuina", "tcm", "premises", 60, 15, 1, 19800,
          ["back_pain"], {}),
         ("艾灸调理", "Moxibustion session", "tcm", "premises", 40, 20, 1, 12800,
          ["sleep"], {})]),
    "Home of Recovery Sports Rehab": (
        "运动损伤与术后康复，持证物理治疗师一对一评估。",
        "Sports injury and post-operative rehabilitation with licensed physiotherapists.",
        ["premises", "park_station"], "长宁区金钟路968号", "968 Jinzhong Road, Changning",
        ["zh", "en"],
        [("马超", "Ma Chao", "物理治疗师", "Physiotherapist", "MO,TU,WE,TH,FR", 9, 17, True),
         ("高华", "Gao Hua", "康复治疗师", "Rehabilitation therapist", "TU,TH", 18, 21,
          True)],
        [("运动损伤康复评估", "Sports injury assessment", "rehabilitation", "premises", 60,
          15, 1, 28800, ["back_pain", "elderly_mobility"], {"requires_referral": False}),
         ("术后康复训练", "Post-operative rehabilitation", "rehabilitation", "premises", 45,
          15, 1, 25800, ["elderly_mobility"], {"requires_referral": True})]),
    "Spine Health Physiotherapy": (
        "脊柱健康筛查与小组核心训练。", "Spine screening and small-group core training.",
        ["park_station"], "", "", ["zh", "en"],
        [("徐磊", "Xu Lei", "脊柱康复师", "Spine physiotherapist", "MO,WE,FR", 12, 14, True)],
        [("午间脊柱保健操（小组）", "Lunchtime spine class (group)", "rehabilitation",
          "park_station", 45, 15, 8, 3800, ["back_pain", "neck_shoulder"],
          {"requires_referral": False})]),
    "Sunny Mind Counselling Centre": (
        "国家二级心理咨询师团队，提供面谈与视频咨询。",
        "Licensed counsellors offering face-to-face and video sessions.",
        ["premises", "online"], "长宁区仙霞路99号", "99 Xianxia Road, Changning",
        ["zh", "en"],
        [("何晓东", "He Xiaodong", "心理咨询师", "Counsellor", "MO,TU,WE,TH", 10, 18, True),
         ("罗秀英", "Luo Xiuying", "心理咨询师", "Counsellor", "TU,TH,SA", 9, 15, True)],
        [("个体心理咨询（视频）", "Individual counselling (video)", "counselling", "online",
          50, 10, 1, 30000, ["stress", "sleep", "mental_wellbeing"],
          {"intake_questionnaire": "intake-v1", "session_link": "https://meet.example.com/sunny"}),
         ("压力管理面谈", "Stress management session", "counselling", "premises", 50, 10,
          1, 26000, ["stress"], {"intake_questionnaire": "intake-v1"})]),
    "Yuexin EAP Employee Assistance": (
        "企业员工援助计划（EAP）：心理热线、团体减压工作坊。",
        "Employee assistance: counselling and group stress-relief workshops.",
        ["park_station", "online"], "", "", ["zh", "en", "ja"],
        [("郭慧", "Guo Hui", "EAP顾问", "EAP consultant", "MO,WE,FR", 9, 17, True)],
        [("团体减压工作坊", "Group stress-relief workshop", "counselling", "park_station",
          90, 30, 12, 0, ["stress", "mental_wellbeing"], {"intake_questionnaire": None,
                                                         "session_link": None})]),
    "Park Heritage Culture Workshop": (
        "非遗手作：剪纸、扎染与茶艺，适合午休与亲子。",
        "Intangible heritage crafts: paper-cutting, tie-dye and tea ceremony.",
        ["park_station"], "", "", ["zh"],
        [("赵娟", "Zhao Juan", "非遗传承人", "Heritage craft master", "WE,SA", 13, 17, True)],
        [("剪纸体验课", "Paper-cutting class", "culture", "park_station", 90, 30, 15, 6800,
          ["stress"], {})]),
    "Solar Terms Wellness Society": (
        "二十四节气养生讲座与八段锦晨练。",
        "Talks on the 24 solar terms and morning Baduanjin practice.",
        ["park_station"], "", "", ["zh"],
        [("胡建国", "Hu Jianguo", "养生导师", "Wellness teacher", "TU,TH", 7, 9, True)],
        [("八段锦晨练", "Morning Baduanjin", "culture", "park_station", 45, 15, 20, 0,
          ["elderly_mobility", "stress"], {})]),
    "Shanshui Wellness Travel": (
        "周末康养短途游：温泉、森林步道与药膳。",
        "Weekend wellness trips: hot springs, forest walks and medicinal cuisine.",
        ["trip"], "长宁区延安西路2299号", "2299 West Yan'an Road, Changning", ["zh", "en"],
        [("朱勇", "Zhu Yong", "领队", "Trip leader", "SA", 8, 18, False)],
        [("莫干山两日康养游", "Two-day Moganshan wellness trip", "travel_wellness", "trip",
          480, 0, 20, 128000, ["stress", "sleep"],
          {"days": 2, "seats": 20, "deposit_minor": 30000,
           "itinerary_zh": ["竹林步道与药膳午餐", "温泉与太极"],
           "itinerary_en": ["Bamboo forest walk and medicinal lunch",
                            "Hot spring and tai chi"]})]),
    "Zen Forest Healing Trips": (
        "森林疗愈与正念徒步一日游。", "Forest therapy and mindful hiking day trips.",
        ["trip"], "", "", ["zh", "en"],
        [("杨洋", "Yang Yang", "森林疗愈师", "Forest therapy guide", "SU", 8, 18, False)],
        [("佘山森林疗愈一日", "Sheshan forest-therapy day", "travel_wellness", "trip", 480,
          0, 15, 39800, ["stress"],
          {"days": 1, "seats": 15, "deposit_minor": 10000,
           "itinerary_zh": ["森林正念徒步与茶会"],
           "itinerary_en": ["Mindful forest walk and tea gathering"]})]),
    "Little Oak Childcare Centre": (
        "园区内托育，2-6岁，持证保育员，凭授权接送。",
        "On-site childcare for ages 2 to 6 with certified carers; authorised pick-up only.",
        ["park_station"], STATION_ZH, STATION_EN, ["zh", "en"],
        [("李芳", "Li Fang", "保育员", "Childcare worker", "MO,TU,WE,TH,FR", 8, 18, True)],
        [("临时托育（半天）", "Half-day childcare", "childcare", "park_station", 240, 0, 6,
          8000, ["child_development"],
          {"age_bands": [{"min_months": 24, "max_months": 72}],
           "requires_authorised_pickup": True})]),
    "Joyful Age Family Care": (
        "长者居家照护咨询与亲子成长评估。",
        "Elder home-care advice and child development check-ins.",
        ["premises", "online"], "长宁区哈密路1955号", "1955 Hami Road, Changning", ["zh"],
        [("张敏", "Zhang Min", "照护顾问", "Care adviser", "MO,WE,FR", 9, 12, True)],
        [("长者照护咨询", "Elder-care consultation", "eldercare", "online", 45, 15, 1, 0,
          ["elderly_mobility"], {}),
         ("儿童发育评估", "Child development check", "childcare", "premises", 60, 15, 1,
          15800, ["child_development"],
          {"age_bands": [{"min_months": 0, "max_months": 36}],
           "requires_authorised_pickup": True})]),
}

#: The staff login of Xinglin TCM Clinic is its practitioner Zhou Qihuang.
PRACTITIONER_LOGINS = {"Zhou Qihuang": "therapist@parkwell.demo",
                       "Sun Xinglin": "provider@parkwell.demo"}


def _profile(provider: ProviderOrganisation, spec: tuple, now: datetime) -> None:
    desc_zh, desc_en, venues, addr_zh, addr_en, languages = spec[:6]
    if db.session.get(ProviderProfile, provider.id) is None:
        db.session.add(ProviderProfile(
            provider_id=provider.id, description_zh=desc_zh, description_en=desc_en,
            venues=venues, address_zh=addr_zh or STATION_ZH, address_en=addr_en or STATION_EN,
            languages=languages, photo_urls=[], updated_at=now))


def _practitioner(provider: ProviderOrganisation, spec: tuple, now: datetime) -> Practitioner:
    name_zh, name_en, title_zh, title_en, _days, _start, _end, observes = spec
    practitioner = db.session.scalar(select(Practitioner).where(
        Practitioner.provider_id == provider.id, Practitioner.name_en == name_en))
    if practitioner is None:
        login = PRACTITIONER_LOGINS.get(name_en)
        user = db.session.scalar(select(User).where(User.email == login)) if login else None
        practitioner = Practitioner(
            provider=provider, user_id=user.id if user else None, name_zh=name_zh,
            name_en=name_en, title_zh=title_zh, title_en=title_en, languages=["zh"],
            status=VerificationStatus.VERIFIED, is_active=True,
            observes_public_holidays=observes, created_at=now)
        db.session.add(practitioner)
        db.session.flush()
    return practitioner


def _rule(practitioner: Practitioner, spec: tuple, park: Park, now: datetime) -> None:
    days, start, end = spec[4], time(spec[5]), time(spec[6])
    rrule = f"FREQ=WEEKLY;BYDAY={days}"
    # Any rule at all: once someone has saved their week in the editor (which may group
    # the days differently), seeding again must not add the demo's hours on top.
    exists = db.session.scalar(select(AvailabilityRule.id).where(
        AvailabilityRule.practitioner_id == practitioner.id).limit(1))
    if exists is None:
        db.session.add(AvailabilityRule(
            practitioner=practitioner, rrule=rrule,
            starts_on=rules_start(to_zone(now, park.timezone).date()), start_time=start,
            end_time=end, timezone=park.timezone, created_at=now))


#: title_en → (description zh, description en): the words people search with (按摩 and
#: massage, 颈椎, 失眠 and insomnia, counselling, rehab) are in the demo's own text.
DESCRIPTIONS = {
    "TCM constitution assessment": (
        "中医望闻问切辨识体质，针对失眠、疲劳、压力给出调理方案。",
        "A TCM assessment of your constitution, with advice for insomnia, fatigue and "
        "stress."),
    "Neck and shoulder tuina": (
        "针对颈椎不适、肩颈僵硬的推拿按摩，久坐办公人群适用。",
        "Tuina massage for a stiff neck and shoulders (cervical strain) from long hours at "
        "a desk."),
    "Lower-back tuina": ("缓解腰背酸痛、腰肌劳损的推拿按摩。",
                         "Tuina massage that eases lower back pain and lumbar strain."),
    "Moxibustion session": ("温和艾灸，改善手脚冰凉、疲劳与睡眠。",
                            "Gentle moxibustion for cold hands and feet, fatigue and sleep."),
    "Sports injury assessment": ("运动损伤（扭伤、拉伤）康复评估，附训练计划。",
                                 "A rehabilitation assessment of a sprain or strain, with an "
                                 "exercise plan."),
    "Post-operative rehabilitation": ("术后康复训练，由康复治疗师一对一指导。",
                                      "One-to-one rehabilitation (rehab) after surgery with a "
                                      "physiotherapist."),
    "Lunchtime spine class (group)": ("午间脊柱保健操，缓解颈椎与腰背疲劳。",
                                      "A lunchtime class for the spine: relief for a stiff "
                                      "neck and back."),
    "Individual counselling (video)": (
        "一对一心理咨询（视频），倾诉压力、焦虑、失眠与情绪困扰。",
        "One-to-one psychological counselling by video: stress, anxiety, insomnia and low "
        "mood."),
    "Stress management session": ("压力管理面谈：学习应对压力、改善睡眠的方法。",
                                  "Learn to manage stress and sleep better with a "
                                  "counsellor."),
    "Group stress-relief workshop": ("团体减压工作坊：正念与放松练习。",
                                     "A group workshop on mindfulness and relaxation."),
    "Paper-cutting class": ("非遗剪纸体验课。", "An intangible-heritage paper-cutting class."),
    "Morning Baduanjin": ("八段锦晨练，舒展筋骨。", "Morning Baduanjin qigong to loosen up."),
    "Two-day Moganshan wellness trip": ("莫干山两日康养游：竹林徒步与森林疗愈。",
                                        "Two days in Moganshan: bamboo-forest walks and "
                                        "wellness."),
    "Sheshan forest-therapy day": ("佘山森林疗愈一日。", "A day of forest therapy at Sheshan."),
    "Half-day childcare": ("专业保育员看护的半天临时托育。",
                           "Half-day childcare by qualified carers."),
    "Elder-care consultation": ("为家中老人提供照护咨询。",
                                "Advice on caring for an elderly parent."),
    "Child development check": ("儿童发育评估与养育建议。",
                                "A check of your child's development, with advice."),
}


def _service(provider: ProviderOrganisation, spec: tuple, practitioners: list[Practitioner],
             now: datetime) -> None:
    (title_zh, title_en, category, mode, minutes, after, capacity, fen, needs,
     details) = spec
    description_zh, description_en = DESCRIPTIONS.get(title_en, ("", ""))
    existing = db.session.scalar(select(Service).where(Service.provider_id == provider.id,
                                                       Service.title_en == title_en))
    if existing is not None:
        if not existing.description_zh and not existing.description_en:
            # A demo seeded before the descriptions were written gets them once.
            existing.description_zh, existing.description_en = description_zh, description_en
        return
    db.session.add(Service(
        provider=provider, category=ProviderCategory(category), delivery_mode=DeliveryMode(mode),
        title_zh=title_zh, title_en=title_en, description_zh=description_zh,
        description_en=description_en,
        duration_minutes=minutes, buffer_before_minutes=0, buffer_after_minutes=after,
        capacity=capacity, price_minor=fen, currency=provider.park.currency,
        free_cancel_hours=24, late_cancel_fee_percent=50 if fen else 0,
        min_notice_minutes=120 if capacity == 1 else 60,
        horizon_days=60 if category == "travel_wellness" else 28, health_needs=needs,
        min_age=18 if category in ("counselling", "tcm", "rehabilitation") else None,
        max_age=None, allows_dependants=category in ("childcare", "eldercare"),
        screening_questionnaire="phq9" if category == "counselling" else None,
        contraindications=["pregnancy"] if "tuina" in title_en.lower() else [],
        details=details, is_active=True, created_at=now, updated_at=now,
        practitioners=practitioners))


def _exception(practitioner: Practitioner, *, on: date, kind: ExceptionKind, note: str,
               start: time | None, end: time | None, timezone: str, now: datetime) -> None:
    if db.session.scalar(select(ScheduleException.id).where(
            ScheduleException.practitioner_id == practitioner.id,
            ScheduleException.happens_on == on, ScheduleException.note == note)):
        return
    db.session.add(ScheduleException(
        practitioner=practitioner, kind=kind, happens_on=on, start_time=start, end_time=end,
        timezone=timezone, note=note, sequence=0, created_at=now, updated_at=now))


def seed_providers(park: Park, *, now: datetime) -> None:
    """Complete the demo providers of ``park`` (those named in ``PROVIDERS``)."""
    today = to_zone(now, park.timezone).date()
    monday = today - timedelta(days=today.weekday())
    for provider in db.session.scalars(select(ProviderOrganisation).where(
            ProviderOrganisation.park_id == park.id)):
        spec = PROVIDERS.get(provider.name_en)
        if spec is None:
            continue
        _profile(provider, spec, now)
        practitioners = []
        for p_spec in spec[6]:
            practitioner = _practitioner(provider, p_spec, now)
            _rule(practitioner, p_spec, park, now)
            practitioners.append(practitioner)
        for s_spec in spec[7]:
            _service(provider, s_spec, practitioners, now)
        for s_spec in spec[7]:
            category = ProviderCategory(s_spec[2])
            if db.session.get(ProviderCategoryLink, (provider.id, category)) is None:
                db.session.add(ProviderCategoryLink(provider_id=provider.id,
                                                    category=category))
                db.session.flush()
        first = practitioners[0]
        _exception(first, on=monday + timedelta(days=9), kind=ExceptionKind.CLOSED,
                   note="培训 Training day", start=None, end=None, timezone=park.timezone,
                   now=now)
        _exception(first, on=monday + timedelta(days=19), kind=ExceptionKind.EXTRA,
                   note="加班 Extra evening", start=time(18), end=time(20),
                   timezone=park.timezone, now=now)
    db.session.flush()
