"""The Xinjing Demo Park (新泾示范园区): enough of a park to try every feature by hand.

Idempotent: everything is found by a natural key (park code, names, emails) before it is
created, so that running it twice changes nothing. Later issues extend it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select

from core import security
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
from demo.seed_benefits import seed_benefits
from demo.seed_booking import seed_booking
from demo.seed_care import seed_care
from demo.seed_discovery import seed_discovery
from demo.seed_health import seed_health
from demo.seed_park import seed_park
from demo.seed_prevention import seed_prevention
from demo.seed_providers import seed_providers
from providers.models import ProviderCategory, ProviderCategoryLink

DEMO_PASSWORD = "parkwell-demo"
PARK_CODE = "xinjing-demo"

ENTERPRISES = [
    # (zh, en, invite code, email domain)
    ("新泾智能科技有限公司", "Xinjing Smart Tech", "XJTECH26", "xinjing-tech.demo"),
    ("云帆物流有限公司", "Yunfan Logistics", "YUNFAN26", "yunfan-logistics.demo"),
    ("禾丰生物医药有限公司", "Hefeng Biopharma", "HEFENG26", "hefeng-bio.demo"),
]
EMPLOYEES_PER_ENTERPRISE = 20

PROVIDERS = [
    ("杏林中医馆", "Xinglin TCM Clinic", [ProviderCategory.TCM]),
    ("岐黄推拿理疗中心", "Qihuang Tuina Therapy Centre", [ProviderCategory.TCM]),
    ("康复之家运动康复", "Home of Recovery Sports Rehab", [ProviderCategory.REHABILITATION]),
    ("脊椎健康物理治疗所", "Spine Health Physiotherapy", [ProviderCategory.REHABILITATION]),
    ("心晴心理咨询中心", "Sunny Mind Counselling Centre", [ProviderCategory.COUNSELLING]),
    ("悦心EAP员工援助", "Yuexin EAP Employee Assistance", [ProviderCategory.COUNSELLING]),
    ("园区非遗文化工坊", "Park Heritage Culture Workshop", [ProviderCategory.CULTURE]),
    ("节气养生文化社", "Solar Terms Wellness Society", [ProviderCategory.CULTURE]),
    ("山水康养旅行社", "Shanshui Wellness Travel", [ProviderCategory.TRAVEL_WELLNESS]),
    ("禅意森林疗愈之旅", "Zen Forest Healing Trips", [ProviderCategory.TRAVEL_WELLNESS]),
    ("小橡树托育中心", "Little Oak Childcare Centre", [ProviderCategory.CHILDCARE]),
    ("乐龄家庭照护", "Joyful Age Family Care",
     [ProviderCategory.CHILDCARE, ProviderCategory.ELDERCARE]),
]

SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何林罗高"
GIVEN_NAMES = ["伟", "芳", "娜", "敏", "静", "磊", "洋", "艳", "勇", "军", "杰", "娟",
               "涛", "明", "超", "秀英", "华", "慧", "建国", "晓东"]


@dataclass(frozen=True)
class DemoLogin:
    email: str
    mobile: str | None
    name: str
    what: str


DEMO_LOGINS = [
    DemoLogin("employee@parkwell.demo", "+8613800138000", "陈小雨",
              "employee of Xinjing Smart Tech"),
    DemoLogin("hr@parkwell.demo", None, "林慧", "enterprise admin of Xinjing Smart Tech"),
    DemoLogin("provider@parkwell.demo", None, "孙杏林", "owner of Xinglin TCM Clinic"),
    DemoLogin("therapist@parkwell.demo", None, "周岐黄", "staff of Xinglin TCM Clinic"),
    DemoLogin("committee@parkwell.demo", None, "郭委员", "committee member of the park"),
    DemoLogin("admin@parkwell.demo", None, "平台管理员", "platform admin"),
    DemoLogin("multi@parkwell.demo", None, "何多多",
              "employee of Yunfan Logistics and committee member"),
    DemoLogin("checkup@parkwell.demo", None, "许瑞康",
              "owner of Ruikang Health Check-up Centre (check-up campaigns)"),
]


class _Seeder:
    def __init__(self, now: datetime) -> None:
        self.now = now
        self.password_hash: str | None = None  # one Argon2 hash is enough for demo users

    def _hash(self) -> str:
        if self.password_hash is None:
            self.password_hash = security.hash_password(DEMO_PASSWORD)
        return self.password_hash

    def park(self) -> Park:
        park = db.session.scalar(select(Park).where(Park.code == PARK_CODE))
        if park is None:
            park = Park(code=PARK_CODE, name_zh="新泾示范园区", name_en="Xinjing Demo Park",
                        committee_name_zh="新泾园区职工健康委员会",
                        committee_name_en="Xinjing Park Employee Health Committee",
                        timezone="Asia/Shanghai", currency="CNY", default_locale="zh_CN",
                        created_at=self.now)
            db.session.add(park)
            db.session.flush()
        return park

    def enterprise(self, park: Park, name_zh: str, name_en: str, code: str) -> Enterprise:
        enterprise = db.session.scalar(select(Enterprise).where(
            Enterprise.park_id == park.id, Enterprise.name_en == name_en))
        if enterprise is None:
            enterprise = Enterprise(park=park, name_zh=name_zh, name_en=name_en,
                                    invite_code=code, is_active=True, created_at=self.now)
            db.session.add(enterprise)
            db.session.flush()
        return enterprise

    def provider(self, park: Park, name_zh: str, name_en: str,
                 categories: list[ProviderCategory]) -> ProviderOrganisation:
        provider = db.session.scalar(select(ProviderOrganisation).where(
            ProviderOrganisation.park_id == park.id, ProviderOrganisation.name_en == name_en))
        if provider is None:
            provider = ProviderOrganisation(park=park, name_zh=name_zh, name_en=name_en,
                                            status=ProviderStatus.VERIFIED, created_at=self.now)
            db.session.add(provider)
            db.session.flush()
        for category in categories:
            if db.session.get(ProviderCategoryLink, (provider.id, category)) is None:
                db.session.add(ProviderCategoryLink(provider_id=provider.id, category=category))
        return provider

    def user(self, email: str, name: str, mobile: str | None = None) -> User:
        user = db.session.scalar(select(User).where(User.email == email))
        if user is None:
            user = User(email=email, mobile=mobile, display_name=name,
                        password_hash=self._hash(), is_active=True, session_version=1,
                        created_at=self.now)
            db.session.add(user)
            db.session.flush()
        return user

    def role(self, user: User, role: Role, **scope) -> Membership:
        return add_membership(user, role=role, now=self.now, **scope)


def _employee_mobile(enterprise_index: int, n: int) -> str:
    return f"+86139{enterprise_index:02d}{n:06d}"


#: The stages of ``seed_demo``, in order, for a progress bar (``progress(stage)`` is called
#: as each one is done).
SEED_STAGES = ("people", "health", "providers", "benefits", "booking", "park", "care",
               "prevention")


def seed_demo(*, now: datetime,
              progress: Callable[[str], None] | None = None) -> dict[str, int]:
    """Build or complete the demo park. Returns how many of each thing it holds."""
    tick = progress or (lambda _stage: None)
    seeder = _Seeder(now)
    park = seeder.park()
    enterprises = [seeder.enterprise(park, zh, en, code) for zh, en, code, _ in ENTERPRISES]
    providers = [seeder.provider(park, zh, en, cats) for zh, en, cats in PROVIDERS]

    for index, (enterprise, (_zh, _en, _code, domain)) in enumerate(
            zip(enterprises, ENTERPRISES, strict=True)):
        for n in range(1, EMPLOYEES_PER_ENTERPRISE + 1):
            name = SURNAMES[(n + index * 7) % len(SURNAMES)] + GIVEN_NAMES[n - 1]
            user = seeder.user(f"staff{n:02d}@{domain}", name, _employee_mobile(index, n))
            seeder.role(user, Role.EMPLOYEE, enterprise=enterprise)

    logins = {login.email: seeder.user(login.email, login.name, login.mobile)
              for login in DEMO_LOGINS}
    seeder.role(logins["employee@parkwell.demo"], Role.EMPLOYEE, enterprise=enterprises[0])
    seeder.role(logins["hr@parkwell.demo"], Role.ENTERPRISE_ADMIN, enterprise=enterprises[0])
    seeder.role(logins["hr@parkwell.demo"], Role.EMPLOYEE, enterprise=enterprises[0])
    seeder.role(logins["provider@parkwell.demo"], Role.PROVIDER_STAFF, provider=providers[0],
                provider_level=ProviderLevel.OWNER)
    seeder.role(logins["therapist@parkwell.demo"], Role.PROVIDER_STAFF, provider=providers[0],
                provider_level=ProviderLevel.STAFF)
    seeder.role(logins["committee@parkwell.demo"], Role.COMMITTEE_MEMBER, park_id=park.id)
    seeder.role(logins["admin@parkwell.demo"], Role.PLATFORM_ADMIN)
    seeder.role(logins["multi@parkwell.demo"], Role.EMPLOYEE, enterprise=enterprises[1])
    seeder.role(logins["multi@parkwell.demo"], Role.COMMITTEE_MEMBER, park_id=park.id)
    db.session.flush()
    tick("people")
    seed_health(now=now)
    tick("health")
    seed_providers(park, now=now)
    tick("providers")
    seed_benefits(park, now=now)
    tick("benefits")
    seed_booking(park, now=now)
    tick("booking")
    seed_park(park, now=now)
    tick("park")
    seed_care(park, now=now)
    tick("care")
    seed_prevention(park, now=now)
    seed_discovery(park, now=now)
    tick("prevention")
    return row_counts()


def row_counts() -> dict[str, int]:
    """How many rows each table holds: to show that a second run changed nothing."""
    counts = {}
    for table in db.metadata.sorted_tables:
        counts[table.name] = db.session.scalar(
            select(db.func.count()).select_from(table)) or 0
    return counts
