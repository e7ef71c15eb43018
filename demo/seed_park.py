"""Demo events for the demo park: three venues, a TCM culture week (中医药文化周, five days
of talks and workshops, family welcome) and a mental-health week (心理健康周), published,
with registrations by employee@parkwell.demo (and her child, for the family workshop) and
colleagues, one ticket already checked in, and a full small group with a waitlist; and a
paid Mid-Autumn mooncake workshop (中秋月饼工作坊, ¥50 a place, family welcome) with a cover
image, paid at the benefits checkout from the employee's budget and/or by card.

Idempotent: venues and events are found by their English names and created only when
missing; registrations are made only for an event that was just created.
"""

from __future__ import annotations

import io
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from PIL import Image, ImageDraw
from sqlalchemy import select

from core.accounts.models import Enterprise, Membership, Park, Role, User
from core.db import db
from health.models import Dependant
from park import checkin, covers, feedback, registration, services
from park.models import Event, EventKind, Venue

VENUES = [  # zh, en, location, capacity
    ("国医馆讲堂", "TCM Hall", "B2 栋 1 楼", 60),
    ("园区多功能厅", "Multi-purpose Hall", "A1 栋 3 楼", 120),
    ("静心室", "Quiet Room", "C3 栋 2 楼", 12),
]

TCM_SESSIONS = [  # day offset, hour, hours, venue, zh, en, capacity
    (1, 12, 1, "TCM Hall", "开幕：四季养生讲座", "Opening: eating with the seasons", 60),
    (2, 12, 1, "TCM Hall", "八段锦体验课", "Baduanjin practice", 40),
    (3, 18, 2, "Multi-purpose Hall", "香囊制作工作坊（可带家属）",
     "Herbal sachet workshop (families)", 80),
    (4, 12, 1, "Quiet Room", "耳穴压豆小班", "Ear acupressure, small group", 4),
    (5, 12, 1, "TCM Hall", "体质辨识与义诊", "Constitution check and free consultations", 60),
]

MOONCAKE_SESSIONS = [
    (12, 18, 2, "Multi-purpose Hall", "中秋月饼工作坊", "Mid-Autumn mooncake workshop", 30),
]
MOONCAKE_PRICE_MINOR = 5_000  #: ¥50

MIND_SESSIONS = [
    (8, 12, 1, "Multi-purpose Hall", "职场压力与睡眠", "Stress at work and sleep", 100),
    (9, 18, 1, "Quiet Room", "正念减压入门", "Mindfulness for beginners", 12),
    (10, 12, 1, "Multi-purpose Hall", "如何倾听同事", "How to listen to a colleague", 100),
]


def _user(email: str) -> User | None:
    return db.session.scalar(select(User).where(User.email == email))


def _colleagues(park: Park, limit: int) -> list[User]:
    return list(db.session.scalars(
        select(User).join(Membership, Membership.user_id == User.id)
        .join(Enterprise, Enterprise.id == Membership.enterprise_id)
        .where(Enterprise.park_id == park.id, Membership.role == Role.EMPLOYEE,
               User.email.like("staff%")).order_by(User.id).limit(limit)))


def _at(park: Park, now: datetime, days: int, hour: int) -> datetime:
    local = now.astimezone(ZoneInfo(park.timezone)) + timedelta(days=days)
    return local.replace(hour=hour, minute=0, second=0, microsecond=0)


def _event(park: Park, committee: User, venues: dict[str, Venue], *, now: datetime,
           title: tuple[str, str], description: tuple[str, str], kind: EventKind,
           family_places: int, sessions, price_minor: int = 0) -> tuple[Event, bool]:
    existing = db.session.scalar(select(Event).where(Event.park_id == park.id,
                                                     Event.title_en == title[1]))
    if existing is not None:
        return existing, False
    event = services.create_event(
        park, actor=committee, title_zh=title[0], title_en=title[1],
        description_zh=description[0], description_en=description[1], kind=kind,
        family_places=family_places, registration_opens_at=now - timedelta(days=1),
        registration_closes_at=_at(park, now, sessions[-1][0], 0), price_minor=price_minor,
        now=now)
    for day, hour, hours, venue, zh, en, capacity in sessions:
        starts = _at(park, now, day, hour)
        services.add_session(event, actor=committee, venue_id=venues[venue].id,
                             starts_at=starts, ends_at=starts + timedelta(hours=hours),
                             capacity=capacity, title_zh=zh, title_en=en, now=now)
    services.publish_event(event, actor=committee, now=now)
    return event, True


#: What colleagues said of the opening talk (the committee reads it on the event's page).
OPENING_FEEDBACK = ((4, "内容实用，就是会场有点热。"), (3, ""),
                    (5, "Very clear, thank you. More sessions in English please."))


def seed_park(park: Park, *, now: datetime) -> None:
    committee = _user("committee@parkwell.demo")
    employee = _user("employee@parkwell.demo")
    if committee is None or employee is None:
        return
    venues = {}
    for zh, en, location, capacity in VENUES:
        venue = db.session.scalar(select(Venue).where(Venue.park_id == park.id,
                                                      Venue.name_en == en))
        venues[en] = venue or services.create_venue(
            park, actor=committee, name_zh=zh, name_en=en, location=location,
            capacity=capacity, now=now)
    tcm, tcm_new = _event(
        park, committee, venues, now=now, title=("中医药文化周", "TCM culture week"),
        description=("五天的中医药文化活动：讲座、八段锦、香囊制作、体质辨识。",
                     "Five days of traditional Chinese medicine: talks, Baduanjin, herbal "
                     "sachets and constitution checks."),
        kind=EventKind.FESTIVAL_WEEK, family_places=2, sessions=TCM_SESSIONS)
    _mind, _mind_new = _event(
        park, committee, venues, now=now, title=("心理健康周", "Mental-health week"),
        description=("关注压力、睡眠与正念，学会照顾自己和同事。",
                     "Stress, sleep and mindfulness: looking after yourself and colleagues."),
        kind=EventKind.TALK, family_places=0, sessions=MIND_SESSIONS)
    mooncake, mooncake_new = _event(
        park, committee, venues, now=now, title=("中秋月饼工作坊", "Mid-Autumn mooncake workshop"),
        description=("和园区面点师一起做广式月饼，成品带回家。每位 50 元，可用健康福利预算支付。",
                     "Make Cantonese mooncakes with the park's pastry chef and take them home. "
                     "¥50 a place, payable from your wellbeing budget."),
        kind=EventKind.WORKSHOP, family_places=1, sessions=MOONCAKE_SESSIONS,
        price_minor=MOONCAKE_PRICE_MINOR)
    if mooncake_new:
        covers.set_cover(mooncake, actor=committee, content=mooncake_cover(),
                         filename="mooncake.png", now=now)
    if not tcm_new:
        return
    opening, baduanjin, sachet, ear, _check = tcm.sessions
    mine = registration.register(opening, actor=employee, now=now)
    registration.register(baduanjin, actor=employee, now=now)
    registration.register(sachet, actor=employee, now=now)
    child = db.session.scalar(select(Dependant).where(Dependant.user_id == employee.id)
                              .order_by(Dependant.id).limit(1))
    if child is not None:  # the health demo gives the employee a child and a parent
        registration.register(sachet, actor=employee, now=now, dependant_id=child.id)
    checkin.check_in(opening, code=mine.ticket_code, actor=committee, now=now)
    colleagues = _colleagues(park, 8)
    at_opening = [registration.register(opening, actor=c, now=now) for c in colleagues[:5]]
    feedback.give_feedback(tcm, actor=employee, rating=5, comment="讲得很生动，希望多办几场。",
                           now=now)
    for reg, (rating, comment) in zip(at_opening, OPENING_FEEDBACK, strict=False):
        checkin.check_in(opening, code=reg.ticket_code, actor=committee, now=now)
        feedback.give_feedback(tcm, actor=reg.user, rating=rating, comment=comment, now=now)
    for colleague in colleagues[:4]:  # the small group fills up...
        registration.register(ear, actor=colleague, now=now)
    registration.register(ear, actor=employee, now=now, join_waitlist=True)  # ...and waits
    db.session.flush()



def mooncake_cover() -> bytes:
    """A small generated PNG: a golden mooncake with its pattern on a night-blue sky."""
    image = Image.new("RGB", (480, 240), (24, 36, 72))
    draw = ImageDraw.Draw(image)
    draw.ellipse((380, 24, 444, 88), fill=(250, 232, 170))  # the full moon
    draw.ellipse((150, 50, 330, 230), fill=(205, 140, 50), outline=(150, 90, 30), width=6)
    draw.ellipse((185, 85, 295, 195), outline=(240, 190, 100), width=4)
    for dx, dy in ((0, -70), (0, 70), (-70, 0), (70, 0)):
        draw.ellipse((232 + dx, 132 + dy, 248 + dx, 148 + dy), fill=(240, 190, 100))
    out = io.BytesIO()
    image.save(out, "PNG", optimize=True)
    return out.getvalue()
