"""A large park for benchmarks and capacity planning: ``flask seed-scale``.

Defaults: 20,000 employees in 100 enterprises, 500 providers with 5,000 services, 90 days of
schedules ahead, 200,000 past and future bookings with their payments and ledger entries,
and health profiles for half the employees. Everything is written with bulk inserts (COPY on
PostgreSQL, multi-row INSERT elsewhere) with ids assigned here, so that no row needs a round
trip of its own; the money is simulated in memory first so that every ledger invariant holds
(``flask ledger check`` passes) and no employee budget goes below zero.

The park is a separate tenant (code ``SCALE``) beside the demo park. Running it again when
that park exists changes nothing.

The shape of the data, so that benchmarks can find their targets:

- Enterprise 1 is the largest (it holds ``largest_share`` of the employees); the others
  share the rest evenly.
- Provider 1 ("the flagship") has ``feed_events`` bookings from 30 days ago on, which is
  what its calendar feed shows; every other practitioner has the same number of bookings,
  spread over ``past_days`` before and ``days`` after today, at most one per hour.
- Past bookings are attended (85 %), no-shows (5 %) or lapsed holds (10 %); future ones are
  confirmed (95 %) or cancelled while held (5 %). Priced bookings that were confirmed are
  paid from the employee's monthly budget as far as it goes and by card for the rest:
  hold, capture, card payment and the platform fee, as ``benefits.checkout`` would post them.
"""

from __future__ import annotations

import io
import json
import math
import random
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from sqlalchemy import Table, func, insert, select, text

from benefits import usage
from benefits.ledger import account_key
from benefits.models import (
    NEGATIVE_KINDS,
    AccountKind,
    BudgetPeriod,
    BudgetProgramme,
    LedgerAccount,
    LedgerEntry,
    LedgerTransaction,
    Payment,
    PaymentStatus,
    RosterEntry,
    TransactionKind,
)
from benefits.periods import period_key
from booking.models import Booking, BookingStatus, BookingTransition
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
from core.clock import to_zone
from core.db import db
from core.money import share
from health.models import HealthProfile
from marketplace import ratings
from marketplace.models import Review
from providers.models import (
    AvailabilityRule,
    Practitioner,
    ProviderCategoryLink,
    ProviderProfile,
    Service,
    ServicePractitioner,
    VerificationStatus,
)
from providers.search_keys import keys_for

PARK_CODE = "SCALE"
PASSWORD = "parkwell-scale"
EMAIL_DOMAIN = "scale.parkwell.demo"
#: Working hours of every scale practitioner (park time): one booking per hour at most.
DAY_START, DAY_END = 9, 18
DEPARTMENTS = ["研发部", "市场部", "运营部", "人事行政部", "财务部", "销售部"]
GRADES = ["P4", "P5", "P6", "P7"]
MONTHLY_BUDGET = 80_000
P7_BUDGET = 120_000
FEE_BASIS_POINTS = 500
#: The share of attended bookings that their client reviewed.
REVIEW_SHARE = 0.2
#: Ledger accounts of the whole platform, which may exist before the scale park does.
PLATFORM_WIDE = (AccountKind.EXTERNAL_FUNDING, AccountKind.STRIPE_CLEARING,
                 AccountKind.PLATFORM_FEES)

#: (category, delivery mode, zh words, en words, need tags) for service titles
CATALOGUE = [
    ("tcm", "park_station", ["推拿", "针灸", "艾灸", "拔罐", "刮痧", "体质辨识", "颈肩调理"],
     ["tuina", "acupuncture", "moxibustion", "cupping", "gua sha", "constitution check",
      "neck and shoulder care"], ["back_pain", "neck_shoulder", "sleep", "stress"]),
    ("rehabilitation", "premises", ["康复评估", "脊柱训练", "运动康复", "姿势矫正", "术后康复"],
     ["rehabilitation assessment", "spine training", "sports rehab", "posture correction",
      "post-operative rehab"], ["back_pain", "elderly_mobility", "weight"]),
    ("counselling", "online", ["心理咨询", "压力管理", "睡眠辅导", "情绪疏导", "正念减压"],
     ["counselling", "stress management", "sleep coaching", "emotional support",
      "mindfulness"], ["stress", "sleep", "mental_wellbeing"]),
    ("culture", "park_station", ["剪纸", "茶艺", "书法", "八段锦", "太极", "香囊制作"],
     ["paper cutting", "tea ceremony", "calligraphy", "baduanjin", "tai chi",
      "herbal sachet making"], ["stress", "weight"]),
    ("eldercare", "online", ["长者照护咨询", "认知训练", "居家安全评估", "慢病管理"],
     ["elder care advice", "cognitive training", "home safety check",
      "chronic condition care"], ["elderly_mobility", "hypertension", "diabetes"]),
]
QUALIFIERS = [("基础", "basic"), ("进阶", "advanced"), ("午间", "lunchtime"),
              ("小组", "group"), ("一对一", "one-to-one"), ("晚间", "evening")]
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华"


@dataclass(frozen=True)
class ScaleSize:
    employees: int = 20_000
    enterprises: int = 100
    providers: int = 500
    services: int = 5_000
    practitioners_per_provider: int = 2
    days: int = 90  #: of schedules (and future bookings) ahead
    past_days: int = 60  #: of past bookings
    bookings: int = 200_000
    health_share: float = 0.5
    feed_events: int = 1_000  #: the flagship provider's calendar feed
    largest_share: float = 0.05  #: of the employees, in enterprise 1

    def scaled(self, factor: float) -> ScaleSize:
        """The same park at ``factor`` times the size (the bench's half-size run)."""
        def n(value: int, least: int = 1) -> int:
            return max(least, round(value * factor))
        return ScaleSize(
            employees=n(self.employees, 2), enterprises=n(self.enterprises),
            providers=n(self.providers), services=n(self.services),
            practitioners_per_provider=self.practitioners_per_provider, days=self.days,
            past_days=self.past_days, bookings=n(self.bookings), health_share=self.health_share,
            feed_events=self.feed_events, largest_share=self.largest_share)


@dataclass
class _Ids:
    """Next free id per table: ids are assigned here, so rows need no round trip."""

    next: dict[str, int] = field(default_factory=dict)

    def take(self, table: Table, count: int = 1) -> int:
        if table.name not in self.next:
            self.next[table.name] = (db.session.scalar(select(func.max(table.c.id))) or 0) + 1
        first = self.next[table.name]
        self.next[table.name] += count
        return first


class _Writer:
    """Bulk rows into tables: COPY on PostgreSQL, multi-row INSERT elsewhere."""

    CHUNK = 5_000

    def __init__(self) -> None:
        self.postgres = db.engine.dialect.name == "postgresql"
        self.counts: dict[str, int] = defaultdict(int)

    def write(self, table: Table, rows: Iterable[dict]) -> None:
        rows = [_complete(table, row) for row in rows]
        if not rows:
            return
        self.counts[table.name] += len(rows)
        if self.postgres and len(rows) > 200 and not _has_custom_types(table):
            self._copy(table, rows)
            return
        for start in range(0, len(rows), self.CHUNK):
            db.session.execute(insert(table), rows[start:start + self.CHUNK])

    def _copy(self, table: Table, rows: list[dict]) -> None:
        columns = [c.name for c in table.columns if c.name in rows[0]]
        json_columns = {c.name for c in table.columns if _is_json(c)}
        raw = db.session.connection().connection.driver_connection
        names = ", ".join(f'"{c}"' for c in columns)
        with raw.cursor() as cursor, cursor.copy(
                f'COPY "{table.name}" ({names}) FROM STDIN') as copy:
            for row in rows:
                copy.write_row([json.dumps(row[c]) if c in json_columns and row[c] is not None
                                else row[c] for c in columns])

    def fix_sequences(self) -> None:
        if not self.postgres:
            return
        for name in self.counts:
            table = db.metadata.tables[name]
            if "id" in table.c and table.c.id.type.python_type is int:
                sequence = f"pg_get_serial_sequence('{name}', 'id')"
                db.session.execute(text(
                    f'SELECT setval({sequence}, (SELECT max(id) FROM "{name}"))'))  # noqa: S608


def _is_json(column) -> bool:
    return column.type.__class__.__name__ == "JSON"


def _has_custom_types(table: Table) -> bool:
    """Columns whose Python-side processing COPY would skip (encryption)."""
    return any(c.type.__class__.__name__ == "EncryptedJSON" for c in table.columns)


def _complete(table: Table, row: dict) -> dict:
    """Every column present, Python-side defaults filled in (COPY applies none)."""
    for column in table.columns:
        if column.name in row or column.computed is not None:  # the database writes those
            continue
        default = column.default
        if default is not None and default.is_scalar:
            row[column.name] = default.arg
        elif default is not None and default.is_callable:
            row[column.name] = default.arg(None)
        elif column.nullable:
            row[column.name] = None
    return row


def _name(index: int) -> str:
    return SURNAMES[index % len(SURNAMES)] + GIVEN[(index // 7) % len(GIVEN)] + \
        GIVEN[(index // 131) % len(GIVEN)]


def _months(first: date, last: date) -> list[date]:
    months, cursor = [], first.replace(day=1)
    while cursor <= last:
        months.append(cursor)
        cursor = (cursor + timedelta(days=32)).replace(day=1)
    return months


def scale_park_exists() -> bool:
    return db.session.scalar(select(Park.id).where(Park.code == PARK_CODE)) is not None


def seed_scale(size: ScaleSize, *, now: datetime, seed: int = 10,
               progress: Callable[[str, int], None] | None = None) -> dict[str, int]:
    """Build the scale park in the current transaction (the caller commits). Returns the
    number of rows written per table; nothing when the park exists already."""
    if scale_park_exists():
        return {}
    report = progress or (lambda _step, _n: None)
    builder = _Builder(size, now=now, rng=random.Random(seed),  # noqa: S311 - data, not secrets
                       report=report)
    builder.build()
    return dict(builder.writer.counts)


class _Builder:
    def __init__(self, size: ScaleSize, *, now: datetime, rng: random.Random,
                 report: Callable[[str, int], None]) -> None:
        self.size, self.now, self.rng, self.report = size, now, rng, report
        self.ids = _Ids()
        self.writer = _Writer()
        self.tz = "Asia/Shanghai"
        self.today = to_zone(now, self.tz).date()

    # -- the steps ------------------------------------------------------------------------

    def build(self) -> None:
        self._tenants()
        self.report("tenants", 1)
        self._people()
        self._supply()
        self._benefits_setup()
        self._bookings_and_money()
        self._health()
        self.writer.fix_sequences()
        db.session.flush()

    def _tenants(self) -> None:
        park_id = self.ids.take(Park.__table__)
        self.park_id = park_id
        self.writer.write(Park.__table__, [{
            "id": park_id, "code": PARK_CODE, "name_zh": "规模测试园区",
            "name_en": "Scale Test Park", "committee_name_zh": "规模园区职工健康委员会",
            "committee_name_en": "Scale Park Health Committee", "timezone": self.tz,
            "currency": "CNY", "default_locale": "zh_CN", "created_at": self.now}])
        first = self.ids.take(Enterprise.__table__, self.size.enterprises)
        self.enterprise_ids = list(range(first, first + self.size.enterprises))
        self.writer.write(Enterprise.__table__, [{
            "id": eid, "park_id": park_id, "name_zh": f"规模企业{n + 1:03d}",
            "name_en": f"Scale Enterprise {n + 1:03d}", "invite_code": f"SCALE{eid:06d}",
            "is_active": True, "created_at": self.now}
            for n, eid in enumerate(self.enterprise_ids)])
        first = self.ids.take(ProviderOrganisation.__table__, self.size.providers)
        self.provider_ids = list(range(first, first + self.size.providers))
        self.writer.write(ProviderOrganisation.__table__, [{
            "id": pid, "park_id": park_id, "name_zh": f"规模服务商{n + 1:03d}",
            "name_en": f"Scale Provider {n + 1:03d}", "status": ProviderStatus.VERIFIED.value,
            "created_at": self.now} for n, pid in enumerate(self.provider_ids)])

    def _enterprise_of(self) -> list[int]:
        """The enterprise of each employee: the first takes ``largest_share``."""
        count, enterprises = self.size.employees, self.enterprise_ids
        largest = max(1, round(count * self.size.largest_share)) if len(enterprises) > 1 \
            else count
        rest = enterprises[1:] or enterprises
        return [enterprises[0] if n < largest else rest[(n - largest) % len(rest)]
                for n in range(count)]

    def _people(self) -> None:
        size = self.size
        password_hash = security.hash_password(PASSWORD)
        extra = size.providers + 1  # provider owners and one committee member
        first = self.ids.take(User.__table__, size.employees + extra)
        self.employee_ids = list(range(first, first + size.employees))
        self.owner_ids = list(range(first + size.employees, first + size.employees +
                                    size.providers))
        self.committee_id = first + size.employees + size.providers
        self.employee_enterprise = dict(zip(self.employee_ids, self._enterprise_of(),
                                            strict=True))
        users = [{"id": uid, "email": f"e{n + 1:06d}@{EMAIL_DOMAIN}", "mobile": None,
                  "password_hash": password_hash, "display_name": _name(n), "locale": None,
                  "is_active": True, "session_version": 1, "created_at": self.now}
                 for n, uid in enumerate(self.employee_ids)]
        users += [{"id": uid, "email": f"owner{n + 1:04d}@{EMAIL_DOMAIN}", "mobile": None,
                   "password_hash": password_hash, "display_name": f"服务商负责人{n + 1}",
                   "locale": None, "is_active": True, "session_version": 1,
                   "created_at": self.now} for n, uid in enumerate(self.owner_ids)]
        users.append({"id": self.committee_id, "email": f"committee@{EMAIL_DOMAIN}",
                      "mobile": None, "password_hash": password_hash,
                      "display_name": "园区委员会", "locale": None, "is_active": True,
                      "session_version": 1, "created_at": self.now})
        self.writer.write(User.__table__, users)
        self.report("users", len(users))
        memberships = [{"role": Role.EMPLOYEE.value, "user_id": uid, "enterprise_id": eid}
                       for uid, eid in self.employee_enterprise.items()]
        seen: set[int] = set()
        self.admin_of: dict[int, int] = {}
        for uid, eid in self.employee_enterprise.items():
            if eid not in seen:  # the first employee of each enterprise is also its admin
                seen.add(eid)
                self.admin_of[eid] = uid
                memberships.append({"role": Role.ENTERPRISE_ADMIN.value, "user_id": uid,
                                    "enterprise_id": eid})
        memberships += [{"role": Role.PROVIDER_STAFF.value, "user_id": uid, "provider_id": pid,
                         "provider_level": ProviderLevel.OWNER.value}
                        for uid, pid in zip(self.owner_ids, self.provider_ids, strict=True)]
        memberships.append({"role": Role.COMMITTEE_MEMBER.value, "user_id": self.committee_id,
                            "park_id": self.park_id})
        first = self.ids.take(Membership.__table__, len(memberships))
        for n, row in enumerate(memberships):
            row.update(id=first + n, is_active=True, created_at=self.now)
            row.setdefault("enterprise_id", None)
            row.setdefault("provider_id", None)
            row.setdefault("park_id", None)
            row.setdefault("provider_level", None)
        self.writer.write(Membership.__table__, memberships)
        self.grade_of = {uid: GRADES[n % len(GRADES)] for n, uid in
                         enumerate(self.employee_ids)}
        first = self.ids.take(RosterEntry.__table__, size.employees)
        self.writer.write(RosterEntry.__table__, [{
            "id": first + n, "enterprise_id": eid, "user_id": uid,
            "employee_no": f"S{uid:07d}", "name": _name(n),
            "email": f"e{n + 1:06d}@{EMAIL_DOMAIN}", "mobile": None,
            "department": DEPARTMENTS[n % len(DEPARTMENTS)], "grade": self.grade_of[uid],
            "is_active": True, "created_at": self.now, "left_at": None}
            for n, (uid, eid) in enumerate(self.employee_enterprise.items())])
        self.report("memberships and roster", len(memberships) + size.employees)

    def _supply(self) -> None:
        size, rng = self.size, self.rng
        per = size.practitioners_per_provider
        self.category_of_provider = {pid: CATALOGUE[n % len(CATALOGUE)]
                                     for n, pid in enumerate(self.provider_ids)}
        self.writer.write(ProviderProfile.__table__, [{
            "provider_id": pid, "description_zh": f"{spec[2][0]}、{spec[2][1]}等服务。",
            "description_en": f"{spec[3][0]}, {spec[3][1]} and more.",
            "venues": [spec[1]], "address_zh": "", "address_en": "", "languages": ["zh", "en"],
            "photo_urls": [], "feed_token_hash": None, "updated_at": self.now}
            for pid, spec in self.category_of_provider.items()])
        self.writer.write(ProviderCategoryLink.__table__, [
            {"provider_id": pid, "category": spec[0]}
            for pid, spec in self.category_of_provider.items()])
        first = self.ids.take(Practitioner.__table__, size.providers * per)
        self.practitioners_of: dict[int, list[int]] = {}
        rows = []
        for n, pid in enumerate(self.provider_ids):
            ids = list(range(first + n * per, first + (n + 1) * per))
            self.practitioners_of[pid] = ids
            for k, practitioner_id in enumerate(ids):
                rows.append({
                    "id": practitioner_id, "provider_id": pid, "user_id": None,
                    "name_zh": _name(practitioner_id), "name_en": f"Practitioner {n + 1}-{k + 1}",
                    "title_zh": "治疗师", "title_en": "Therapist", "bio_zh": "", "bio_en": "",
                    "languages": ["zh"], "status": VerificationStatus.VERIFIED.value,
                    "is_active": True, "observes_public_holidays": False,
                    "feed_token_hash": None, "busy_calendar_url": None,
                    "busy_calendar_synced_at": None, "busy_calendar_error": "",
                    "created_at": self.now})
        self.writer.write(Practitioner.__table__, rows)
        until = (self.today + timedelta(days=size.days)).strftime("%Y%m%d")
        first_rule = self.ids.take(AvailabilityRule.__table__, len(rows))
        self.writer.write(AvailabilityRule.__table__, [{
            "id": first_rule + n, "practitioner_id": row["id"],
            "rrule": f"FREQ=DAILY;UNTIL={until}",
            "starts_on": self.today - timedelta(days=size.past_days),
            "start_time": time(DAY_START), "end_time": time(DAY_END), "timezone": self.tz,
            "created_at": self.now} for n, row in enumerate(rows)])
        # Services: spread over the providers; blocks of at most one hour.
        first = self.ids.take(Service.__table__, size.services)
        services, links = [], []
        self.services_of: dict[int, list[dict]] = defaultdict(list)
        for n in range(size.services):
            pid = self.provider_ids[n % size.providers]
            category, mode, zh, en, needs = self.category_of_provider[pid]
            word = (n // size.providers) % len(zh)
            q_zh, q_en = QUALIFIERS[(n // 7) % len(QUALIFIERS)]
            duration = rng.choice((30, 45, 50))
            price = 0 if n % 10 == 9 else rng.choice((3800, 6800, 9900, 16800, 25800, 30000))
            service = {
                "id": first + n, "provider_id": pid, "category": category,
                "delivery_mode": mode, "title_zh": f"{q_zh}{zh[word]}",
                "search_keys": keys_for(f"{q_zh}{zh[word]}"),
                "title_en": f"{q_en.capitalize()} {en[word]}",
                "description_zh": f"{zh[word]}：由认证治疗师提供，规模服务 #{n + 1}。",
                "description_en": f"{en[word].capitalize()} by a verified practitioner, "
                                  f"scale service #{n + 1}.",
                "duration_minutes": duration, "buffer_before_minutes": 0,
                "buffer_after_minutes": 60 - duration if duration < 60 else 0,
                "capacity": 1, "price_minor": price, "currency": "CNY",
                "free_cancel_hours": 24, "late_cancel_fee_percent": 50 if price else 0,
                "min_notice_minutes": 60, "horizon_days": size.days,
                "health_needs": rng.sample(needs, k=min(2, len(needs))), "min_age": None,
                "max_age": None, "allows_dependants": False, "screening_questionnaire": None,
                "contraindications": [],
                "details": {"requires_referral": False} if category == "rehabilitation" else {},
                "is_active": True, "created_at": self.now, "updated_at": self.now}
            services.append(service)
            self.services_of[pid].append(service)
            links += [{"service_id": service["id"], "practitioner_id": practitioner_id}
                      for practitioner_id in self.practitioners_of[pid]]
        self.writer.write(Service.__table__, services)
        self.writer.write(ServicePractitioner.__table__, links)
        self.report("providers, practitioners and services", len(services) + len(rows))

    def _benefits_setup(self) -> None:
        first = self.ids.take(BudgetProgramme.__table__, len(self.enterprise_ids))
        self.programme_of = {eid: first + n for n, eid in enumerate(self.enterprise_ids)}
        starts = (self.today - timedelta(days=self.size.past_days + 31)).replace(day=1)
        self.writer.write(BudgetProgramme.__table__, [{
            "id": pid, "enterprise_id": eid, "name": "规模园区健康福利",
            "period": BudgetPeriod.MONTHLY.value, "amount_minor": MONTHLY_BUDGET,
            "currency": "CNY", "dependants_allowed": True, "rollover_limit_minor": 0,
            "expiry_days": 7, "starts_on": starts, "is_active": True, "created_at": self.now}
            for eid, pid in self.programme_of.items()])
        # The ledger, built in memory first: accounts by key, transactions with their legs.
        self.accounts: dict[str, dict] = {}
        self.transactions: list[tuple[dict, list[tuple[str, int]]]] = []

    # -- ledger helpers -------------------------------------------------------------------

    def _account(self, kind: AccountKind, **scope) -> str:
        key = account_key(kind, currency="CNY", e=scope.get("enterprise_id"),
                          p=scope.get("programme_id"), u=scope.get("user_id"),
                          v=scope.get("provider_id"), period=scope.get("period_key"),
                          pot=scope.get("pot"))
        if key not in self.accounts:
            self.accounts[key] = {"key": key, "kind": kind.value, "currency": "CNY",
                                  "enterprise_id": scope.get("enterprise_id"),
                                  "programme_id": scope.get("programme_id"),
                                  "user_id": scope.get("user_id"),
                                  "provider_id": scope.get("provider_id"),
                                  "period_key": scope.get("period_key"),
                                  "pot": scope.get("pot"),
                                  "allows_negative": kind in NEGATIVE_KINDS,
                                  "balance_minor": 0, "created_at": self.now}
        return key

    def _post(self, kind: TransactionKind, legs: list[tuple[str, int]], *, at: datetime,
              reference: str | None, category: str | None = None, memo: str = "") -> None:
        legs = [(key, amount) for key, amount in legs if amount]
        if len(legs) < 2:
            return
        assert sum(amount for _key, amount in legs) == 0
        for key, amount in legs:
            account = self.accounts[key]
            account["balance_minor"] += amount
            assert account["allows_negative"] or account["balance_minor"] >= 0, key
        self.transactions.append(({"kind": kind.value, "reference": reference, "memo": memo,
                                   "category": category, "reverses_id": None,
                                   "actor_id": None, "created_at": at}, legs))

    # -- bookings, payments and the money -------------------------------------------------

    def _slots(self) -> tuple[datetime, int, Callable[[int], datetime]]:
        """The hourly grid every practitioner is booked on: (first slot, count, start of
        slot n)."""
        first_day = self.today - timedelta(days=self.size.past_days)
        per_day = DAY_END - DAY_START
        total_days = self.size.past_days + self.size.days

        def start(n: int) -> datetime:
            day = first_day + timedelta(days=n // per_day)
            local = datetime.combine(day, time(DAY_START + n % per_day))
            return (local - timedelta(hours=8)).replace(tzinfo=self.now.tzinfo)
        return start(0), total_days * per_day, start

    def _plan(self) -> list[tuple[int, int]]:
        """(practitioner, slot) of every booking: the flagship's in its feed window, the
        others' spread evenly over the whole grid; never two in one practitioner's hour."""
        size = self.size
        _first, slot_count, start = self._slots()
        feed_from = self.now - timedelta(days=30)
        feed_first = next((n for n in range(slot_count) if start(n) >= feed_from), 0)
        flagship = self.practitioners_of[self.provider_ids[0]]
        feed_events = min(size.feed_events, size.bookings // 2,
                          (slot_count - feed_first) * len(flagship))
        others = [p for pid in self.provider_ids[1:] if self.services_of[pid]
                  for p in self.practitioners_of[pid]]
        if not others:
            others, feed_events = flagship, 0
        plan: list[tuple[int, int]] = []
        per_flagship = math.ceil(feed_events / len(flagship)) if feed_events else 0
        window = slot_count - feed_first
        for practitioner in flagship:
            for j in range(min(per_flagship, feed_events - len(plan))):
                plan.append((practitioner, feed_first + j * window // per_flagship))
        remaining = size.bookings - len(plan)
        base, extra = divmod(remaining, len(others))
        if base + 1 > slot_count:
            raise ValueError(f"{size.bookings} bookings do not fit {len(others)} practitioners"
                             f" with {slot_count} hours each: add days or providers")
        for k, practitioner in enumerate(others):
            count = base + (k < extra)
            offset = k % max(1, slot_count // max(count, 1))
            plan += [(practitioner, (offset + j * slot_count // count) % slot_count)
                     for j in range(count)]
        return plan

    def _bookings_and_money(self) -> None:
        size, rng, now = self.size, self.rng, self.now
        _first, _count, start = self._slots()
        plan = self._plan()
        provider_of_practitioner = {p: pid for pid, ps in self.practitioners_of.items()
                                    for p in ps}
        # Funding and monthly allocations for every month that bookings were paid in.
        earliest = start(0) - timedelta(days=3)
        months = _months(to_zone(earliest, self.tz).date(), self.today)
        funding = self._account(AccountKind.EXTERNAL_FUNDING)
        budget_by_user: dict[int, int] = {}
        per_month_total: dict[int, int] = defaultdict(int)
        for uid, eid in self.employee_enterprise.items():
            amount = P7_BUDGET if self.grade_of[uid] == "P7" else MONTHLY_BUDGET
            budget_by_user[uid] = amount
            per_month_total[eid] += amount
        for eid, programme_id in self.programme_of.items():
            funds = self._account(AccountKind.PROGRAMME_FUNDS, enterprise_id=eid,
                                  programme_id=programme_id)
            total = per_month_total[eid] * len(months) + 1_000_000
            self._post(TransactionKind.FUNDING, [(funding, -total), (funds, total)],
                       at=now - timedelta(days=size.past_days + 40),
                       reference=f"bank:SCALE-{programme_id}", memo="bank transfer (scale)")
        for month in months:
            key = period_key(BudgetPeriod.MONTHLY, month)
            at = datetime.combine(month, time(1)).replace(tzinfo=now.tzinfo)
            for uid, eid in self.employee_enterprise.items():
                programme_id = self.programme_of[eid]
                funds = self._account(AccountKind.PROGRAMME_FUNDS, enterprise_id=eid,
                                      programme_id=programme_id)
                budget = self._account(AccountKind.EMPLOYEE_BUDGET, enterprise_id=eid,
                                       programme_id=programme_id, user_id=uid, period_key=key)
                self._post(TransactionKind.ALLOCATION, [(funds, -budget_by_user[uid]),
                                                        (budget, budget_by_user[uid])],
                           at=at, reference=f"allocation:p{programme_id}:u{uid}:{key}:general")
        self.report("allocations", len(months) * len(self.employee_enterprise))

        clearing = self._account(AccountKind.STRIPE_CLEARING)
        fees = self._account(AccountKind.PLATFORM_FEES)
        booking_first = self.ids.take(Booking.__table__, len(plan))
        payment_first = self.ids.take(Payment.__table__, len(plan))
        bookings, transitions, payments = [], [], []
        employees = self.employee_ids
        busy: set[tuple[int, int]] = set()
        payment_id = payment_first
        stride = 7919 if len(employees) % 7919 else 7907
        for n, (practitioner, slot) in enumerate(plan):
            assert (practitioner, slot) not in busy
            busy.add((practitioner, slot))
            pid = provider_of_practitioner[practitioner]
            service = self.services_of[pid][n % len(self.services_of[pid])]
            client = employees[(n * stride) % len(employees)]
            starts = start(slot)
            ends = starts + timedelta(minutes=service["duration_minutes"])
            busy_until = ends + timedelta(minutes=service["buffer_after_minutes"])
            created = min(starts - timedelta(days=2, hours=rng.randint(0, 48)),
                          now - timedelta(hours=1 + n % 72))
            roll = rng.random()
            if starts < now:
                status = (BookingStatus.ATTENDED if roll < 0.85 else
                          BookingStatus.NO_SHOW if roll < 0.90 else BookingStatus.EXPIRED)
            else:
                status = (BookingStatus.CONFIRMED if roll < 0.95
                          else BookingStatus.CANCELLED_BY_CLIENT)
            booking_id = booking_first + n
            paid = status in (BookingStatus.CONFIRMED, BookingStatus.ATTENDED,
                              BookingStatus.NO_SHOW)
            price = service["price_minor"]
            reference = None
            if paid and price:
                reference = self._pay(payment_id, booking_id, client, pid, service, created,
                                      payments, clearing, fees)
                payment_id += 1
            bookings.append({
                "id": booking_id, "service_id": service["id"], "practitioner_id": practitioner,
                "provider_id": pid, "client_id": client, "dependant_id": None,
                "series_id": None, "status": status.value, "starts_at": starts, "ends_at": ends,
                "busy_from": starts, "busy_until": busy_until, "seats": 1,
                "hold_expires_at": created + timedelta(minutes=10),
                "price_minor": price, "currency": "CNY", "payment_reference": reference,
                "free_cancel_hours": service["free_cancel_hours"],
                "late_cancel_fee_percent": service["late_cancel_fee_percent"],
                "refund_basis_points": None, "late_fee_basis_points": None,
                "reschedule_count": 0,
                "reminder_24h_sent_at": starts - timedelta(hours=24) if starts < now else None,
                "reminder_2h_sent_at": starts - timedelta(hours=2) if starts < now else None,
                "created_at": created, "updated_at": created})
            first_status = BookingStatus.HELD if price else BookingStatus.CONFIRMED
            steps = [(None, first_status, "booked" if price else "free", created)]
            if price and paid:
                steps.append((BookingStatus.HELD, BookingStatus.CONFIRMED, "paid",
                              created + timedelta(minutes=2)))
            if status is BookingStatus.EXPIRED:
                steps = [(None, BookingStatus.HELD, "booked", created),
                         (BookingStatus.HELD, BookingStatus.EXPIRED, "hold_lapsed",
                          created + timedelta(minutes=10))]
            elif status is BookingStatus.CANCELLED_BY_CLIENT:
                steps = [(None, BookingStatus.HELD, "booked", created),
                         (BookingStatus.HELD, status, "cancelled_by_client",
                          created + timedelta(minutes=3))]
            elif status in (BookingStatus.ATTENDED, BookingStatus.NO_SHOW):
                steps.append((BookingStatus.CONFIRMED, status, status.value,
                              ends + timedelta(minutes=5)))
            transitions += [{"booking_id": booking_id,
                             "from_status": a.value if a else None, "to_status": b.value,
                             "actor_id": None if reason in ("hold_lapsed",) else client,
                             "at": at, "reason": reason, "note": ""}
                            for a, b, reason, at in steps]
        self.writer.write(Booking.__table__, bookings)
        self.report("bookings", len(bookings))
        first = self.ids.take(BookingTransition.__table__, len(transitions))
        for n, row in enumerate(transitions):
            row["id"] = first + n
        self.writer.write(BookingTransition.__table__, transitions)
        self.writer.write(Payment.__table__, payments)
        reviews = self._reviews(bookings)
        self.report("transitions, payments and reviews",
                    len(transitions) + len(payments) + reviews)
        self._write_ledger()

    def _reviews(self, bookings: list[dict]) -> int:
        """A review for about one attended booking in five (one in fifty of them hidden by
        the park), then every service's kept rating. A random source of its own, so that
        the bookings stay what they were before reviews were seeded."""
        rng = random.Random(len(bookings))  # noqa: S311 - data, not secrets
        attended = [b for b in bookings if b["status"] == BookingStatus.ATTENDED.value]
        chosen = [b for b in attended if rng.random() < REVIEW_SHARE]
        first = self.ids.take(Review.__table__, len(chosen))
        rows = []
        for n, booking in enumerate(chosen):
            written = min(booking["ends_at"] + timedelta(hours=rng.randint(1, 72)),
                          self.now - timedelta(minutes=1))
            hidden = rng.random() < 0.02
            rows.append({
                "id": first + n, "booking_id": booking["id"],
                "service_id": booking["service_id"], "provider_id": booking["provider_id"],
                "author_id": booking["client_id"],
                "stars": rng.choices((5, 4, 3, 2, 1), weights=(50, 30, 12, 5, 3))[0],
                "text": rng.choice(("", "很专业，推荐。", "Friendly and on time.", "环境安静。")),
                "created_at": written,  # unreplied; the other columns are left empty
                "hidden_at": written + timedelta(hours=1) if hidden else None,
                "hidden_reason": "广告 (scale)" if hidden else None})
        self.writer.write(Review.__table__, rows)
        ratings.rebuild()  # the rows bypassed marketplace.reviews, which keeps it
        return len(rows)

    def _pay(self, payment_id: int, booking_id: int, client: int, provider_id: int,
             service: dict, created: datetime, payments: list[dict], clearing: str,
             fees: str) -> str:
        """Budget first (as far as this month's balance goes), card for the rest."""
        eid = self.employee_enterprise[client]
        programme_id = self.programme_of[eid]
        key = period_key(BudgetPeriod.MONTHLY, to_zone(created, self.tz).date())
        budget = self._account(AccountKind.EMPLOYEE_BUDGET, enterprise_id=eid,
                               programme_id=programme_id, user_id=client, period_key=key)
        price, category = service["price_minor"], service["category"]
        from_budget = min(price, self.accounts[budget]["balance_minor"])
        card = price - from_budget
        hold = self._account(AccountKind.BUDGET_HOLD, user_id=client, programme_id=programme_id)
        payable = self._account(AccountKind.PROVIDER_PAYABLE, provider_id=provider_id)
        self._post(TransactionKind.HOLD, [(budget, -from_budget), (hold, from_budget)],
                   at=created, reference=f"hold:pay{payment_id}", category=category)
        self._post(TransactionKind.CAPTURE, [(hold, -from_budget), (payable, from_budget)],
                   at=created, reference=f"capture:pay{payment_id}", category=category)
        self._post(TransactionKind.CARD_PAYMENT, [(clearing, -card), (payable, card)],
                   at=created, reference=f"card:pay{payment_id}", category=category)
        fee = share(price, FEE_BASIS_POINTS)
        self._post(TransactionKind.FEE, [(payable, -fee), (fees, fee)], at=created,
                   reference=f"fee:pay{payment_id}", category=category)
        payments.append({
            "id": payment_id, "booking_id": booking_id, "user_id": client,
            "provider_id": provider_id, "programme_id": programme_id if from_budget else None,
            "category": category, "currency": "CNY", "price_minor": price,
            "budget_minor": from_budget, "card_minor": card, "status": PaymentStatus.PAID.value,
            "stripe_payment_intent_id": None, "refunded_budget_minor": 0,
            "refunded_card_minor": 0, "created_at": created, "updated_at": created})
        return f"pay{payment_id}"

    def _write_ledger(self) -> None:
        """Accounts (the shared ones of the platform may exist already: their balances
        move), then transactions and entries."""
        shared = [key for key, a in self.accounts.items()
                  if a["kind"] in {k.value for k in PLATFORM_WIDE}]
        existing = dict(db.session.execute(select(LedgerAccount.key, LedgerAccount.id).where(
            LedgerAccount.key.in_(shared))).all())
        new = [a for key, a in self.accounts.items() if key not in existing]
        first = self.ids.take(LedgerAccount.__table__, len(new))
        account_ids = dict(existing)
        for n, account in enumerate(new):
            account["id"] = first + n
            account_ids[account["key"]] = account["id"]
        self.writer.write(LedgerAccount.__table__, new)
        for key, account_id in existing.items():
            db.session.execute(LedgerAccount.__table__.update()
                               .where(LedgerAccount.__table__.c.id == account_id)
                               .values(balance_minor=LedgerAccount.__table__.c.balance_minor
                                       + self.accounts[key]["balance_minor"]))
        first_tx = self.ids.take(LedgerTransaction.__table__, len(self.transactions))
        entries_count = sum(len(legs) for _tx, legs in self.transactions)
        first_entry = self.ids.take(LedgerEntry.__table__, entries_count)
        transactions, entries = [], []
        entry_id = first_entry
        for n, (tx, legs) in enumerate(self.transactions):
            tx["id"] = first_tx + n
            transactions.append(tx)
            for key, amount in legs:
                entries.append({"id": entry_id, "transaction_id": tx["id"],
                                "account_id": account_ids[key], "amount_minor": amount,
                                "currency": "CNY"})
                entry_id += 1
        self.writer.write(LedgerTransaction.__table__, transactions)
        self.writer.write(LedgerEntry.__table__, entries)
        summary = usage.rebuild()  # the entries bypassed ledger.post, which keeps it
        self.report("ledger", len(new) + len(transactions) + len(entries) + summary)

    def _health(self) -> None:
        count = int(len(self.employee_ids) * self.size.health_share)
        rng = self.rng
        first = self.ids.take(HealthProfile.__table__, count)
        rows = [{"id": first + n, "user_id": uid, "created_at": self.now,
                 "updated_at": self.now,
                 "data": {"sex": rng.choice(("female", "male")),
                          "birth_year": rng.randint(1965, 2003),
                          "smoking": rng.choice(("never", "never", "former", "current")),
                          "activity_minutes_per_week": rng.choice((0, 60, 120, 150, 240)),
                          "sleep_hours": rng.choice((5.5, 6.0, 7.0, 7.5, 8.0)),
                          "goals": rng.sample(["back_pain", "stress", "fitness", "poor_sleep"],
                                              k=rng.randint(0, 2))}}
                for n, uid in enumerate(self.employee_ids[::2][:count])]
        self.writer.write(HealthProfile.__table__, rows)
        self.report("health profiles", len(rows))


def summary(counts: dict[str, int]) -> str:
    out = io.StringIO()
    for name, count in sorted(counts.items()):
        out.write(f"  {name:<28} {count:>10,}\n")
    return out.getvalue()


def overbooked_slots(*, now: datetime, practitioner_ids: Iterable[int] | None = None) -> int:
    """How many places are taken twice: seats of one slot above the service's capacity, and
    pairs of live bookings of one practitioner whose busy times overlap (other than seats
    of the same group slot). Must be 0 whatever ran in parallel."""
    live = ("(b.status = 'confirmed' OR (b.status = 'held' AND b.hold_expires_at > :now))")
    live_o = live.replace("b.", "o.")
    only = ""
    params: dict = {"now": now}
    if practitioner_ids is not None:
        ids = sorted(set(practitioner_ids)) or [0]
        only = " AND b.practitioner_id IN (" + ", ".join(str(int(i)) for i in ids) + ")"
    # Only integers and fixed text are formatted into these statements.
    over_capacity = db.session.scalar(text(
        "SELECT count(*) FROM (SELECT b.practitioner_id, b.service_id, b.starts_at"  # noqa: S608
        " FROM bookings b JOIN services s ON s.id = b.service_id"
        " WHERE " + live + only +
        " GROUP BY b.practitioner_id, b.service_id, b.starts_at, s.capacity"
        " HAVING sum(b.seats) > s.capacity) AS x"), params)
    overlapping = db.session.scalar(text(
        "SELECT count(*) FROM bookings b JOIN bookings o"  # noqa: S608
        " ON o.practitioner_id = b.practitioner_id AND o.id > b.id"
        " AND o.busy_from < b.busy_until AND b.busy_from < o.busy_until"
        " AND NOT (o.service_id = b.service_id AND o.starts_at = b.starts_at)"
        " WHERE " + live + " AND " + live_o + only), params)
    return int(over_capacity or 0) + int(overlapping or 0)
